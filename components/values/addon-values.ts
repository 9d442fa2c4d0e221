import type { Addon } from "../args/choices";
import { ADDON_SERVICES, internalUrl, JAEGER_OTLP_PORT, KialiTracing } from "./addon-endpoints";
import type { DashboardSet } from "./grafana-dashboards";
import { toResources } from "../sizing/sizing";
import { Size } from "../args/components";

/**
 * Pure functions from settings to the values of the add-on charts. Every add-on is served
 * under its own sub-path (`/prometheus`, `/grafana`, `/jaeger`, `/kiali`) whatever the
 * exposure, so in-cluster URLs, port-forward URLs and ingress routes all agree.
 */

/** Add-on pods stay out of the mesh, as in Istio's own add-on manifests. */
const NO_SIDECAR = { "sidecar.istio.io/inject": "false" } as const;

export interface PrometheusOptions {
    size: Size;
    /** Data retention, a Prometheus duration such as `24h`. */
    retention: string;
    /**
     * Name of the PersistentVolumeClaim the server keeps its data on, made outside the chart
     * so that `pulumi destroy` can keep it; undefined for an emptyDir that a restart empties.
     */
    volumeClaim?: string;
    /** Browser-facing URL of the dashboard, when exposed with a host name. */
    externalUrl?: string;
    /** Whether the node jobs check each kubelet's certificate against the cluster's CA. */
    kubeletTlsVerify: boolean;
}

/**
 * A container that cannot gain privileges or capabilities, runs as a user, and sees only the
 * runtime's default syscalls: Pod Security's `restricted` profile, for the add-on containers
 * whose charts set none.
 */
const LOCKED_DOWN_CONTAINER = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};

export function prometheusValues(options: PrometheusOptions): Record<string, unknown> {
    const { path } = ADDON_SERVICES.prometheus;
    return {
        // Only the server: the mesh needs its pod and service-endpoint scrape jobs, not these.
        alertmanager: { enabled: false },
        "kube-state-metrics": { enabled: false },
        "prometheus-node-exporter": { enabled: false },
        "prometheus-pushgateway": { enabled: false },
        server: {
            fullnameOverride: ADDON_SERVICES.prometheus.service,
            podLabels: NO_SIDECAR,
            service: { servicePort: ADDON_SERVICES.prometheus.port },
            // --web.route-prefix and --web.external-url: Prometheus answers under /prometheus.
            prefixURL: path,
            baseURL: options.externalUrl ?? path,
            retention: options.retention,
            persistentVolume:
                options.volumeClaim === undefined
                    ? { enabled: false }
                    : { enabled: true, existingClaim: options.volumeClaim },
            resources: toResources(options.size),
            // Its data lives on the volume, its configuration in a ConfigMap: the image stays read-only.
            containerSecurityContext: { ...LOCKED_DOWN_CONTAINER, readOnlyRootFilesystem: true },
            // Not the chart's web.enable-lifecycle, which lets any pod POST /-/quit: the
            // server rereads its configuration file when the ConfigMap behind it changes.
            extraFlags: ["config.auto-reload"],
        },
        // No reloader sidecar: Prometheus 3 rereads its configuration file when it changes.
        configmapReload: { prometheus: { enabled: false } },
        scrapeConfigs: {
            // The server answers under its route prefix only, its own metrics included.
            prometheus: { metrics_path: `${path}/metrics` },
            // A pod's or a Service's author chooses the labels its metrics carry: with
            // honor_labels they would overwrite job, namespace and pod, and so Kiali's graph.
            "kubernetes-service-endpoints": { honor_labels: false },
            "kubernetes-service-endpoints-slow": { honor_labels: false },
            "kubernetes-pods": { honor_labels: false },
            "kubernetes-pods-slow": { honor_labels: false },
            // The node jobs send Prometheus's token to each kubelet: the chart skips checking
            // whom it talks to. The CA file stays the chart's (the ServiceAccount's).
            ...(options.kubeletTlsVerify && {
                "kubernetes-nodes": { tls_config: { insecure_skip_verify: false } },
                "kubernetes-nodes-cadvisor": { tls_config: { insecure_skip_verify: false } },
            }),
            // No Pushgateway and no blackbox exporter are deployed: their jobs would only let
            // an annotated Service be scraped with labels of its choosing, or probe nothing.
            "prometheus-pushgateway": { enabled: false },
            "kubernetes-services": { enabled: false },
        },
    };
}

