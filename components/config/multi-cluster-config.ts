import type { IstioMeshArgs } from "../args/istio-mesh-args";
import type { IstioMultiClusterMeshArgs, MeshClusterArgs } from "../args/multi-cluster-mesh-args";
import { closest, show } from "../args/text";
import { parseWireValue } from "./config-reader";
import { CONFIG_KEYS } from "./keys";

/**
 * A stack's `istio-mesh:clusters` and `istio-mesh:meshId` as the arguments of
 * `IstioMultiClusterMesh`: each entry of the map a cluster, named by its key, with the few
 * settings that differ per cluster placed where the component reads them. Translation only:
 * the component checks the values, naming the keys as this says.
 */

/** A cluster's fields in the stack file, and where each goes in its arguments. */
const FIELDS = ["context", "kubeconfig", "apiServer", "network", "memory", "nodes", "platform", "leaving"] as const;

const isMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/** One entry of the map as a cluster's arguments, or what is wrong with its form. */
function clusterOf(name: string, entry: unknown): MeshClusterArgs | string[] {
    if (!isMap(entry)) {
        return [`istio-mesh:clusters.${name}: ${show(entry)} is not a map; give { context, apiServer, network }`];
    }
    const unknown = Object.keys(entry).filter((field) => !(FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) {
        return unknown.map((field) => {
            const near = closest(field, FIELDS);
            return `istio-mesh:clusters.${name}.${field}: not a field of a cluster${near === undefined ? `; use ${FIELDS.join(", ")}` : `; did you mean ${near}?`}`;
        });
    }
    const { context, kubeconfig, apiServer, network, memory, nodes, platform, leaving } = entry;
    const mesh: IstioMeshArgs = {
        ...(memory !== undefined && { sizing: { memory: memory as string } }),
        ...((nodes !== undefined || platform !== undefined) && {
            cluster: {
                ...(nodes !== undefined && { nodes: nodes as number }),
                ...(platform !== undefined && { platform: platform as never }),
            },
        }),
    };
    return {
        name,
        apiServer: apiServer as string,
        ...(context !== undefined && { context: context as string }),
        ...(kubeconfig !== undefined && { kubeconfig: kubeconfig as string }),
        ...(network !== undefined && { network: network as string }),
        ...(leaving !== undefined && { leaving: leaving as boolean }),
        ...(Object.keys(mesh).length > 0 && { mesh }),
    };
}

/** The mesh of several clusters a stack's config asks for, if any, or what is wrong with its form. */
export function multiClusterConfig(raw: Readonly<Record<string, string>>): {
    readonly args?: Omit<IstioMultiClusterMeshArgs, "mesh">;
    readonly problems: readonly string[];
} {
    const text = raw["istio-mesh:clusters"];
    if (text === undefined) {
        return { problems: [] };
    }
    const parsed = parseWireValue(CONFIG_KEYS.clusters, text);
    if ("problem" in parsed) {
        return { problems: [`istio-mesh:clusters: ${parsed.problem}`] };
    }
    const entries = Object.entries(parsed.value as Record<string, unknown>);
    if (entries.length === 0) {
        return { problems: [] };
    }
    const clusters = entries.map(([name, entry]) => clusterOf(name, entry));
    const problems = clusters.filter((c): c is string[] => Array.isArray(c)).flat();
    if (problems.length > 0) {
        return { problems };
    }
    const meshId = raw["istio-mesh:meshId"] ?? "";
    return {
        args: {
            clusters: clusters as MeshClusterArgs[],
            ...(meshId !== "" && { meshId }),
        },
        problems: [],
    };
}
