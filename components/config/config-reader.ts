import * as pulumi from "@pulumi/pulumi";

/**
 * Typed reads of raw stack configuration that never stop at the first problem: each read
 * records what is wrong with its key and returns the declared default, so that one run
 * reports every problem at once.
 */

/** Thrown before any resource exists; `RunError` makes Pulumi print it without a stack trace. */
export class MeshConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        super(
            `istio-mesh configuration has ${count}; nothing was deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "MeshConfigError";
    }
}

/** How a value shows up in a message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
    return JSON.stringify(value);
}

/** A key's declaration, as far as the reader needs it (components/config/keys.ts declares them). */
export interface ReadableKey {
    readonly kind: "string" | "quantity" | "boolean" | "decimal" | "integer" | "list" | "map";
    /** The value when the stack does not set it, as `Pulumi.yaml` declares it. */
    readonly default: string | boolean | number | readonly string[] | Readonly<Record<string, never>>;
    /** For a string, or each item of a list: what is wrong with the value, or undefined. */
    readonly check?: (value: string) => string | undefined;
    /** For a number: its range, and the unit messages name. */
    readonly range?: { readonly min: number; readonly max: number; readonly unit: string };
}

/** A parse of one value: what it means, or what is wrong with it. */
type Parsed<T> = { value: T } | { problems: readonly string[] };

/** A config value as the CLI hands it over: strings as they are, the rest as JSON. */
export function wireForm(value: ReadableKey["default"]): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const INTEGER = /^[0-9]+$/;

export class ConfigReader {
    private readonly problemList: string[] = [];
    private readonly warningList: string[] = [];
    private readonly failedKeys = new Set<string>();
    private readonly changedKeys = new Set<string>();

    /**
     * @param namespace the config namespace, e.g. `istio-mesh`
     * @param keys every key of the namespace, declared
     * @param raw every config value as the CLI hands it to the program: full keys, string values
     * @param providerKeys other namespaces the program reads (a provider's), each with the keys it knows
     */
    constructor(
        private readonly namespace: string,
        private readonly keys: Readonly<Record<string, ReadableKey>>,
        private readonly raw: Readonly<Record<string, string>>,
        private readonly providerKeys: Readonly<Record<string, readonly string[]>> = {},
    ) {}

    /** The full key, as users write it in stack files and in messages. */
    key(name: string): string {
        return `${this.namespace}:${name}`;
    }

    problem(name: string, message: string): void {
        this.failedKeys.add(name);
        this.problemList.push(`${this.key(name)}: ${message}`);
    }

    /**
     * A problem across keys, reported under `name`, unless one of the keys it rests on was
     * refused: its fallback value would make the message about a value nobody wrote.
     */
    crossKeyProblem(name: string, message: string, restsOn: readonly string[]): void {
        if (!this.failed(name, ...restsOn)) {
            this.problemList.push(`${this.key(name)}: ${message}`);
        }
    }

    /** Whether any of these keys was refused, so that checks built on them would mislead. */
    failed(...names: string[]): boolean {
        return names.some((name) => this.failedKeys.has(name));
    }

    /** Whether the stack gives the key a value that means something else than its default. */
    changed(name: string): boolean {
        return this.changedKeys.has(name);
    }

    get problems(): readonly string[] {
        return this.problemList;
    }

    /**
     * Something that deploys as asked but likely not as meant: the preview shows it, and
     * nothing stops. A key's value that is wrong or contradicts another is a problem instead.
     */
    warning(name: string, message: string): void {
        this.warningList.push(`${this.key(name)}: ${message}`);
    }

    get warnings(): readonly string[] {
        return this.warningList;
    }

    /**
     * Reads one key with `parse`: its value, or its default when unset or refused (the
     * problem is recorded). A value that parses to what the default parses to is unchanged.
     */
    private read<T>(name: string, kinds: readonly ReadableKey["kind"][], parse: (text: string) => Parsed<T>): T {
        const declaration = this.keys[name];
        if (declaration === undefined || !kinds.includes(declaration.kind)) {
            // A programming error, not a user's: the reader and the declarations disagree.
            throw new Error(`${this.key(name)} is not declared as ${kinds.join(" or ")}`);
        }
        const fallback = parse(wireForm(declaration.default));
        if (!("value" in fallback)) {
            throw new Error(`${this.key(name)}'s declared default is refused: ${fallback.problems.join("; ")}`);
        }
        const text = this.raw[this.key(name)];
        if (text === undefined) {
            return fallback.value;
        }
        const parsed = parse(text);
        if (!("value" in parsed)) {
            parsed.problems.forEach((problem) => this.problem(name, problem));
            return fallback.value;
        }
        if (JSON.stringify(parsed.value) !== JSON.stringify(fallback.value)) {
            this.changedKeys.add(name);
        }
        return parsed.value;
    }

    /** A string, checked by its declaration. */
    string(name: string): string {
        const check = this.keys[name]?.check;
        return this.read(name, ["string", "quantity"], (text): Parsed<string> => {
            if (/^\s*[[{]/.test(text)) {
                return { problems: [`${text} is a list or map, but a string is expected`] };
            }
            const complaint = check?.(text);
            return complaint === undefined ? { value: text } : { problems: [complaint] };
        });
    }

    oneOf<T extends string>(name: string, allowed: readonly T[]): T {
        return this.read(
            name,
            ["string"],
            (text): Parsed<T> =>
                (allowed as readonly string[]).includes(text)
                    ? { value: text as T }
                    : { problems: [`${show(text)} is not one of ${allowed.join(", ")} (case-sensitive)`] },
        );
    }

    boolean(name: string): boolean {
        return this.read(
            name,
            ["boolean"],
            (text): Parsed<boolean> =>
                text === "true" || text === "false"
                    ? { value: text === "true" }
                    : { problems: [`${show(text)} is not a boolean; use true or false`] },
        );
    }

    /**
     * A number written in decimal digits (`integer`: no fraction), in its declared range.
     * `Number()` would also take `0x10`, `1e1` and ` 5 `, which the CLI's `integer` refuses
     * and nobody means.
     */
    number(name: string): number {
        const declaration = this.keys[name];
        const integer = declaration?.kind === "integer";
        const { min, max, unit } = declaration?.range ?? { min: -Infinity, max: Infinity, unit: "" };
        const form = integer
            ? "a whole number; write digits only"
            : "a decimal number; write digits with an optional fraction, e.g. 0.5";
        return this.read(name, ["decimal", "integer"], (text): Parsed<number> => {
            if (!(integer ? INTEGER : DECIMAL).test(text)) {
                return { problems: [`${show(text)} is not ${form}, from ${min} to ${max}${unit}`] };
            }
            const value = Number(text);
            return value < min || value > max
                ? { problems: [`${text} is out of range; use a number from ${min} to ${max}${unit}`] }
                : { value };
        });
    }

    /**
     * A list of distinct strings, each checked by its declaration. Stack files hold it as a
     * YAML list, which the CLI hands over as a JSON array.
     */
    list(name: string): readonly string[] {
        const declaration = this.keys[name];
        const example = Array.isArray(declaration?.default) ? declaration.default.join(", ") : "";
        return this.read(name, ["list"], (text): Parsed<readonly string[]> => {
            const parsed = parseJson(text);
            if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
                return {
                    problems: [`${show(parsed)} is not a list of strings; write it as a YAML list, e.g. [${example}]`],
                };
            }
            const items = parsed as string[];
            const complaints = items.flatMap((item, index) => {
                const complaint = declaration?.check?.(item);
                if (complaint !== undefined) {
                    return [`item ${index} ${show(item)} ${complaint}`];
                }
                return items.indexOf(item) !== index
                    ? [`item ${index} ${show(item)} is a duplicate; list each value once`]
                    : [];
            });
            return complaints.length === 0 ? { value: items } : { problems: complaints };
        });
    }

    /**
     * A map of string keys to values, held as YAML in the stack file and handed over as
     * JSON; each entry's shape is checked by the caller.
     */
    map(name: string): Readonly<Record<string, unknown>> {
        return this.read(name, ["map"], (text): Parsed<Readonly<Record<string, unknown>>> => {
            const parsed = parseJson(text);
            return typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
                ? { problems: [`${show(parsed)} is not a map; write it as a YAML map`] }
                : { value: parsed as Record<string, unknown> };
        });
    }

    /**
     * Every key nobody reads, in our namespace (almost always a typo) and in the namespaces
     * of the providers this program configures (a misspelt `kubernetes:kubeconfig` would
     * silently deploy to the default cluster). Other namespaces are not ours: an ESC
     * environment or an organisation's defaults may put `aws:region` in every stack.
     */
    reportUnknownKeys(): void {
        const checked: Record<string, readonly string[]> = {
            ...this.providerKeys,
            [this.namespace]: Object.keys(this.keys),
        };
        for (const full of Object.keys(this.raw).sort()) {
            const namespace = full.includes(":") ? full.slice(0, full.indexOf(":")) : "";
            const name = full.slice(namespace.length + 1);
            const known = checked[namespace];
            if (known === undefined || known.includes(name)) {
                continue;
            }
            const nearest = closest(name, known);
            const hint = nearest === undefined ? "" : ` Did you mean ${namespace}:${nearest}?`;
            const whose = namespace === this.namespace ? "unknown key" : `not a setting of the ${namespace} provider`;
            this.problemList.push(
                `${full}: ${whose}, so its value would be ignored.${hint} Known keys: ${[...known]
                    .sort()
                    .map((k) => `${namespace}:${k}`)
                    .join(", ")}`,
            );
        }
    }
}

/** JSON if the text is JSON, else the text itself (a YAML scalar where a list was meant). */
function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** The known name within edit distance 2 of `name`, if there is one. */
export function closest(name: string, known: readonly string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const key of known) {
        const distance = editDistance(name.toLowerCase(), key.toLowerCase());
        if (distance <= 2 && (best === undefined || distance < best.distance)) {
            best = { key, distance };
        }
    }
    return best?.key;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}
