// The mesh itself: istiod's revisions, how workloads join (sidecars, ambient) and the gateways.

import type { GatewayApiCrdSource, IngressServiceType, TrafficPolicy } from "./choices";

/** The Istio control planes: each istiod runs as a revision named from its version. */
export interface ControlPlaneArgs {
    /**
     * The stable Istio release, installed as revision `1-31-4` for `1.31.4` with the `default`
     * tag pointing to it. Pin it: a new default of this package never upgrades a mesh in place.
     * @default "1.31.4"
     */
    version?: string;
    /**
     * A newer release, at most one minor ahead, to run beside `version` as a second istiod
     * tagged `canary`.
     * @default none
     */
    canaryVersion?: string;
    /**
     * After a promotion, the release `version` replaced: its istiod keeps running, untagged,
     * for proxies not restarted yet, until it is removed.
     * @default none
     */
    previousVersion?: string;
    /**
     * For a mesh deployed before revisions, the release of its istiod (Helm release
     * `istiod`), kept without injecting until removed.
     * @default none
     */
    unrevisionedVersion?: string;
}

/** The namespaces whose pods get an Envoy sidecar. */
export interface SidecarsArgs {
    /**
     * Existing namespaces whose new pods get a sidecar (`istio-injection=enabled`); a missing
     * one stops the preview.
     * @default ["default"]
     */
    namespaces?: string[];
    /**
     * Sidecar namespaces moved to the canary (`istio.io/rev=canary`); each must be in
     * `namespaces`, and needs `controlPlane.canaryVersion`.
     * @default []
     */
    canaryNamespaces?: string[];
}

/** Istio's ambient data plane: ztunnel on every node, waypoints for L7. */
export interface AmbientArgs {
    /**
     * Install the ambient data plane beside the sidecars: istiod's ambient profile, the CNI
     * agent and ztunnel in `istio-ambient`, and the Gateway API CRDs for waypoints.
     * @default false
     */
    enabled?: boolean;
    /**
     * Existing namespaces whose pods join the mesh through ztunnel, without sidecars
     * (`istio.io/dataplane-mode=ambient`); none may be a sidecar namespace.
     * @default []
     */
    namespaces?: string[];
    /**
     * Ambient namespaces that get a waypoint (a Gateway named `waypoint`) for L7 policy and
     * telemetry, which ambient pods and the ingress gateway go through; sidecars never do.
     * @default []
     */
    waypointNamespaces?: string[];
    /**
     * Namespaces whose ambient label is dropped: one moved back to sidecars once its pods
     * have all restarted with a sidecar (a step after its move back), or one taken out of
     * the mesh. Until then the label stays, whatever `up` runs.
     * @default []
     */
    releasedNamespaces?: string[];
    /**
     * `install`: the pinned Gateway API CRDs (standard channel v1.6.1), kept on destroy;
     * `cluster`: the cluster manages them.
     * @default "install"
     */
    gatewayApiCrds?: GatewayApiCrdSource;
}

/** The ingress gateway (`istio-ingressgateway`). */
export interface IngressGatewayArgs {
    /**
     * Install it. Off for a cluster whose traffic enters through an ingress of its own; the
     * dashboards are then reached by port-forward only.
     * @default true
     */
    enabled?: boolean;
    /**
     * Its namespace, created and kept by destroy; also where the dashboard routes and their
     * TLS Secret live. Not `istio-system`, but to keep a mesh deployed with its gateways there
     * (one whose `upgrade.lastDeployment` has control planes; never in a mesh of several).
     * @default "istio-ingress"
     */
    namespace?: string;
    /**
     * The Service type.
     * @default "LoadBalancer"
     */
    serviceType?: IngressServiceType;
    /**
     * Wait during `pulumi up` (10 minutes at most) for the LoadBalancer's address, and show it
     * in the outputs; only where the cluster gives addresses.
     * @default false
     */
    awaitAddress?: boolean;
    /**
     * `Local` keeps each client's address up to the gateway, which the dashboard allow-list
     * needs; `Cluster` lets kube-proxy replace it.
     * @default "Local"
     */
    externalTrafficPolicy?: TrafficPolicy;
    /**
     * Annotations of its Service, for the cloud's load balancer controller: e.g. an AWS
     * Network Load Balancer (`service.beta.kubernetes.io/aws-load-balancer-type: external`),
     * which keeps client addresses where a Classic ELB replaces them.
     * @default none
     */
    serviceAnnotations?: Record<string, string>;
    /**
     * Client ranges the cloud's load balancer admits (`loadBalancerSourceRanges`), IPv4 or
     * IPv6 CIDRs; with a LoadBalancer only.
     * @default every address
     */
    loadBalancerSourceRanges?: string[];
    /**
     * The load balancer implementation that serves the Service (`loadBalancerClass`), e.g.
     * `service.k8s.aws/nlb`; with a LoadBalancer only.
     * @default the cluster's default
     */
    loadBalancerClass?: string;
}

/** The egress gateway (`istio-egressgateway`, ClusterIP). */
export interface EgressGatewayArgs {
    /**
     * Install it.
     * @default true
     */
    enabled?: boolean;
    /**
     * Its namespace, created and kept by destroy.
     * @default "istio-egress"
     */
    namespace?: string;
}

/** The mesh's gateways, each in a namespace of its own. */
export interface GatewaysArgs {
    /**
     * The ingress gateway.
     * @default a LoadBalancer in `istio-ingress` that keeps client addresses
     */
    ingress?: IngressGatewayArgs;
    /**
     * The egress gateway.
     * @default installed, in `istio-egress`
     */
    egress?: EgressGatewayArgs;
}
