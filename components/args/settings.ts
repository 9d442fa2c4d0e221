import type {
    Addon,
    ClusterArgs,
    DashboardExposure,
    IngressServiceType,
    MtlsMode,
    OtlpProtocol,
    TracingQueryProvider,
    TrafficPolicy,
} from "./istio-mesh-args";
import {
    DashboardExposure as DashboardExposures,
    IngressServiceType as IngressServiceTypes,
    MtlsMode as MtlsModes,
    OtlpProtocol as OtlpProtocols,
    TracingQueryProvider as TracingQueryProviders,
} from "./istio-mesh-args";
import type { AmbientSettings } from "./ambient";
import type { Overrides } from "./overrides";
import type { ChartValueOverrides } from "./chart-values";
import type { ReplicaOverrides } from "./replica-overrides";
import type { MeshRevisions } from "./revisions";
import type { IngressServiceSettings, WorkloadSettings } from "./workloads";
import type { MembershipSettings } from "./membership";

/**
 * The settings of one mesh once checked: every field decided, defaults applied, lists
 * sorted. The args are what a consumer writes; this is what the component and every pure
 * decision (sizing, chart values, plans) read.
 */

export const INGRESS_SERVICE_TYPES: readonly IngressServiceType[] = Object.values(IngressServiceTypes);
export const MTLS_MODES: readonly MtlsMode[] = Object.values(MtlsModes);
export const DASHBOARD_EXPOSURES: readonly DashboardExposure[] = Object.values(DashboardExposures);
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = Object.values(OtlpProtocols);
export const TRACING_QUERY_PROVIDERS: readonly TracingQueryProvider[] = Object.values(TracingQueryProviders);

/** A Prometheus the mesh does not install, which Grafana and Kiali read. */
export interface ExistingPrometheus {
    /** Its API's base URL, as Grafana and Kiali reach it. */
    readonly url: string;
    /** Whether it scrapes the mesh already; if not, the mesh gives the jobs to add. */
    readonly scrapesMesh: boolean;
}

/** An OpenTelemetry collector the mesh's proxies send spans to, instead of the bundled Jaeger. */
export interface OtlpTracing {
    /** The receiver's host: a Service's full name, or a host a ServiceEntry declares. */
    readonly host: string;
    readonly port: number;
    readonly protocol: OtlpProtocol;
    /** Where Kiali queries traces, if anywhere. */
    readonly query?: { readonly url: string; readonly provider: TracingQueryProvider };
}

/** Settings of the Kubernetes provider the component adopts existing objects with, as `ProviderArgs` fields. */
export type ProviderSettings = Readonly<Omit<ClusterArgs, "adoptExisting" | "platform" | "nodes">>;

/** How the component adopts objects that exist already. */
export interface ClusterSettings {
    /** Whether the mesh's namespaces, the CRDs and Prometheus's claim go through an adopting provider. */
    readonly adoptExisting: boolean;
    /** That provider's settings: the connection the consumer's provider has. */
    readonly provider: ProviderSettings;
}

