// The preflight's namespace check (preflight.ts): the namespaces a stack labels but the
// program never creates, against those the cluster has.
import { MESH_DEFAULTS } from "../../components/args/defaults";

/** A namespace as the API lists it. */
export interface NamespaceView {
    readonly metadata?: { name?: string };
}

/** The keys whose namespaces the program labels (sidecar, canary, ambient, waypoint) but never creates. */
export const LABELLED_NAMESPACE_KEYS = [
    "injectionNamespaces",
    "canaryNamespaces",
    "ambientNamespaces",
    "waypointNamespaces",
] as const;

/** The namespaces a key lists, its default when the stack does not set it; none when it is no list of names (the program names that). */
function listedNamespaces(
    config: Readonly<Record<string, string>>,
    key: (typeof LABELLED_NAMESPACE_KEYS)[number],
): string[] {
    const raw = config[`istio-mesh:${key}`];
    if (raw === undefined) return [...MESH_DEFAULTS[key]];
    try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === "string") : [];
    } catch {
        return [];
    }
}

/**
 * A line per namespace a key lists that the cluster does not have: the program reads each one
 * to label it and never creates it (a misspelt name must not become an empty namespace), so
 * without this the deployment would fail at the provider's read, naming neither key nor fix.
 */
export function missingNamespaceProblems(
    stack: string,
    context: string,
    config: Readonly<Record<string, string>>,
    namespaces: readonly NamespaceView[],
): string[] {
    const existing = new Set(namespaces.map((namespace) => namespace.metadata?.name));
    return LABELLED_NAMESPACE_KEYS.flatMap((key) =>
        listedNamespaces(config, key)
            .filter((name) => !existing.has(name))
            .map(
                (name) =>
                    `istio-mesh:${key}: the namespace ${name} does not exist in the context ${context}, and the mesh labels it but never creates it; ` +
                    `create it (\`kubectl --context ${context} create namespace ${name}\`), or take it out of istio-mesh:${key} in Pulumi.${stack}.yaml`,
            ),
    );
}
