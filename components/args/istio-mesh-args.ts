import type * as pulumi from "@pulumi/pulumi";
import type { Availability, ImagesArgs, SchedulingArgs } from "./workload-args";

/**
 * The contract of `IstioMesh`: what a consumer may ask of the mesh, nested by domain. Every
 * field is optional and documented with its default; `new IstioMesh("mesh", {})` is the
 * course's environment. The types stay within what Pulumi's schema analyzer infers (named
 * interfaces, mutable arrays, `as const` enums), so that `pulumi package add` gives every
 * language the same contract. Values are checked in the constructor, before any child
 * exists, all problems in one error naming each argument path.
 */

/** Telemetry add-ons the mesh can install. */
export const Addon = { Prometheus: "prometheus", Grafana: "grafana", Jaeger: "jaeger", Kiali: "kiali" } as const;
export type Addon = (typeof Addon)[keyof typeof Addon];

/** How istiod's proxies send spans to an OpenTelemetry collector. */
export const OtlpProtocol = {
    /** OTLP over gRPC, the collector's port 4317 by convention. */
    Grpc: "grpc",
    /** OTLP over HTTP to `/v1/traces`, the collector's port 4318 by convention. */
    Http: "http",
} as const;
export type OtlpProtocol = (typeof OtlpProtocol)[keyof typeof OtlpProtocol];

/** The query API of a tracing backend Kiali reads traces from. */
export const TracingQueryProvider = {
    /** Jaeger's query service (also what Jaeger v2 and many collectors' backends serve). */
    Jaeger: "jaeger",
    /** Grafana Tempo's query frontend. */
    Tempo: "tempo",
} as const;
export type TracingQueryProvider = (typeof TracingQueryProvider)[keyof typeof TracingQueryProvider];

/** Mesh-wide mutual TLS. */
export const MtlsMode = {
    /** Only mutual-TLS traffic between workloads. */
    Strict: "STRICT",
    /** Plain text admitted too, for a migration. */
    Permissive: "PERMISSIVE",
} as const;
export type MtlsMode = (typeof MtlsMode)[keyof typeof MtlsMode];

/** How the dashboards are reached. */
export const DashboardExposure = {
    /** Routed through the ingress gateway under their paths. */
    Ingress: "ingress",
    /** Port-forward only. */
    None: "none",
} as const;
export type DashboardExposure = (typeof DashboardExposure)[keyof typeof DashboardExposure];

/** The Service type of the ingress gateway. */
export const IngressServiceType = {
    LoadBalancer: "LoadBalancer",
    NodePort: "NodePort",
    ClusterIP: "ClusterIP",
} as const;
export type IngressServiceType = (typeof IngressServiceType)[keyof typeof IngressServiceType];

/** Where kube-proxy sends external traffic, and so whether client addresses survive. */
export const TrafficPolicy = {
    /** Client addresses reach the gateway; the dashboard allow-list needs them. */
    Local: "Local",
    /** kube-proxy replaces client addresses with a node's. */
    Cluster: "Cluster",
} as const;
export type TrafficPolicy = (typeof TrafficPolicy)[keyof typeof TrafficPolicy];

/** The cluster's platform, for the host paths Istio's CNI agent uses. */
export const Platform = {
    /** The charts' defaults: kind, EKS, AKS, kubeadm. */
    None: "none",
    Minikube: "minikube",
    K3d: "k3d",
    K3s: "k3s",
    Microk8s: "microk8s",
    Gke: "gke",
    Openshift: "openshift",
} as const;
export type Platform = (typeof Platform)[keyof typeof Platform];

/** Who provides the Gateway API CRDs that waypoints need. */
export const GatewayApiCrdSource = {
    /** The component installs the pinned standard channel and keeps it on destroy. */
    Install: "install",
    /** The cluster manages them (GKE, EKS add-ons). */
    Cluster: "cluster",
} as const;
export type GatewayApiCrdSource = (typeof GatewayApiCrdSource)[keyof typeof GatewayApiCrdSource];

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
     * TLS Secret live. Not `istio-system`, but to keep a mesh deployed with its gateways there.
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

/** Prometheus as the bundled add-on runs it. */
export interface PrometheusArgs {
    /**
     * How long metrics are kept, a Prometheus duration such as `6h` or `15d`.
     * @default "24h"
     */
    retention?: string;
    /**
     * Size of a persistent volume for its data, e.g. `8Gi`, kept by destroy.
     * @default none: data is lost on restart
     */
    storage?: string;
    /**
     * Verify each kubelet's certificate when scraping the nodes' container metrics. Off only
     * where kubelets serve self-signed certificates (minikube, kubeadm's default).
     * @default true
     */
    kubeletTlsVerify?: boolean;
}

