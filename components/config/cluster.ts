/**
 * Which cluster a stack deploys to. A committed stack names its own, through the kubernetes
 * provider's `kubernetes:context` (or `kubernetes:kubeconfig`), so that `STACK=prod npm run up`
 * never deploys prod's configuration to whatever a laptop's kubectl points at. A personal
 * stack (the quick start's `local`, or `local-<anything>`), git-ignored and never previewed or
 * deployed by CI, may leave it out: it deploys to the current context. docs/getting-started.md
 * says why the rule is the stack's name.
 */

/** The stack `npm run up` and `npm run preview` deploy when STACK is not set. */
export const PERSONAL_STACK = "local";

/** Whether `stack` is a personal one: `local`, or `local-` and a name of your own. */
export function isPersonalStack(stack: string): boolean {
    return stack === PERSONAL_STACK || stack.startsWith(`${PERSONAL_STACK}-`);
}

/** The settings that name a cluster, in the order a message offers them. */
export const CLUSTER_KEYS = ["kubernetes:context", "kubernetes:kubeconfig"] as const;

/**
 * Why `stack` may not deploy with `raw` (full keys, wire-form values): a stack other than a
 * personal one that names no cluster. One message, naming the key and the fixes; [] when fine.
 */
export function clusterProblems(stack: string, raw: Readonly<Record<string, string>>): string[] {
    if (isPersonalStack(stack) || CLUSTER_KEYS.some((key) => (raw[key] ?? "").trim() !== "")) {
        return [];
    }
    return [
        `kubernetes:context: stack ${stack} names no cluster, so it would deploy to whatever your current kubectl context is; ` +
            `name its cluster's context with \`npm run pulumi -- config set kubernetes:context <context> --stack ${stack}\` ` +
            `(or set kubernetes:kubeconfig), or try the mesh on your own cluster in a personal stack: \`npm run up\` deploys the stack ${PERSONAL_STACK} to the current context`,
    ];
}
