import * as pulumi from "@pulumi/pulumi";
import type { IstioMeshArgs } from "./istio-mesh-args";
import type { IstioMultiClusterMeshArgs, MeshClusterArgs } from "./multi-cluster-mesh-args";
import { checkMeshName } from "./membership";
import { show } from "./text";

/**
 * The checks of a mesh of several clusters, before any child exists: what makes the clusters
 * one mesh (unique names, networks named everywhere or nowhere, API servers the others can
 * reach, a whole root CA), and what each cluster's mesh gets over the shared settings.
 */

/** The network of a mesh whose clusters name none: one flat network. */
export const DEFAULT_NETWORK = "network1";

/** What says which cluster a provider reaches: each cluster's own, never shared. */
const CONNECTION_FIELDS = ["context", "kubeconfig", "cluster"] as const;

/** The mesh's ID when none is given, as Istio's guides name it. */
export const DEFAULT_MESH_ID = "mesh1";

/** How long an intermediate CA lasts when nothing says, and the range allowed. */
export const INTERMEDIATE_VALIDITY = { default: 365, min: 30, max: 3650 } as const;

const isMap = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !pulumi.Output.isInstance(value);

/** A connection in a cluster's mesh settings, which would override the cluster's own. */
function sharedConnectionProblems(at: string, mesh: IstioMeshArgs | undefined, whose: string): string[] {
    const cluster: unknown = mesh?.cluster;
    return isMap(cluster)
        ? CONNECTION_FIELDS.filter((field) => cluster[field] !== undefined).map(
              (field) =>
                  `${at}.cluster.${field}: a mesh of several clusters reaches each through its own clusters[].context or clusters[].kubeconfig; set it there, not for ${whose}`,
          )
        : [];
}

