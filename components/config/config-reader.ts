import * as pulumi from "@pulumi/pulumi";

/**
 * Typed reads of raw stack configuration that never stop at the first problem: each read
 * records what is wrong with its key and returns the default, so that one run reports
 * every problem at once.
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

export class ConfigReader {
    private readonly problemList: string[] = [];
    private readonly readKeys = new Set<string>();
    private readonly failedKeys = new Set<string>();

    /**
     * @param namespace the config namespace, e.g. `istio-mesh`
     * @param raw every config value as the CLI hands it to the program: full keys, string values
     * @param otherNamespaces namespaces the program's providers and the engine read, each with
     *   the keys they know, or "any" where the set is open (the engine's `pulumi:` options)
     */
    constructor(
        private readonly namespace: string,
        private readonly raw: Readonly<Record<string, string>>,
        private readonly otherNamespaces: Readonly<Record<string, readonly string[] | "any">> = {},
    ) {}

    /** The full key, as users write it in stack files and in messages. */
    key(name: string): string {
        return `${this.namespace}:${name}`;
    }

    problem(name: string, message: string): void {
        this.failedKeys.add(name);
        this.problemList.push(`${this.key(name)}: ${message}`);
    }

    /** Whether any of these keys has a problem, so that checks built on them would mislead. */
    failed(...names: string[]): boolean {
        return names.some((name) => this.failedKeys.has(name));
    }

    get problems(): readonly string[] {
        return this.problemList;
    }

    /** Raw text of a key, or undefined when unset. Marks the key as known. */
    private text(name: string): string | undefined {
        this.readKeys.add(name);
        return this.raw[this.key(name)];
    }

    string(name: string, fallback: string, accept: (value: string) => string | undefined): string {
        const value = this.text(name);
        if (value === undefined) {
            return fallback;
        }
        if (/^\s*[[{]/.test(value)) {
            this.problem(name, `${value} is a list or map, but a string is expected`);
            return fallback;
        }
        const complaint = accept(value);
        if (complaint !== undefined) {
            this.problem(name, complaint);
            return fallback;
        }
        return value;
    }

    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
        const value = this.string(name, fallback, (v) =>
            (allowed as readonly string[]).includes(v)
                ? undefined
                : `${show(v)} is not one of ${allowed.join(", ")} (case-sensitive)`,
        );
        return value as T;
    }

    boolean(name: string, fallback: boolean): boolean {
        const value = this.text(name);
        if (value === undefined) {
            return fallback;
        }
        if (value !== "true" && value !== "false") {
            this.problem(name, `${show(value)} is not a boolean; use true or false`);
            return fallback;
        }
        return value === "true";
    }

    number(name: string, fallback: number, min: number, max: number, unit = ""): number {
        const value = this.text(name);
        if (value === undefined) {
            return fallback;
        }
        const parsed = value.trim() === "" ? NaN : Number(value);
        if (!Number.isFinite(parsed)) {
            this.problem(name, `${show(value)} is not a number; use a number from ${min} to ${max}${unit}`);
            return fallback;
        }
        if (parsed < min || parsed > max) {
            this.problem(name, `${value} is out of range; use a number from ${min} to ${max}${unit}`);
            return fallback;
        }
        return parsed;
    }

    /**
     * A list of distinct strings, each checked by `accept`. Stack files hold it as a YAML
     * list, which the CLI hands over as a JSON array.
     */
    stringList(
        name: string,
        fallback: readonly string[],
        accept: (item: string) => string | undefined,
    ): readonly string[] {
        const value = this.text(name);
        if (value === undefined) {
            return fallback;
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = value;
        }
        if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
            this.problem(
                name,
                `${show(parsed)} is not a list of strings; write it as a YAML list, e.g. [${fallback.join(", ")}]`,
            );
            return fallback;
        }
        const items = parsed as string[];
        let ok = true;
        items.forEach((item, index) => {
            const complaint = accept(item);
            if (complaint !== undefined) {
                this.problem(name, `item ${index} ${show(item)} ${complaint}`);
                ok = false;
            } else if (items.indexOf(item) !== index) {
                this.problem(name, `item ${index} ${show(item)} is a duplicate; list each value once`);
                ok = false;
            }
        });
        return ok ? items : fallback;
    }

    /**
     * A map of string keys to objects, held as YAML in the stack file and handed over as
     * JSON; each entry's shape is checked by the caller.
     */
    objectMap(name: string): Readonly<Record<string, unknown>> {
        const value = this.text(name);
        if (value === undefined) {
            return {};
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = value;
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
            this.problem(name, `${show(parsed)} is not a map; write it as a YAML map`);
            return {};
        }
        return parsed as Record<string, unknown>;
    }

    /**
     * Every key no one reads: in our namespace, almost always a typo; in a provider's, a
     * setting it does not have (a misspelt `kubernetes:kubeconfig` would silently deploy to
     * the default cluster); in any other, usually copied from another project's stack.
     */
    reportUnknownKeys(): void {
        for (const full of Object.keys(this.raw).sort()) {
            const namespace = full.includes(":") ? full.slice(0, full.indexOf(":")) : "";
            const name = namespace === "" ? full : full.slice(namespace.length + 1);
            const known = namespace === this.namespace ? [...this.readKeys].sort() : this.otherNamespaces[namespace];
            if (known === undefined) {
                const readable = [this.namespace, ...Object.keys(this.otherNamespaces)].map((n) => `${n}:`).join(", ");
                const mine = this.readKeys.has(name)
                    ? ` If it is meant for this project, write ${this.key(name)}.`
                    : "";
                const owner =
                    namespace === "" ? "has no namespace" : `belongs to ${show(namespace)}, not to this project`;
                this.problemList.push(
                    `${full}: ${owner}, so nothing reads it.${mine} This program reads ${readable} keys only`,
                );
            } else if (known !== "any" && !known.includes(name)) {
                const nearest = closest(name, known);
                const hint = nearest === undefined ? "" : ` Did you mean ${namespace}:${nearest}?`;
                const whose =
                    namespace === this.namespace ? "unknown key" : `not a setting of the ${namespace} provider`;
                this.problemList.push(
                    `${full}: ${whose}, so its value would be ignored.${hint} Known keys: ${known.map((k) => `${namespace}:${k}`).join(", ")}`,
                );
            }
        }
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
