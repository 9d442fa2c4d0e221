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

/** The provider settings that name a cluster: in a mesh of several, each cluster names its own. */
const CONNECTION_KEYS = [...CLUSTER_KEYS, "kubernetes:cluster"] as const;

/**
 * Why a stack may not change between one cluster and several (`istio-mesh:clusters`) in one
 * step, or name one cluster for all of several. Every resource of the one mesh would move
 * under a mesh of several (new URNs: created again, over the objects still there, then the
 * old deleted with what was just adopted), and istiod would get the shared root's `cacerts`
 * under running workloads; a mesh of several dropped would delete every cluster's mesh. So
 * the change is a new stack (docs/multi-cluster.md, from one cluster to several).
 */
export function topologyProblems(
    raw: Readonly<Record<string, string>>,
    several: boolean,
    last: { readonly controlPlanes?: Readonly<Record<string, unknown>> } | undefined,
    lastClusters: readonly string[] | undefined,
): string[] {
    const problems: string[] = [];
    if (several) {
        for (const key of CONNECTION_KEYS.filter((k) => (raw[k] ?? "").trim() !== "")) {
            problems.push(
                `${key}: with istio-mesh:clusters each cluster names its own (istio-mesh:clusters.<name>.context or .kubeconfig), and one for all would send every cluster's objects to one cluster; remove ${key} from the stack`,
            );
        }
        const istiods = Object.keys(last?.controlPlanes ?? {});
        if (istiods.length > 0) {
            problems.push(
                `istio-mesh:clusters: the stack's last deployment is a mesh on one cluster (${istiods.join(", ")}); it does not become a mesh of several in place, since every resource would be replaced under running workloads; deploy the mesh of several from a new stack, then destroy this one (docs/multi-cluster.md, from one cluster to several)`,
            );
        }
    } else if (lastClusters !== undefined && lastClusters.length > 0) {
        problems.push(
            `istio-mesh:clusters: the stack's last deployment is a mesh across ${lastClusters.join(", ")}; without this key it would delete every cluster's mesh and make one on a single cluster; put the key back, or take clusters out of the mesh with leaving: true first (docs/multi-cluster.md, day 2)`,
        );
    }
    return problems;
}