/** The validated settings of one mesh: what every decision of the component reads. */
export interface MeshSettings {
    /** Memory of the cluster this environment is sized for, as written and in bytes. */
    readonly memory: { readonly quantity: string; readonly bytes: number };
    /** Enabled add-ons, in the canonical order of `ADDONS`. */
    readonly addons: readonly Addon[];
    /** Namespaces labelled `istio-injection=enabled`, sorted. */
    readonly injectionNamespaces: readonly string[];
    /** The stable Istio release: the `default` tag, the gateways. */
    readonly istioVersion: string;
    /** Every istiod, as a revision named from its version, and the tags pointing to them. */
    readonly revisions: MeshRevisions;
    /** Injection namespaces labelled `istio.io/rev=canary` instead of `istio-injection=enabled`, sorted. */
    readonly canaryNamespaces: readonly string[];
    /** The ambient data plane, when `ambient` is on. */
    readonly ambient?: AmbientSettings;
    /**
     * The CNI agent of a sidecar mesh, on a platform whose pods may not redirect their own
     * traffic (OpenShift refuses `istio-init`'s NET_ADMIN): it does it for them.
     */
    readonly sidecarCni?: { readonly platform: "openshift"; readonly agentNamespace: string };
    /** Nodes of the cluster: each runs one pod of every DaemonSet. */
    readonly nodes: number;
    readonly egressGateway: boolean;
    /** Whether the mesh's namespaces get NetworkPolicies. */
    readonly networkPolicies: boolean;
    /** Namespaces of the gateways: their own, or `istio-system` for a stack deployed so. */
    readonly gatewayNamespaces: { readonly ingress: string; readonly egress: string };
    /** Whether the mesh has an ingress gateway. */
    readonly ingressGateway: boolean;
    readonly ingressServiceType: IngressServiceType;
    /** What the ingress Service tells the cloud's load balancer. */
    readonly ingressService: IngressServiceSettings;
    /** Whether `pulumi up` waits for the ingress LoadBalancer's address (10 minutes at most). */
    readonly awaitIngressAddress: boolean;
    /** `Local` keeps client addresses at the gateway, which the dashboard allow-list needs. */
    readonly ingressExternalTrafficPolicy: TrafficPolicy;
    readonly mtlsMode: MtlsMode;
    /** `ingress`: dashboards routed through the ingress gateway; `none`: port-forward only. */
    readonly dashboards: DashboardExposure;
    /** Host name the dashboard routes answer to, or undefined for any host. */
    readonly dashboardHost?: string;
    /** Client ranges admitted to the dashboard paths, sorted. */
    readonly dashboardAllowedCidrs: readonly string[];
    /** Dashboards without a login of their own (Prometheus, Jaeger) routed anyway, in canonical order. */
    readonly dashboardsWithoutLogin: readonly Addon[];
    /** `kubernetes.io/tls` Secret in the ingress gateway's namespace that serves the dashboard host over HTTPS. */
    readonly dashboardTlsSecret?: string;
    /** Whether the stack accepts a dashboard host over plain HTTP. */
    readonly dashboardPlainHttp: boolean;
    /** Percentage of requests traced, 0 to 100. */
    readonly tracingSampling: number;
    /** A Prometheus the mesh does not install, instead of the bundled one. */
    readonly existingPrometheus?: ExistingPrometheus;
    /** An OTLP collector for the spans, instead of the bundled Jaeger. */
    readonly otlpTracing?: OtlpTracing;
    readonly kialiAnonymous: boolean;
    readonly prometheusRetention: string;
    /** Whether Prometheus checks the kubelets' certificates against the cluster's CA. */
    readonly kubeletTlsVerify: boolean;
    /** Prometheus volume size, or undefined for no persistent volume. */
    readonly prometheusStorage?: string;
    /** Share of `memory` this environment's components may request, in percent. */
    readonly memoryBudgetPercent: number;
    /** Per-component requests and limits that win over the sizing table. */
    readonly resources: Overrides;
    /** Replica counts or autoscaling ranges for istiod and the gateways that win over the tier's. */
    readonly replicas: ReplicaOverrides;
    /** This cluster's place in a mesh of several, if it is one. */
    readonly membership?: MembershipSettings;
    /** Images, pull secrets, placement and availability of every workload. */
    readonly workloads: WorkloadSettings;
    /** Whether the sample application runs, in `istio-mesh-sample`. */
    readonly sampleApp: boolean;
    /** How objects that exist already are adopted, and with which provider settings. */
    readonly cluster: ClusterSettings;
    /** Each chart's values override, checked: merged last over the values the mesh computes. */
    readonly chartValues: ChartValueOverrides;
    /** What deploys as asked but likely not as meant, each with its key: the preview shows them. */
    readonly warnings: readonly string[];
}
