// Each setting's default and range, stated once: the arguments' `@default`s and the program's
// config table (config/keys.ts) say the same.
import { DEFAULT_ISTIO_VERSION } from "../versions";
import { ADDONS } from "./addons";
import type { MeshKey, StackKey } from "./arg-paths";

/** Each setting's default, the one place they are stated: `IstioMeshArgs`' `@default`s say the same. */
export const MESH_DEFAULTS = {
    memory: "4Gi",
    addons: [...ADDONS],
    injectionNamespaces: ["default"],
    istioVersion: DEFAULT_ISTIO_VERSION,
    canaryVersion: "",
    canaryNamespaces: [],
    previousVersion: "",
    unrevisionedVersion: "",
    ambient: false,
    ambientNamespaces: [],
    waypointNamespaces: [],
    ambientReleasedNamespaces: [],
    platform: "none",
    nodes: 1,
    gatewayApiCrds: "install",
    egressGateway: true,
    ingressNamespace: "istio-ingress",
    egressNamespace: "istio-egress",
    networkPolicies: false,
    ingressServiceType: "LoadBalancer",
    awaitIngressAddress: false,
    ingressExternalTrafficPolicy: "Local",
    ingressGateway: true,
    ingressServiceAnnotations: {},
    ingressLoadBalancerSourceRanges: [],
    ingressLoadBalancerClass: "",
    imageRegistry: "",
    imagePullSecrets: [],
    registryCredentials: "",
    scheduling: {},
    availability: "auto",
    mtlsMode: "STRICT",
    dashboards: "none",
    dashboardHost: "",
    dashboardAllowedCidrs: ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    dashboardsWithoutLogin: [],
    dashboardTlsSecret: "",
    dashboardPlainHttp: false,
    tracingSampling: 1,
    prometheusUrl: "",
    prometheusScrapesMesh: false,
    otlpEndpoint: "",
    otlpProtocol: "grpc",
    tracingQueryUrl: "",
    tracingQueryProvider: "jaeger",
    kialiAnonymous: false,
    prometheusRetention: "24h",
    prometheusStorage: "",
    kubeletTlsVerify: true,
    memoryBudgetPercent: 50,
    resources: {},
    replicas: {},
    chartValues: {},
    sampleApp: false,
} as const satisfies Record<StackKey, unknown>;

/** The ranges of the numeric settings, and the unit their messages name. */
export function numberRanges(k: (key: MeshKey) => string) {
    return {
        nodes: { min: 1, max: 5000, unit: " (nodes)", integer: true },
        tracingSampling: { min: 0, max: 100, unit: " (percent of requests)" },
        memoryBudgetPercent: { min: 10, max: 90, unit: ` (percent of ${k("memory")})`, integer: true },
    } as const;
}

/** The sample application's namespace, which the mesh owns when `sampleApp` is on. */
export const SAMPLE_APP_NAMESPACE = "istio-mesh-sample";
