import { EAST_WEST_NAMESPACE, type MembershipSettings } from "../args/membership";

export { EAST_WEST_NAMESPACE };
import { HBONE_PORT } from "./ambient-values";

/**
 * Pure functions from a cluster's membership in a mesh of several to what each part of its
 * mesh gets: istiod's and ztunnel's identity in the mesh, the east-west gateway's values and
 * routes, the network label, and the remote secret another cluster's istiod reads it with.
 */

/** The label that puts a namespace, a gateway or a pod on a network. */
export const NETWORK_LABEL = "topology.istio.io/network";

/** The label by which istiod finds the remote secrets of other clusters. */
export const REMOTE_SECRET_LABEL = "istio/multiCluster";

/** The east-west gateway's Helm release, Service and pod label, as Istio's multicluster guides name them. */
export const EAST_WEST_GATEWAY = "istio-eastwestgateway";

/** The port the other networks reach this one's services on, mTLS passed through (`AUTO_PASSTHROUGH`). */
export const CROSS_NETWORK_PORT = 15443;

/** What istiod adds in a mesh of several: the mesh, the cluster and the network it speaks for. */
export function membershipIstiodValues(
    membership: MembershipSettings,
    ambient: boolean,
): { global: Record<string, unknown>; env?: Record<string, string> } {
    return {
        global: {
            meshID: membership.meshId,
            multiCluster: { clusterName: membership.clusterName },
            network: membership.network,
        },
        // Ambient's multi-network support (beta since 1.29) is off unless asked for.
        ...(ambient && { env: { AMBIENT_ENABLE_MULTI_NETWORK: "true" } }),
    };
}

/** What ztunnel adds in a mesh of several: the cluster and network its workloads are in. */
export function membershipZtunnelValues(membership: MembershipSettings): Record<string, unknown> {
    return { multiCluster: { clusterName: membership.clusterName }, network: membership.network };
}

/**
 * The east-west gateway's values (Istio's `gateway` chart as a network gateway): pods and
 * Service labelled with the network, the ports the chart gives a network gateway, and a
 * LoadBalancer the other networks reach.
 */
export function eastWestGatewayValues(membership: MembershipSettings): Record<string, unknown> {
    return {
        networkGateway: membership.network,
        // The chart labels the pods and the Service with the network itself (`networkGateway`).
        labels: { istio: "eastwestgateway", app: EAST_WEST_GATEWAY },
        service: { type: "LoadBalancer" },
    };
}

/**
 * The Istio Gateway that lets the other networks reach this cluster's services through the
 * east-west gateway: mTLS passed through to the workload by its SNI (`AUTO_PASSTHROUGH`), so
 * the gateway terminates nothing and admits only peers of the mesh's root.
 */
export function exposeServicesGateway(namespace: string): Record<string, unknown> {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: "cross-network-gateway", namespace },
        spec: {
            selector: { istio: "eastwestgateway" },
            servers: [
                {
                    port: { number: CROSS_NETWORK_PORT, name: "tls", protocol: "TLS" },
                    tls: { mode: "AUTO_PASSTHROUGH" },
                    hosts: ["*.local"],
                },
            ],
        },
    };
}

/** With ambient, the east-west gateway is a Gateway of class `istio-east-west` taking HBONE from other networks. */
export function ambientEastWestGateway(namespace: string, network: string): Record<string, unknown> {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: {
            name: EAST_WEST_GATEWAY,
            namespace,
            labels: { [NETWORK_LABEL]: network },
            annotations: { "pulumi.com/waitFor": "condition=Programmed" },
        },
        spec: {
            gatewayClassName: "istio-east-west",
            listeners: [
                {
                    name: "mesh",
                    port: HBONE_PORT,
                    protocol: "HBONE",
                    tls: { mode: "Terminate", options: { "gateway.istio.io/tls-terminate-mode": "ISTIO_MUTUAL" } },
                },
            ],
        },
    };
}

/** The kubeconfig another cluster's istiod reads this one with: its API server, its CA, the reader's token. */
export function remoteKubeconfig(cluster: string, server: string, caData: string, token: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${cluster}`,
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${caData}`,
        "contexts:",
        `- name: ${cluster}`,
        "  context:",
        `    cluster: ${cluster}`,
        `    user: ${cluster}`,
        `current-context: ${cluster}`,
        "users:",
        `- name: ${cluster}`,
        "  user:",
        `    token: ${token}`,
        "",
    ].join("\n");
}

/** The remote secret's metadata, as `istioctl create-remote-secret` writes it. */
export function remoteSecretMetadata(cluster: string, namespace: string): Record<string, unknown> {
    return {
        name: `istio-remote-secret-${cluster}`,
        namespace,
        labels: { [REMOTE_SECRET_LABEL]: "true" },
        annotations: { "networking.istio.io/cluster": cluster },
    };
}
