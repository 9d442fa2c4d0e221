import * as pulumi from "@pulumi/pulumi";

/**
 * The mesh plans its objects (which istiods, which namespaces to read and label, how much
 * memory) from its arguments before any resource exists, so it reads them as plain values.
 * A TypeScript consumer's types allow an Output only where the mesh passes the value on
 * untouched; a consumer in another language reaches the component through `construct`, where
 * an argument that holds a secret or another resource's output arrives wrapped whole, as one
 * Output: each is refused here by its path, and the reading goes on without it.
 */

/**
 * Where an Output is taken as it is: the kubeconfig, which only the adopting provider reads,
 * and the registry credentials, which only their Secrets hold.
 */
const OUTPUTS_ALLOWED: readonly string[] = ["cluster.kubeconfig", "images.registryCredentials"];

/** Why an Output at `path` cannot be read, and what to give instead. */
function outputProblem(path: string): string {
    const instead =
        path === "cluster"
            ? "; a secret kubeconfig from another language arrives so: give cluster.context of the kubeconfig Pulumi runs with instead, or pass the mesh a provider and leave cluster.adoptExisting out"
            : "";
    return `${path}: is an Output (a secret, or a value another resource gives), which the mesh cannot read before it plans its objects; give a plain value${instead}`;
}

/** `args` with every Output it must not hold taken out, and a problem for each. */
export function plainArguments<T>(args: T): { readonly args: T; readonly problems: readonly string[] } {
    const problems: string[] = [];
    const strip = (value: unknown, path: string): unknown => {
        if (pulumi.Output.isInstance(value)) {
            if (OUTPUTS_ALLOWED.includes(path)) {
                return value;
            }
            problems.push(outputProblem(path === "" ? "(the arguments)" : path));
            return undefined;
        }
        if (Array.isArray(value)) {
            // A list with an Output in it is refused whole: its other items alone mean something else.
            const items = value.map((item, index) => strip(item, `${path}[${index}]`));
            return value.some((item) => pulumi.Output.isInstance(item)) ? undefined : items;
        }
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(
                Object.entries(value).map(([key, item]) => [key, strip(item, path === "" ? key : `${path}.${key}`)]),
            );
        }
        return value;
    };
    const plain = strip(args, "") as T;
    return { args: plain, problems };
}
