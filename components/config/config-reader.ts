import * as pulumi from "@pulumi/pulumi";
import { closest, show } from "../args/text";

/**
 * Reads of raw stack configuration into plain values, by each key's declared kind: every
 * value arrives from the CLI as a string (lists and maps as JSON). A value of the wrong form
 * is recorded as a problem of its key, and the reading goes on, so that one run reports every
 * problem at once. What a value means (a valid namespace, a supported version, a number in
 * range) is the mesh's own checks' to say (components/args/), for the program and for any
 * other consumer of the component alike.
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

/** A key's declaration, as far as the reader needs it (components/config/keys.ts declares them). */
export interface ReadableKey {
    /** `text` is a string taken whole, whatever it looks like (a Docker config is JSON). */
    readonly kind: "string" | "text" | "quantity" | "boolean" | "decimal" | "integer" | "list" | "map";
    /** The value when the stack does not set it, as `Pulumi.yaml` declares it. */
    readonly default: string | boolean | number | readonly string[] | Readonly<Record<string, never>>;
    /** For a number: its range and unit, which a message about its written form shows. */
    readonly range?: { readonly min: number; readonly max: number; readonly unit: string };
}

/** A config value as the CLI hands it over: strings as they are, the rest as JSON. */
export function wireForm(value: ReadableKey["default"]): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const INTEGER = /^[0-9]+$/;

/** A parse of one value: what it is, or what is wrong with its form. */
type Parsed = { value: unknown } | { problem: string };

/** JSON if the text is JSON, else the text itself (a YAML scalar where a list was meant). */
function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** One value of a key of `kind`, parsed from its wire form. */
export function parseWireValue(declaration: ReadableKey, text: string): Parsed {
    switch (declaration.kind) {
        case "text":
            return { value: text };
        case "string":
        case "quantity":
            return /^\s*[[{]/.test(text)
                ? { problem: `${text} is a list or map, but a string is expected` }
                : { value: text };
        case "boolean":
            return text === "true" || text === "false"
                ? { value: text === "true" }
                : { problem: `${show(text)} is not a boolean; use true or false` };
        case "decimal":
        case "integer": {
            // `Number()` would also take `0x10`, `1e1` and ` 5 `, which the CLI's `integer` refuses and nobody means.
            const integer = declaration.kind === "integer";
            const { min, max, unit } = declaration.range ?? { min: -Infinity, max: Infinity, unit: "" };
            const form = integer
                ? "a whole number; write digits only"
                : "a decimal number; write digits with an optional fraction, e.g. 0.5";
            return (integer ? INTEGER : DECIMAL).test(text)
                ? { value: Number(text) }
                : { problem: `${show(text)} is not ${form}, from ${min} to ${max}${unit}` };
        }
        case "list": {
            const parsed = parseJson(text);
            const example = Array.isArray(declaration.default) ? declaration.default.join(", ") : "";
            return Array.isArray(parsed) && parsed.every((item) => typeof item === "string")
                ? { value: parsed }
                : { problem: `${show(parsed)} is not a list of strings; write it as a YAML list, e.g. [${example}]` };
        }
        case "map": {
            const parsed = parseJson(text);
            return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
                ? { value: parsed }
                : { problem: `${show(parsed)} is not a map; write it as a YAML map` };
        }
    }
}

/**
 * Every key nobody reads, in `namespace` (almost always a typo) and in the namespaces of the
 * providers the program configures (a misspelt `kubernetes:kubeconfig` would silently deploy
 * to the default cluster). Other namespaces are not ours: an ESC environment or an
 * organisation's defaults may put `aws:region` in every stack.
 */
export function unknownKeys(
    raw: Readonly<Record<string, string>>,
    namespace: string,
    keys: readonly string[],
    providerKeys: Readonly<Record<string, readonly string[]>>,
): string[] {
    const checked: Record<string, readonly string[]> = { ...providerKeys, [namespace]: keys };
    return Object.keys(raw)
        .sort()
        .flatMap((full) => {
            const prefix = full.includes(":") ? full.slice(0, full.indexOf(":")) : "";
            const name = full.slice(prefix.length + 1);
            const known = checked[prefix];
            if (known === undefined || known.includes(name)) {
                return [];
            }
            const nearest = closest(name, known);
            const hint = nearest === undefined ? "" : ` Did you mean ${prefix}:${nearest}?`;
            const whose = prefix === namespace ? "unknown key" : `not a setting of the ${prefix} provider`;
            const list = [...known]
                .sort()
                .map((k) => `${prefix}:${k}`)
                .join(", ");
            return [`${full}: ${whose}, so its value would be ignored.${hint} Known keys: ${list}`];
        });
}