/** The Secret with Grafana's generated admin credentials (`admin-user`, `admin-password`). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

export interface GrafanaOptions {
    size: Size;
    /** The Prometheus its datasource reads: the bundled one's in-cluster URL, or an existing one's. */
    prometheusUrl: string;
    /** Secret holding `admin-user` and `admin-password`. */
    adminSecret: string;
    /** Dashboard ConfigMaps to mount, each as a provider folder. */
    dashboardSets: readonly Pick<DashboardSet, "provider" | "configMap">[];
    externalUrl?: string;
}

export function grafanaValues(options: GrafanaOptions): Record<string, unknown> {
    return {
        podLabels: NO_SIDECAR,
        // Dashboards come from mounted ConfigMaps, not the API: Grafana gets no token.
        automountServiceAccountToken: false,
        // Never let the chart generate a password: a new one would be a diff on every preview.
        admin: { existingSecret: options.adminSecret, userKey: "admin-user", passwordKey: "admin-password" },
        persistence: { enabled: false },
        testFramework: { enabled: false },
        resources: toResources(options.size),
        service: { port: ADDON_SERVICES.grafana.port },
        "grafana.ini": {
            server: {
                root_url:
                    options.externalUrl ?? `%(protocol)s://%(domain)s:%(http_port)s${ADDON_SERVICES.grafana.path}/`,
                serve_from_sub_path: true,
            },
            "auth.anonymous": { enabled: false },
            analytics: { check_for_updates: false, reporting_enabled: false },
            // Grafana 12+ installs plugins from grafana.com at start; nothing may download then.
            plugins: { preinstall_disabled: true },
            // Served over HTTPS: the session cookie must never go out over plain HTTP.
            ...(options.externalUrl?.startsWith("https://") && { security: { cookie_secure: true } }),
        },
        datasources: {
            "datasources.yaml": {
                apiVersion: 1,
                datasources: [
                    {
                        name: "Prometheus",
                        type: "prometheus",
                        access: "proxy",
                        url: options.prometheusUrl,
                        isDefault: true,
                        editable: false,
                        jsonData: { timeInterval: "15s" },
                    },
                ],
            },
        },
        dashboardProviders: {
            "dashboardproviders.yaml": {
                apiVersion: 1,
                providers: options.dashboardSets.map((set) => ({
                    name: set.provider,
                    orgId: 1,
                    folder: "Istio",
                    type: "file",
                    disableDeletion: true,
                    options: { path: `/var/lib/grafana/dashboards/${set.provider}` },
                })),
            },
        },
        // Mounted from ConfigMaps, not downloaded at start: they work without internet.
        dashboardsConfigMaps: Object.fromEntries(options.dashboardSets.map((set) => [set.provider, set.configMap])),
    };
}

/**
 * Traces the in-memory store may hold: about 32KiB a trace, in half the memory limit, so
 * the store never pushes Jaeger into its OOM limit.
 */
export function jaegerMaxTraces(size: Size): number {
    return Math.floor((size.memoryLimit * 1024) / 2 / 32);
}

export interface JaegerOptions {
    size: Size;
    /** Traces kept in memory; bounded so the store stays inside the memory limit. */
    maxTraces: number;
}

/** Jaeger v2 all-in-one with the in-memory store, configured whole (the chart's `userconfig`). */
export function jaegerValues(options: JaegerOptions): Record<string, unknown> {
    return {
        fullnameOverride: ADDON_SERVICES.jaeger.service,
        jaeger: {
            podLabels: NO_SIDECAR,
            resources: toResources(options.size),
            securityContext: LOCKED_DOWN_CONTAINER,
            // Jaeger never calls the Kubernetes API: no token for a compromised Jaeger to use.
            serviceAccount: { automountServiceAccountToken: false },
        },
        userconfig: {
            service: {
                extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
                pipelines: {
                    traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
                },
            },
            extensions: {
                healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
                jaeger_query: { base_path: ADDON_SERVICES.jaeger.path, storage: { traces: "memstore" } },
                jaeger_storage: { backends: { memstore: { memory: { max_traces: options.maxTraces } } } },
            },
            receivers: {
                otlp: {
                    protocols: {
                        grpc: { endpoint: `0.0.0.0:${JAEGER_OTLP_PORT}` },
                        http: { endpoint: "0.0.0.0:4318" },
                    },
                },
            },
            processors: { batch: {} },
            exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
        },
    };
}

