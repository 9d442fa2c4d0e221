import type * as pulumi from "@pulumi/pulumi";
import type { IstioMeshArgs } from "./istio-mesh-args";

/**
 * The arguments of `IstioMultiClusterMesh`: its clusters, what their meshes share, and the
 * root of trust they share. Apart from the membership each cluster's mesh gets
 * (multi-cluster-args.ts), which `IstioMeshArgs` names.
 */

/** One cluster of a mesh of several. */
export interface MeshClusterArgs {
    /**
     * The cluster's name in the mesh, unique: its istiod's `clusterName`, and the name its
     * remote secrets have in the other clusters.
     * @default none
     */
    name: string;
    /**
     * The kubeconfig context Pulumi reaches the cluster with.
     * @default the kubeconfig's current context
     */
    context?: string;
    /**
     * The kubeconfig, contents or path, Pulumi reaches the cluster with; a secret.
     * @default the ambient kubeconfig
     */
    kubeconfig?: pulumi.Input<string>;
    /**
     * The URL the other clusters' istiods reach this cluster's API server at (its load
     * balancer or endpoint on their network, not a 127.0.0.1 a laptop sees).
     * @default none
     */
    apiServer: string;
    /**
     * The cluster's network; every cluster names one, or none does (one network).
     * @default the mesh's one network, `network1`
     */
    network?: string;
    /**
     * Settings of this cluster's mesh over `mesh`'s: its memory, nodes, platform, addons.
     * @default as `mesh`
     */
    mesh?: IstioMeshArgs;
    /**
     * The cluster is leaving the mesh: its remote secrets go from the other clusters and
     * theirs from it, so no istiod sends traffic across any more; its own mesh stays. Remove
     * it from `clusters` in a later step, which deletes its mesh.
     * @default false
     */
    leaving?: boolean;
}

/** A root CA the consumer brings: the mesh's intermediates are signed by it. */
export interface RootCaArgs {
    /**
     * The root certificate, PEM.
     * @default none
     */
    certPem: pulumi.Input<string>;
    /**
     * Its private key, PEM, a secret.
     * @default none
     */
    keyPem: pulumi.Input<string>;
}

/** The arguments of `IstioMultiClusterMesh`. */
export interface IstioMultiClusterMeshArgs {
    /**
     * The mesh's ID, the same in every cluster.
     * @default "mesh1"
     */
    meshId?: string;
    /**
     * The clusters, two or more.
     * @default none
     */
    clusters: MeshClusterArgs[];
    /**
     * Settings every cluster's mesh shares (each cluster's `mesh` wins over them).
     * @default the defaults of `IstioMesh`
     */
    mesh?: IstioMeshArgs;
    /**
     * The root CA the intermediates are signed with.
     * @default one generated (ECDSA P-256, ten years), kept in the stack's state as a secret
     */
    rootCa?: RootCaArgs;
    /**
     * How long each cluster's intermediate CA is valid, in days; it is renewed, with a
     * previewed plan, in the last tenth of that.
     * @default 365
     */
    intermediateValidityDays?: number;
}