/** Kiali as the bundled add-on runs it. */
export interface KialiArgs {
    /**
     * Kiali without login, and then view-only; never on a shared cluster.
     * @default false
     */
    anonymous?: boolean;
}

/** A Prometheus the mesh does not install, which Grafana and Kiali read instead of the bundled one. */
export interface ExistingPrometheusArgs {
    /**
     * Its HTTP API's base URL as Grafana and Kiali reach it from `istio-system`: in the cluster
     * (`http://prometheus-operated.monitoring.svc:9090`) or not (`https://prometheus.example.com`),
     * with the path prefix it serves under, if any. Not with `prometheus` in `addons`.
     * @default none: the bundled Prometheus, if `addons` has it
     */
    url?: string;
    /**
     * Whether it already scrapes the mesh (istiod, every proxy, ztunnel). If not, the
     * `prometheusScrapeConfig` output holds the scrape jobs to add to it.
     * @default false
     */
    scrapesMesh?: boolean;
}

/** Traces to an OpenTelemetry collector (OTLP) instead of the bundled Jaeger. */
export interface OtlpTracingArgs {
    /**
     * The collector's OTLP receiver as `host:port`, the host a Service's full name
     * (`otel-collector.observability.svc.cluster.local:4317`) or a host a ServiceEntry
     * declares. Not with `jaeger` in `addons`.
     * @default none: spans go to the bundled Jaeger, if `addons` has it
     */
    endpoint?: string;
    /**
     * `grpc`, or `http` (to `/v1/traces`).
     * @default "grpc"
     */
    protocol?: OtlpProtocol;
    /**
     * Where Kiali queries traces, e.g. the Jaeger or Tempo behind the collector:
     * `http://tempo.observability.svc:3200`.
     * @default none: Kiali's tracing integration is off
     */
    queryUrl?: string;
    /**
     * The API `queryUrl` serves: `jaeger` or `tempo`.
     * @default "jaeger"
     */
    queryProvider?: TracingQueryProvider;
}

/** The telemetry add-ons and what the mesh sends them. */
export interface TelemetryArgs {
    /**
     * The add-ons to install; Grafana and Kiali need a Prometheus: this one, or
     * `existingPrometheus`.
     * @default ["prometheus", "grafana", "jaeger", "kiali"]
     */
    addons?: Addon[];
    /**
     * Percent of requests traced, 0 to 100; needs Jaeger or `otlpTracing`.
     * @default 1
     */
    tracingSampling?: number;
    /**
     * A Prometheus of the cluster's or the team's, instead of the bundled one.
     * @default none
     */
    existingPrometheus?: ExistingPrometheusArgs;
    /**
     * Spans to an OpenTelemetry collector, instead of the bundled Jaeger.
     * @default none
     */
    otlpTracing?: OtlpTracingArgs;
    /**
     * Prometheus's retention, volume and kubelet verification.
     * @default a day of metrics, no volume, kubelets verified
     */
    prometheus?: PrometheusArgs;
    /**
     * Kiali's login.
     * @default a token login
     */
    kiali?: KialiArgs;
}

/** How the dashboards are reached and who reaches them. */
export interface DashboardsArgs {
    /**
     * `ingress`: routed through the ingress gateway under `/kiali`, `/grafana`, `/jaeger`,
     * `/prometheus`; `none`: port-forward only.
     * @default "none"
     */
    exposure?: DashboardExposure;
    /**
     * The host name the routes answer to.
     * @default any host
     */
    host?: string;
    /**
     * Client IPv4 ranges admitted to the routed dashboards; everyone else gets 403.
     * @default ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
     */
    allowedCidrs?: string[];
    /**
     * Dashboards with no login of their own (`prometheus`, `jaeger`, an anonymous `kiali`) to
     * route anyway.
     * @default []
     */
    withoutLogin?: Addon[];
    /**
     * A `kubernetes.io/tls` Secret in the ingress gateway's namespace with the host's
     * certificate: HTTPS on 443, HTTP redirected.
     * @default none
     */
    tlsSecret?: string;
    /**
     * Accept logins routed over plain HTTP (no `tlsSecret`): a laptop cluster's choice.
     * @default false
     */
    plainHttp?: boolean;
}

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