/** Every problem with the mesh's own arguments, each naming its path; the clusters' meshes check their own. */
export function multiClusterProblems(args: IstioMultiClusterMeshArgs, path: (key: string) => string): string[] {
    const problems: string[] = [];
    const meshId = args.meshId ?? DEFAULT_MESH_ID;
    const idProblem = checkMeshName(meshId, "");
    if (idProblem !== undefined) {
        problems.push(`${path("meshId")}:${idProblem}`);
    }
    const clusters: readonly MeshClusterArgs[] = Array.isArray(args.clusters) ? args.clusters : [];
    if (clusters.length < 2) {
        problems.push(
            `${path("clusters")}: ${clusters.length} cluster${clusters.length === 1 ? "" : "s"}; a mesh of several needs two or more (one cluster is an IstioMesh)`,
        );
    }
    const names = clusters.map((cluster) => cluster?.name);
    clusters.forEach((cluster, i) => {
        const at = `${path("clusters")}[${i}]`;
        if (!isMap(cluster)) {
            problems.push(`${at}: ${show(cluster)} is not a cluster; give { name, apiServer, context or kubeconfig }`);
            return;
        }
        const nameProblem = checkMeshName(cluster.name, "name");
        if (nameProblem !== undefined) {
            problems.push(`${at}.${nameProblem}`);
        } else if (names.indexOf(cluster.name) !== i) {
            problems.push(
                `${at}.name ${show(cluster.name)} is also the name of clusters[${names.indexOf(cluster.name)}]; every cluster of the mesh has a name of its own, which its remote secrets in the others carry`,
            );
        }
        if (typeof cluster.apiServer !== "string" || !/^https:\/\/[^\s/]+(:[0-9]+)?\/?$/.test(cluster.apiServer)) {
            problems.push(
                `${at}.apiServer ${show(cluster.apiServer)} is not an https URL of an API server; give the address the other clusters reach it at, e.g. https://10.0.1.10:6443`,
            );
        } else if (/^https:\/\/(127\.|localhost\b|\[::1\])/i.test(cluster.apiServer)) {
            problems.push(
                `${at}.apiServer ${show(cluster.apiServer)} is this machine's loopback, which no other cluster reaches; give its address on their network (kind: the node container's, https://<kind-control-plane IP>:6443)`,
            );
        }
        const reachedLike = clusters.findIndex(
            (other) => isMap(other) && other.context === cluster.context && other.kubeconfig === cluster.kubeconfig,
        );
        if (cluster.context === undefined && cluster.kubeconfig === undefined) {
            problems.push(
                `${at} names neither context nor kubeconfig; give the one Pulumi reaches this cluster with, or every cluster's mesh would go to the current context`,
            );
        } else if (reachedLike !== i) {
            problems.push(
                `${at} is reached through the same ${cluster.context === undefined ? "kubeconfig" : `context ${show(cluster.context)}`} as clusters[${reachedLike}], so both meshes would go to one cluster; give each cluster its own context or kubeconfig`,
            );
        }
        const sameServer = clusters.findIndex((other) => isMap(other) && other.apiServer === cluster.apiServer);
        if (typeof cluster.apiServer === "string" && sameServer !== i) {
            problems.push(
                `${at}.apiServer ${show(cluster.apiServer)} is also the API server of clusters[${sameServer}]; each cluster's remote secrets in the others reach its own`,
            );
        }
        problems.push(...sharedConnectionProblems(`${at}.mesh`, cluster.mesh, "its mesh"));
        if (cluster.network !== undefined) {
            const networkProblem = checkMeshName(cluster.network, "network");
            if (networkProblem !== undefined) {
                problems.push(`${at}.${networkProblem}`);
            }
        }
    });
    problems.push(...sharedConnectionProblems(path("mesh"), args.mesh, "every cluster"));
    const withNetwork = clusters.filter((cluster) => isMap(cluster) && cluster.network !== undefined);
    if (withNetwork.length > 0 && withNetwork.length < clusters.length) {
        const without = clusters
            .map((cluster, i) => (isMap(cluster) && cluster.network === undefined ? `clusters[${i}]` : undefined))
            .filter((at) => at !== undefined);
        problems.push(
            `${path("clusters")}: ${without.join(", ")} name${without.length === 1 ? "s" : ""} no network while others do; in a mesh across networks every cluster names its own (clusters on one network name the same)`,
        );
    }
    const root = args.rootCa;
    const missing = (pem: unknown): boolean => pem === undefined || (typeof pem === "string" && pem.trim() === "");
    if (root !== undefined && (missing(root.certPem) || missing(root.keyPem))) {
        problems.push(
            `${path("rootCa")}: ${missing(root.certPem) ? "no certPem" : "certPem without keyPem"}; the intermediates are signed with the root's key and chained to its certificate, so give both, or neither for a generated root`,
        );
    }
    const days = args.intermediateValidityDays ?? INTERMEDIATE_VALIDITY.default;
    if (!Number.isInteger(days) || days < INTERMEDIATE_VALIDITY.min || days > INTERMEDIATE_VALIDITY.max) {
        problems.push(
            `${path("intermediateValidityDays")}: ${show(days)} is out of range; use whole days from ${INTERMEDIATE_VALIDITY.min} to ${INTERMEDIATE_VALIDITY.max}`,
        );
    }
    return problems;
}

/** The networks of the clusters: theirs, or one for all. */
export function clusterNetwork(cluster: MeshClusterArgs): string {
    return cluster.network ?? DEFAULT_NETWORK;
}

/** Whether the mesh spans networks: then every cluster runs an east-west gateway. */
export function spansNetworks(clusters: readonly MeshClusterArgs[]): boolean {
    return new Set(clusters.map(clusterNetwork)).size > 1;
}

const merge = (base: unknown, over: unknown): unknown => {
    if (!isMap(base) || !isMap(over)) {
        return over === undefined ? base : over;
    }
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
        merged[key] = merge(base[key], value);
    }
    return merged;
};

/**
 * A cluster's mesh's arguments without its membership: the shared ones, its own over them,
 * and the connection it adopts kept objects with (the one its provider is made from).
 */
export function clusterMeshArgs(shared: IstioMeshArgs | undefined, cluster: MeshClusterArgs): IstioMeshArgs {
    const own = merge(shared ?? {}, cluster.mesh ?? {}) as IstioMeshArgs;
    const connected = cluster.context !== undefined || cluster.kubeconfig !== undefined;
    return {
        ...own,
        cluster: {
            // Adopted on the cluster the provider reaches, never through the ambient kubeconfig.
            adoptExisting: connected,
            ...own.cluster,
            // The cluster's own connection wins: a shared one would send every cluster's
            // adopted objects (istio-system, cacerts) to one cluster.
            ...(cluster.context !== undefined && { context: cluster.context }),
            ...(cluster.kubeconfig !== undefined && { kubeconfig: cluster.kubeconfig }),
        },
    };
}
