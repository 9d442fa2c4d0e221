import type { MeshKey } from "./arg-paths";
import type { Addon } from "./addons";
import { eastWestChart } from "./chart-values";
import { externallyReachable } from "./exposure";

/**
 * Keys that mean nothing in the configuration around them: tuning for an add-on that is not
 * installed, or for dashboards that are not routed. Such a key is no mistake in itself: it is
 * what a stack keeps while a part is off, so that turning the part off or on again is one
 * change. So it deploys, with a warning in the preview that says what would use it. Its
 * default never warns: `Pulumi.yaml`'s defaults reach every stack. Typos, bad values and
 * contradictions are refused elsewhere, whatever this says.
 */

/** What an idle-key check reads, as parsed. */
export interface IdleKeySettings {
    readonly addons: readonly Addon[];
    readonly egressGateway: boolean;
    readonly dashboards: "ingress" | "none";
    readonly dashboardHost?: string;
    readonly ingressServiceType: "LoadBalancer" | "NodePort" | "ClusterIP";
    readonly ambient?: object;
    readonly sidecarCni?: object;
    readonly ingressGateway: boolean;
    readonly existingPrometheus?: object;
    readonly otlpTracing?: { readonly query?: object };
    readonly membership?: { readonly eastWestGateway: boolean };
}

interface Dependency {
    /** The key that needs the other. */
    readonly key: MeshKey;
    /** The entry of the key's map that needs it (a chart of `chartValues`), if not the whole key. */
    readonly entry?: string;
    /** The key it rests on: a refusal of either stops the warning. */
    readonly on: MeshKey;
    /** Whether the configuration gives `key` an effect. */
    readonly effective: (settings: IdleKeySettings) => boolean;
    /** Why it has none here, and what would use it. */
    readonly why: (fullKey: (key: MeshKey) => string) => string;
}

function needsAddon(key: MeshKey, addon: Addon, what: string, entry?: string): Dependency {
    return {
        key,
        ...(entry !== undefined && { entry }),
        on: "addons",
        effective: (settings) => settings.addons.includes(addon),
        why: (k) =>
            `${addon} is not in ${k("addons")}, so ${what}; the bundled ${addon} uses it once ${k("addons")} lists it again`,
    };
}

function needsRoutedDashboards(key: MeshKey): Dependency {
    return {
        key,
        on: "dashboards",
        effective: (settings) => settings.dashboards === "ingress",
        why: (k) =>
            `${k("dashboards")} is none, so no dashboard is routed; the routes through the ingress gateway use it once ${k("dashboards")} is ingress`,
    };
}

function needsAmbient(key: MeshKey, what: string, entry?: string): Dependency {
    return {
        key,
        ...(entry !== undefined && { entry }),
        on: "ambient",
        effective: (settings) => settings.ambient !== undefined,
        why: (k) => `${k("ambient")} is false, so ${what}; ambient's data plane uses it once ${k("ambient")} is true`,
    };
}

function needsIngressGateway(key: MeshKey): Dependency {
    return {
        key,
        on: "ingressGateway",
        effective: (settings) => settings.ingressGateway,
        why: (k) =>
            `${k("ingressGateway")} is false, so there is no ingress gateway; the gateway uses it once ${k("ingressGateway")} is true`,
    };
}

function needsLoadBalancer(key: MeshKey): Dependency {
    return {
        key,
        on: "ingressServiceType",
        effective: (settings) => settings.ingressServiceType === "LoadBalancer",
        why: (k) =>
            `${k("ingressServiceType")} is not LoadBalancer, so no cloud load balancer reads it; the load balancer uses it once ${k("ingressServiceType")} is LoadBalancer`,
    };
}