/** CPU and memory, as a container's `resources` writes them. */
export interface ResourceAmountsArgs {
    /**
     * CPU, e.g. `250m` or `"1"`.
     * @default the sizing table's
     */
    cpu?: string;
    /**
     * Memory in Mi or Gi, e.g. `256Mi`.
     * @default the sizing table's
     */
    memory?: string;
}

/** Requests and limits of one component that win over the sizing table, field by field. */
export interface ResourceRequirementsArgs {
    /**
     * What the scheduler reserves.
     * @default the sizing table's
     */
    requests?: ResourceAmountsArgs;
    /**
     * What the container may use at most.
     * @default the sizing table's
     */
    limits?: ResourceAmountsArgs;
}

/** Per-component overrides of the sizing table. */
export interface ComponentResourcesArgs {
    /** istiod's container. @default the sizing table's */
    istiod?: ResourceRequirementsArgs;
    /** The ingress gateway's container. @default the sizing table's */
    ingressGateway?: ResourceRequirementsArgs;
    /** The egress gateway's container. @default the sizing table's */
    egressGateway?: ResourceRequirementsArgs;
    /** Every sidecar's container. @default the sizing table's */
    proxy?: ResourceRequirementsArgs;
    /** Prometheus's server container. @default the sizing table's */
    prometheus?: ResourceRequirementsArgs;
    /** Grafana's container. @default the sizing table's */
    grafana?: ResourceRequirementsArgs;
    /** Jaeger's all-in-one container. @default the sizing table's */
    jaeger?: ResourceRequirementsArgs;
    /** Kiali's container. @default the sizing table's */
    kiali?: ResourceRequirementsArgs;
    /** ztunnel's container, on every node. @default the sizing table's */
    ztunnel?: ResourceRequirementsArgs;
    /** The CNI agent's container, on every node. @default the sizing table's */
    cni?: ResourceRequirementsArgs;
    /** Each container of the sample application. @default the sizing table's */
    sampleApp?: ResourceRequirementsArgs;
}

/** A replica count, or an autoscaling range. */
export interface ReplicaArgs {
    /**
     * A fixed number of pods, 1 to 20.
     * @default the tier's
     */
    count?: number;
    /**
     * The autoscaler's minimum, with `max`.
     * @default the tier's
     */
    min?: number;
    /**
     * The autoscaler's maximum, with `min`.
     * @default the tier's
     */
    max?: number;
}

/** Replica overrides of the parts that scale out. */
export interface ComponentReplicasArgs {
    /** istiod's pods. @default the tier's */
    istiod?: ReplicaArgs;
    /** The ingress gateway's pods. @default the tier's */
    ingressGateway?: ReplicaArgs;
    /** The egress gateway's pods. @default the tier's */
    egressGateway?: ReplicaArgs;
}

/** How big the mesh is: every size comes from the cluster's memory, by tier. */
export interface SizingArgs {
    /**
     * Memory of the cluster the mesh is sized for, 1Gi to 1Ti.
     * @default "4Gi"
     */
    memory?: string;
    /**
     * Share of `memory` the mesh and its add-ons may request, 10 to 90 percent.
     * @default 50
     */
    budgetPercent?: number;
    /**
     * Requests and limits that win over the sizing table.
     * @default none
     */
    resources?: ComponentResourcesArgs;
    /**
     * Replica counts that win over the tier's and over `availability`.
     * @default none
     */
    replicas?: ComponentReplicasArgs;
    /**
     * How many pods istiod and the gateways run: `high` runs two or more of each, spread
     * over nodes, with a disruption budget; `single` one of each; `auto` as the tier says.
     * @default "auto"
     */
    availability?: Availability;
}

/** The client settings of the Kubernetes provider the component adopts existing objects with. */
export interface KubeClientSettingsArgs {
    /** Requests the client may send in a burst. @default the provider's */
    burst?: number;
    /** Requests per second the client may send. @default the provider's */
    qps?: number;
    /** Seconds before a request times out. @default the provider's */
    timeout?: number;
}

/** Helm settings of that provider. */
export interface HelmReleaseSettingsArgs {
    /** Where Helm keeps release state: `secret`, `configmap` or `memory`. @default the provider's */
    driver?: string;
    /** Helm's plugins directory. @default the provider's */
    pluginsPath?: string;
    /** Helm's registry configuration file. @default the provider's */
    registryConfigPath?: string;
    /** Helm's repository cache directory. @default the provider's */
    repositoryCache?: string;
    /** Helm's repositories file. @default the provider's */
    repositoryConfigPath?: string;
    /** Silence the provider's beta warning about Helm releases. @default the provider's */
    suppressBetaWarning?: boolean;
}

