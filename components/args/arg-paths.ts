/**
 * Every setting of the mesh by one name, and where it lives in `IstioMeshArgs`. The checks
 * speak of settings by these names; a message names each by its argument path when the
 * component is used directly (`sizing.memory`), or by its stack config key when the program
 * translated the stack's config (`istio-mesh:memory`): one check, two vocabularies.
 */
export const ARG_PATHS = {
    memory: "sizing.memory",
    addons: "telemetry.addons",
    injectionNamespaces: "sidecars.namespaces",
    istioVersion: "controlPlane.version",
    canaryVersion: "controlPlane.canaryVersion",
    canaryNamespaces: "sidecars.canaryNamespaces",
    previousVersion: "controlPlane.previousVersion",
    unrevisionedVersion: "controlPlane.unrevisionedVersion",
    ambient: "ambient.enabled",
    ambientNamespaces: "ambient.namespaces",
    waypointNamespaces: "ambient.waypointNamespaces",
    ambientReleasedNamespaces: "ambient.releasedNamespaces",
    platform: "cluster.platform",
    nodes: "cluster.nodes",
    gatewayApiCrds: "ambient.gatewayApiCrds",
    egressGateway: "gateways.egress.enabled",
    ingressNamespace: "gateways.ingress.namespace",
    egressNamespace: "gateways.egress.namespace",
    networkPolicies: "security.networkPolicies",
    ingressServiceType: "gateways.ingress.serviceType",
    awaitIngressAddress: "gateways.ingress.awaitAddress",
    ingressExternalTrafficPolicy: "gateways.ingress.externalTrafficPolicy",
    ingressGateway: "gateways.ingress.enabled",
    ingressServiceAnnotations: "gateways.ingress.serviceAnnotations",
    ingressLoadBalancerSourceRanges: "gateways.ingress.loadBalancerSourceRanges",
    ingressLoadBalancerClass: "gateways.ingress.loadBalancerClass",
    imageRegistry: "images.registry",
    imagePullSecrets: "images.pullSecrets",
    registryCredentials: "images.registryCredentials",
    scheduling: "scheduling",
    availability: "sizing.availability",
    mtlsMode: "security.mtlsMode",
    dashboards: "dashboards.exposure",
    dashboardHost: "dashboards.host",
    dashboardAllowedCidrs: "dashboards.allowedCidrs",
    dashboardsWithoutLogin: "dashboards.withoutLogin",
    dashboardTlsSecret: "dashboards.tlsSecret",
    dashboardPlainHttp: "dashboards.plainHttp",
    tracingSampling: "telemetry.tracingSampling",
    prometheusUrl: "telemetry.existingPrometheus.url",
    prometheusScrapesMesh: "telemetry.existingPrometheus.scrapesMesh",
    otlpEndpoint: "telemetry.otlpTracing.endpoint",
    otlpProtocol: "telemetry.otlpTracing.protocol",
    tracingQueryUrl: "telemetry.otlpTracing.queryUrl",
    tracingQueryProvider: "telemetry.otlpTracing.queryProvider",
    kialiAnonymous: "telemetry.kiali.anonymous",
    prometheusRetention: "telemetry.prometheus.retention",
    prometheusStorage: "telemetry.prometheus.storage",
    kubeletTlsVerify: "telemetry.prometheus.kubeletTlsVerify",
    memoryBudgetPercent: "sizing.budgetPercent",
    resources: "sizing.resources",
    replicas: "sizing.replicas",
    sampleApp: "sampleApp.enabled",
    adoptExisting: "cluster.adoptExisting",
    kubeconfig: "cluster.kubeconfig",
    chartValues: "chartValues",
} as const;

/** A setting of the mesh, by its name in the checks (the stack config key's, unprefixed). */
export type MeshKey = keyof typeof ARG_PATHS;

/**
 * Settings of how the component reaches the cluster, which a stack gives as the `kubernetes:`
 * provider's settings rather than keys of its own.
 */
export type ClusterKey = "adoptExisting" | "kubeconfig";

/** A setting with an `istio-mesh:` key of its own. */
export type StackKey = Exclude<MeshKey, ClusterKey>;

/** The value at a dotted path of an object, or undefined. */
export function valueAt(tree: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

/** `tree` with `value` set at a dotted path, creating the objects on the way. */
export function withValueAt(tree: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const [head, ...rest] = path.split(".");
    if (rest.length === 0) {
        return { ...tree, [head]: value };
    }
    const inner = (tree[head] as Record<string, unknown> | undefined) ?? {};
    return { ...tree, [head]: withValueAt(inner, rest.join("."), value) };
}
