import type { MtlsMode } from "./choices";
import type { ClusterArgs, UpgradeArgs } from "./cluster-args";
import type { AmbientArgs, ControlPlaneArgs, GatewaysArgs, SidecarsArgs } from "./mesh-args";
import type { MeshMembershipArgs } from "./multi-cluster-args";
import type { SizingArgs } from "./sizing-args";
import type { DashboardsArgs, TelemetryArgs } from "./telemetry-args";
import type { ImagesArgs, SchedulingArgs } from "./workload-args";

/**
 * The contract of `IstioMesh`: what a consumer may ask of the mesh, nested by domain. Every
 * field is optional and documented with its default; `new IstioMesh("mesh", {})` is the
 * course's environment. The types stay within what Pulumi's schema analyzer infers (named
 * interfaces, mutable arrays, `as const` enums), so that `pulumi package add` gives every
 * language the same contract. Values are checked in the constructor, before any child
 * exists, all problems in one error naming each argument path.
 */

/** Mutual TLS and network isolation. */
export interface SecurityArgs {
    /**
     * Mesh-wide mutual TLS.
     * @default "STRICT"
     */
    mtlsMode?: MtlsMode;
    /**
     * NetworkPolicies that deny all ingress into the mesh's namespaces but what each part
     * needs; they hold only where the cluster's CNI enforces them.
     * @default false
     */
    networkPolicies?: boolean;
}

/**
 * Helm values per chart, merged last over the values the mesh computes (maps key by key,
 * lists and single values replaced), for what no typed argument covers. Every key is checked
 * against the keys the pinned chart reads (its values.yaml and templates), a typo refused with
 * the key it probably meant; a value a typed argument sets, or one the mesh keeps for what it
 * promises, is refused naming the argument to use.
 */
export interface ChartValuesArgs {
    /**
     * Values of Istio's `base` chart (the CRDs and the default validator).
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    base?: { [key: string]: any };
    /**
     * Values of the `istiod` chart, for every istiod revision (checked against every minor
     * that runs), e.g. `{ pilot: { env: { PILOT_ENABLE_STATUS: "true" } } }`.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    istiod?: { [key: string]: any };
    /**
     * Values of the ingress gateway's `gateway` chart, e.g. `{ service: { annotations: {...} } }`.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ingressGateway?: { [key: string]: any };
    /**
     * Values of the egress gateway's `gateway` chart; only with the egress gateway.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    egressGateway?: { [key: string]: any };
    /**
     * Values of the east-west gateway's `gateway` chart, in a mesh across networks with
     * sidecars (`IstioMultiClusterMesh`): e.g. `service.loadBalancerSourceRanges` or an
     * internal load balancer's annotations, since the gateway is a public LoadBalancer
     * otherwise.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    eastWestGateway?: { [key: string]: any };
    /**
     * Values of ambient's `cni` chart (the CNI agent); only with ambient.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    cni?: { [key: string]: any };
    /**
     * Values of ambient's `ztunnel` chart; only with ambient.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ztunnel?: { [key: string]: any };
    /**
     * Values of the `prometheus` chart, e.g. `{ server: { extraArgs: { "query.timeout": "1m" } } }`; only with Prometheus.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    prometheus?: { [key: string]: any };
    /**
     * Values of the `grafana` chart, e.g. `{ "grafana.ini": { server: { enable_gzip: true } } }`; only with Grafana.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    grafana?: { [key: string]: any };
    /**
     * Values of the `jaeger` chart; only with Jaeger.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    jaeger?: { [key: string]: any };
    /**
     * Values of the `kiali-server` chart; only with Kiali.
     * @default none
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    kiali?: { [key: string]: any };
}

/** A small application to see the mesh work, for people learning Istio. */
export interface SampleAppArgs {
    /**
     * Deploy it in a namespace of its own, `istio-mesh-sample`, which the mesh creates and
     * `pulumi destroy` deletes: a client that calls a frontend (NGINX) once a second, which
     * calls a backend (go-httpbin), with sidecars, or through ztunnel when ambient is on; so
     * Kiali's graph and Grafana's dashboards show traffic within a minute.
     * @default false
     */
    enabled?: boolean;
}

/** The arguments of `IstioMesh`. */
export interface IstioMeshArgs {
    /**
     * The istiod revisions.
     * @default one istiod of Istio 1.31.4
     */
    controlPlane?: ControlPlaneArgs;
    /**
     * The sidecar namespaces.
     * @default `default`
     */
    sidecars?: SidecarsArgs;
    /**
     * The ambient data plane.
     * @default off
     */
    ambient?: AmbientArgs;
    /**
     * The ingress and egress gateways.
     * @default both, each in its own namespace
     */
    gateways?: GatewaysArgs;
    /**
     * The telemetry add-ons.
     * @default all four
     */
    telemetry?: TelemetryArgs;
    /**
     * How the dashboards are reached.
     * @default port-forward only
     */
    dashboards?: DashboardsArgs;
    /**
     * Mutual TLS and NetworkPolicies.
     * @default STRICT, no NetworkPolicies
     */
    security?: SecurityArgs;
    /**
     * Sizing from the cluster's memory.
     * @default a 4Gi cluster
     */
    sizing?: SizingArgs;
    /**
     * Where every image comes from, and what the pods pull with.
     * @default each image's own registry, no pull secret
     */
    images?: ImagesArgs;
    /**
     * Node selectors, tolerations and priority classes of the mesh's Deployments.
     * @default any node
     */
    scheduling?: SchedulingArgs;
    /**
     * The cluster: its platform, its nodes, and the settings the component adopts objects with.
     * @default one node, the charts' paths, the ambient kubeconfig
     */
    cluster?: ClusterArgs;
    /**
     * What upgrade steps are checked against.
     * @default the component's own record
     */
    upgrade?: UpgradeArgs;
    /**
     * Helm values per chart, merged last, each key checked against the pinned chart's.
     * @default none
     */
    chartValues?: ChartValuesArgs;
    /**
     * The sample application.
     * @default none
     */
    sampleApp?: SampleAppArgs;
    /**
     * This cluster's place in a mesh of several (`IstioMultiClusterMesh` gives it): the mesh's
     * ID, the cluster's name and network, and its intermediate CA.
     * @default a mesh of this cluster alone, with istiod's own self-signed root
     */
    multiCluster?: MeshMembershipArgs;
}

export * from "./choices";
export * from "./cluster-args";
export * from "./mesh-args";
export * from "./sizing-args";
export * from "./telemetry-args";
export * from "./workload-args";
export * from "./multi-cluster-args";