export interface KialiOptions {
    size: Size;
    namespace: string;
    /** `secret:<name>:<key>` reference to the login-token signing key. */
    signingKeyRef: string;
    anonymous: boolean;
    /** Enabled add-ons Kiali links to. */
    addons: readonly Addon[];
    /** Browser-facing dashboard URLs, for Kiali's links. */
    externalUrls: Partial<Record<Addon, string>>;
    /** The Prometheus Kiali reads: the bundled one's in-cluster URL, or an existing one's. */
    prometheusUrl: string;
    /** Where Kiali queries traces; none turns its tracing off. */
    tracing?: KialiTracing;
}

/**
 * The Istio dashboards Kiali links to, by title, with the URL variables each one reads
 * (only those the dashboard defines).
 */
export const KIALI_GRAFANA_DASHBOARDS = [
    { name: "Istio Service Dashboard", variables: { service: "var-service" } },
    { name: "Istio Workload Dashboard", variables: { namespace: "var-namespace", workload: "var-workload" } },
    { name: "Istio Mesh Dashboard" },
    { name: "Istio Control Plane Dashboard" },
    { name: "Istio Performance Dashboard" },
    { name: "Istio Wasm Extension Dashboard" },
] as const;

export function kialiValues(options: KialiOptions): Record<string, unknown> {
    const has = (addon: Addon): boolean => options.addons.includes(addon);
    const external = (addon: Addon): Record<string, string> =>
        options.externalUrls[addon] === undefined ? {} : { external_url: options.externalUrls[addon] as string };
    return {
        auth: { strategy: options.anonymous ? "anonymous" : "token" },
        // The Kiali component binds Kiali's ServiceAccount to rules of its own
        // (values/kiali-rights.ts): the chart's would let it port-forward to any pod.
        skipResources: ["clusterrole", "clusterrolebinding"],
        // An anonymous Kiali reads logs with its own rights, for every visitor.
        ...(options.anonymous && { kiali_feature_flags: { disabled_features: ["logs-tab"] } }),
        login_token: { signing_key: options.signingKeyRef },
        deployment: {
            pod_labels: NO_SIDECAR,
            // The chart's policy admits anyone to Kiali; with istio-mesh:networkPolicies the
            // program's own decide, and a NetworkPolicy allowing all would win over them.
            network_policy: { enabled: false },
            resources: toResources(options.size),
            // Anonymous means view-only: without it the chart binds Kiali's write ClusterRole,
            // and anyone who reaches Kiali could edit Istio config and workloads. With a token
            // login Kiali acts with the user's token (ours is read-only), and the chart binds
            // the viewer role either way.
            ...(options.anonymous && { view_only_mode: true }),
        },
        server: { web_root: ADDON_SERVICES.kiali.path },
        // One cluster. Autodetection would `lookup` every Secret in the namespace at render time:
        // a preview would need to read them all (docs/preview-reader.yaml grants none), and the
        // render would depend on what the cluster holds.
        clustering: { autodetect_secrets: { enabled: false } },
        // Nothing about istiod: Kiali 2 discovers each control plane by its labels and reads its
        // root namespace from that revision's mesh config, so both revisions of an upgrade show.
        external_services: {
            prometheus: { url: options.prometheusUrl },
            grafana: has("grafana")
                ? {
                      enabled: true,
                      internal_url: internalUrl("grafana", options.namespace),
                      ...external("grafana"),
                      // Grafana allows no anonymous access: Kiali uses the admin credential the
                      // Grafana component generates, from its Secret, which the chart mounts.
                      auth: {
                          type: "basic",
                          username: `secret:${GRAFANA_ADMIN_SECRET}:admin-user`,
                          password: `secret:${GRAFANA_ADMIN_SECRET}:admin-password`,
                      },
                      dashboards: KIALI_GRAFANA_DASHBOARDS,
                  }
                : { enabled: false },
            tracing:
                options.tracing === undefined
                    ? { enabled: false }
                    : {
                          enabled: true,
                          provider: options.tracing.provider,
                          use_grpc: false,
                          internal_url: options.tracing.internalUrl,
                          ...(options.tracing.externalUrl !== undefined && {
                              external_url: options.tracing.externalUrl,
                          }),
                      },
        },
    };
}
