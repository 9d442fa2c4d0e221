/**
 * The pod labels each workload's chart gives it, as the charts pinned in versions.ts render
 * them: what the NetworkPolicies admit and what the policy pack recognises an add-on's pods by.
 */
export const WORKLOAD_POD_LABELS = {
    istiod: { app: "istiod" },
    prometheus: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server" },
    grafana: { "app.kubernetes.io/name": "grafana" },
    jaeger: { "app.kubernetes.io/name": "jaeger" },
    kiali: { "app.kubernetes.io/name": "kiali" },
    ingressGateway: { istio: "ingressgateway" },
    egressGateway: { istio: "egressgateway" },
} as const satisfies Record<string, Readonly<Record<string, string>>>;
