// The closed sets of values the arguments take, as `as const` objects Pulumi's schema analyzer
// turns into enums for every language.

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