/** In order: a key gets the message of the first dependency it misses, and only that one. */
const DEPENDENCIES: readonly Dependency[] = [
    needsIngressGateway("ingressNamespace"),
    needsIngressGateway("ingressServiceType"),
    needsIngressGateway("awaitIngressAddress"),
    needsIngressGateway("ingressExternalTrafficPolicy"),
    needsIngressGateway("ingressServiceAnnotations"),
    needsIngressGateway("ingressLoadBalancerSourceRanges"),
    needsIngressGateway("ingressLoadBalancerClass"),
    needsLoadBalancer("ingressLoadBalancerSourceRanges"),
    needsLoadBalancer("ingressLoadBalancerClass"),
    {
        key: "tracingSampling",
        on: "addons",
        effective: (settings) => settings.addons.includes("jaeger") || settings.otlpTracing !== undefined,
        why: (k) =>
            `jaeger is not in ${k("addons")} and ${k("otlpEndpoint")} is empty, so no trace is collected; the bundled jaeger or an OTLP collector uses it once either is on`,
    },
    {
        key: "prometheusScrapesMesh",
        on: "prometheusUrl",
        effective: (settings) => settings.existingPrometheus !== undefined,
        why: (k) =>
            `${k("prometheusUrl")} is empty, so there is no existing Prometheus it speaks of; it is read once ${k("prometheusUrl")} names one`,
    },
    ...(["otlpProtocol", "tracingQueryUrl"] as const).map(
        (key): Dependency => ({
            key,
            on: "otlpEndpoint",
            effective: (settings) => settings.otlpTracing !== undefined,
            why: (k) =>
                `${k("otlpEndpoint")} is empty, so no span goes to a collector; the collector's settings use it once ${k("otlpEndpoint")} names one`,
        }),
    ),
    needsAddon("tracingQueryUrl", "kiali", "nothing queries traces"),
    {
        key: "tracingQueryProvider",
        on: "tracingQueryUrl",
        effective: (settings) => settings.otlpTracing?.query !== undefined,
        why: (k) =>
            `${k("tracingQueryUrl")} is empty or unused, so Kiali queries no traces; it is read once Kiali queries ${k("tracingQueryUrl")}`,
    },
    needsAddon("prometheusRetention", "prometheus", "no metric is kept"),
    needsAddon("prometheusStorage", "prometheus", "no volume is made"),
    needsAddon("kubeletTlsVerify", "prometheus", "no node is scraped"),
    needsAddon("kialiAnonymous", "kiali", "there is no Kiali to log into"),
    {
        key: "egressNamespace",
        on: "egressGateway",
        effective: (settings) => settings.egressGateway,
        why: (k) =>
            `${k("egressGateway")} is false, so there is no egress gateway to place; the egress gateway uses it once ${k("egressGateway")} is true`,
    },
    {
        key: "platform",
        on: "ambient",
        effective: (settings) => settings.ambient !== undefined || settings.sidecarCni !== undefined,
        why: (k) =>
            `${k("ambient")} is false, so no CNI agent is installed to use its paths (sidecars need one on OpenShift only); ambient's data plane uses it once ${k("ambient")} is true`,
    },
    needsAmbient("chartValues", "the CNI agent's chart is not installed", "cni"),
    needsAmbient("chartValues", "ztunnel's chart is not installed", "ztunnel"),
    {
        key: "chartValues",
        entry: "egressGateway",
        on: "egressGateway",
        effective: (settings) => settings.egressGateway,
        why: (k) =>
            `${k("egressGateway")} is false, so the egress gateway's chart is not installed; it is read once ${k("egressGateway")} is true`,
    },
    {
        key: "chartValues",
        entry: "eastWestGateway",
        on: "multiCluster",
        effective: eastWestChart,
        why: () =>
            "the mesh installs no east-west gateway chart here (only in a mesh of several clusters across networks, with sidecars; ambient's east-west gateway is a Gateway istiod runs)",
    },
    ...(["prometheus", "grafana", "jaeger", "kiali"] as const).map((addon) =>
        needsAddon("chartValues", addon, "its chart is not installed", addon),
    ),
    needsAmbient("gatewayApiCrds", "no waypoint needs the Gateway API CRDs"),
    needsRoutedDashboards("dashboardHost"),
    needsRoutedDashboards("dashboardAllowedCidrs"),
    needsRoutedDashboards("dashboardsWithoutLogin"),
    needsRoutedDashboards("dashboardTlsSecret"),
    needsRoutedDashboards("dashboardPlainHttp"),
    {
        key: "ingressExternalTrafficPolicy",
        on: "ingressServiceType",
        effective: externallyReachable,
        why: (k) =>
            `${k("ingressServiceType")} is ClusterIP, which no client outside the cluster reaches, so no node forwards to it; the gateway's Service uses it once ${k("ingressServiceType")} is NodePort or LoadBalancer`,
    },
];

/**
 * Each changed key the configuration gives no effect, with the warning to show: the value,
 * why it has no effect, what would use it, and that removing it silences the warning.
 */
export function idleKeyWarnings(
    settings: IdleKeySettings,
    given: (name: MeshKey) => unknown,
    fullKey: (key: MeshKey) => string,
): [key: MeshKey, message: string, restsOn: MeshKey][] {
    const valueOf = (d: Dependency): unknown => {
        const value = given(d.key);
        return d.entry === undefined ? value : (value as Record<string, unknown> | undefined)?.[d.entry];
    };
    const missed = DEPENDENCIES.filter((d) => valueOf(d) !== undefined && !d.effective(settings));
    const same = (a: Dependency, b: Dependency): boolean => a.key === b.key && a.entry === b.entry;
    return missed
        .filter((d, index) => missed.findIndex((other) => same(other, d)) === index)
        .map((d) => [
            d.key,
            `${d.entry === undefined ? "" : `${d.entry}: `}${JSON.stringify(valueOf(d))} has no effect here: ${d.why(fullKey)}. Keep it for then, or remove it to silence this warning`,
            d.on,
        ]);
}