/**
 * How the component reaches the cluster to adopt objects that exist already (what `destroy`
 * kept, or a manual install left): a provider of its own with `upsertExistingObjects`,
 * made from these settings, the ones the consumer's provider has. A provider's settings
 * cannot be read back from it, so a consumer that passes a provider gives them here too.
 */
export interface ClusterArgs {
    /**
     * The kubeconfig, contents or path, of the cluster the consumer's provider reaches.
     * @default the ambient kubeconfig, only without a provider of the consumer's
     */
    kubeconfig?: pulumi.Input<string>;
    /** The kubeconfig context to use. @default the kubeconfig's current context */
    context?: string;
    /** The kubeconfig cluster to use. @default the context's */
    cluster?: string;
    /** A name for the cluster, kept stable when its kubeconfig changes so the provider is not replaced. @default none */
    clusterIdentifier?: string;
    /** The namespace for objects that name none. @default the provider's */
    namespace?: string;
    /**
     * Adopt the mesh's namespaces, the Istio and Gateway API CRDs and Prometheus's claim when
     * they exist. With a provider of the consumer's, needs `kubeconfig` or `context`.
     * @default true without a provider of the consumer's, false with one
     */
    adoptExisting?: boolean;
    /**
     * The cluster's platform: the CNI agent's host paths. With sidecars, `openshift` installs
     * the CNI agent in kube-system to redirect each pod's traffic (OpenShift refuses the
     * `istio-init` container's NET_ADMIN); the others matter with ambient only.
     * @default "none"
     */
    platform?: Platform;
    /**
     * How many nodes the cluster has: the node agents run on each, and the budget counts them;
     * `sizing.availability: high` spreads pods over them.
     * @default 1
     */
    nodes?: number;
    /** Render manifests for `renderYamlToDirectory` even where the cluster is reachable. @default the provider's */
    alwaysRender?: boolean;
    /** Drop objects from the state when their cluster cannot be reached. @default the provider's */
    deleteUnreachable?: boolean;
    /** Update ConfigMaps in place instead of replacing them. @default the provider's */
    enableConfigMapMutable?: boolean;
    /** Update Secrets in place instead of replacing them. @default the provider's */
    enableSecretMutable?: boolean;
    /** Apply with server-side apply (the provider's default since 4.0). @default the provider's */
    enableServerSideApply?: boolean;
    /** Skip updates of objects whose cluster cannot be reached. @default the provider's */
    skipUpdateUnreachable?: boolean;
    /** Silence warnings about deprecated API versions. @default the provider's */
    suppressDeprecationWarnings?: boolean;
    /** Silence warnings about Helm hooks, which Chart v4 drops. @default the provider's */
    suppressHelmHookWarnings?: boolean;
    /** Write manifests to this directory instead of applying them. @default the provider's */
    renderYamlToDirectory?: string;
    /** The client's rate limits and timeout. @default the provider's */
    kubeClientSettings?: KubeClientSettingsArgs;
    /** Helm's settings. @default the provider's */
    helmReleaseSettings?: HelmReleaseSettingsArgs;
}

/** One istiod as a deployment recorded it. */
export interface RecordedControlPlane {
    /** Its Istio release. */
    version: string;
    /** The tag pointing to it: `default`, `canary`, or "" for one kept for unrestarted proxies. */
    tag: string;
    /** Whether it ran with ambient on. @default false */
    ambient?: boolean;
}

/** What a deployment applied, which the next one is checked against. */
export interface DeploymentRecord {
    /** Each istiod by name. @default none */
    controlPlanes?: Record<string, RecordedControlPlane>;
    /** The namespaces on the canary tag. @default [] */
    canaryNamespaces?: string[];
    /** The ambient namespaces. @default [] */
    ambientNamespaces?: string[];
    /** The namespaces left labelled ambient, those moving back included. @default [] */
    capturedNamespaces?: string[];
}

/** What the upgrade guards check a change against. */
export interface UpgradeArgs {
    /**
     * What the last deployment applied, when the consumer knows it (the program passes its
     * own stack outputs, for stacks deployed before the component kept its own record). The
     * component's record wins when it has one.
     * @default the component's own record
     */
    lastDeployment?: DeploymentRecord;
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
}

export * from "./workload-args";
