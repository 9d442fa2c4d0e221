import type * as pulumi from "@pulumi/pulumi";

/**
 * The arguments of one mesh across several clusters: each cluster's mesh joins the others
 * (multi-primary: an istiod in every cluster), with a shared root of trust, each cluster's
 * network, east-west gateways between networks and a remote secret in every cluster for
 * every other.
 */

/**
 * The CA a cluster's istiod signs workload certificates with, chained to the mesh's root:
 * the `cacerts` Secret in `istio-system`, which istiod reads when it starts.
 */
export interface CaCertsArgs {
    /**
     * The intermediate CA's certificate, PEM (`ca-cert.pem`).
     * @default none
     */
    caCert: pulumi.Input<string>;
    /**
     * The intermediate CA's private key, PEM (`ca-key.pem`), a secret.
     * @default none
     */
    caKey: pulumi.Input<string>;
    /**
     * The mesh's root certificate, PEM (`root-cert.pem`).
     * @default none
     */
    rootCert: pulumi.Input<string>;
    /**
     * The chain from the intermediate to the root, PEM (`cert-chain.pem`).
     * @default none
     */
    certChain: pulumi.Input<string>;
}

/** How one cluster's mesh joins a mesh of several clusters. */
export interface MeshMembershipArgs {
    /**
     * The mesh's ID, the same in every cluster (`global.meshID`).
     * @default none
     */
    meshId: string;
    /**
     * This cluster's name in the mesh (`global.multiCluster.clusterName`), unique in it.
     * @default none
     */
    clusterName: string;
    /**
     * This cluster's network (`global.network`, and `topology.istio.io/network` on
     * istio-system): pods of one network reach each other directly, other networks through
     * their east-west gateway.
     * @default none
     */
    network: string;
    /**
     * The intermediate CA of this cluster, chained to the mesh's root.
     * @default none
     */
    caCerts: CaCertsArgs;
    /**
     * An east-west gateway (`istio-eastwestgateway`, a LoadBalancer) through which the other
     * networks reach this cluster's services; needed when the mesh spans networks.
     * @default false
     */
    eastWestGateway?: boolean;
}
