import * as pulumi from "@pulumi/pulumi";
import { guardRecordProvider } from "./guard-record";

/**
 * What a mesh of several clusters was, kept in Pulumi's state by the mesh itself, as the
 * deployment record of each cluster's mesh is (deployment-record.ts): its provider's `check`
 * sees the clusters the last step applied, and refuses a step that drops one that was still
 * joined. Dropping a cluster deletes its whole mesh, istiod included, while the others'
 * istiods still send traffic to its workloads: it leaves first (`leaving`), which removes the
 * remote secrets both ways, and goes in a later step.
 */

export interface ClusterSetInputs {
    /** The clusters this step applies, and whether each is leaving. */
    readonly clusters: readonly { readonly name: string; readonly leaving: boolean }[];
    /** How refusals name the clusters' list. */
    readonly setting: string;
}

/** The provider: self-contained, since Pulumi serializes it with everything it reaches. */
export const clusterSetProvider: pulumi.dynamic.ResourceProvider = guardRecordProvider<ClusterSetInputs>({
    id: "cluster-set",
    refusals: (olds, news) => {
        const kept = new Set(news.clusters.map((cluster) => cluster.name));
        return (olds.clusters ?? [])
            .filter((cluster) => !cluster.leaving && !kept.has(cluster.name))
            .map((cluster) => ({
                property: news.setting,
                reason: `would drop ${JSON.stringify(cluster.name)}, which the last step left joined to the mesh: its istiod and workloads would go while the other clusters still route to them through its remote secrets; set leaving: true on it first (the remote secrets go both ways, its mesh stays), then remove it in the next step`,
            }));
    },
    recorded: (inputs) => inputs.clusters,
});

/** The type of the record in Pulumi's state, for the tests that model its provider. */
export const CLUSTER_SET_RECORD_TYPE = "pulumi-nodejs:dynamic/istio-mesh:ClusterSetRecord";

export class ClusterSetRecord extends pulumi.dynamic.Resource {
    constructor(name: string, inputs: ClusterSetInputs, opts?: pulumi.CustomResourceOptions) {
        super(clusterSetProvider, name, inputs, opts, "istio-mesh", "ClusterSetRecord");
    }
}
