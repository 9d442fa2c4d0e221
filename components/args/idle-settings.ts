import type { MeshKey } from "./arg-paths";
import type { Addon } from "./addons";
import { externallyReachable } from "./exposure";

/**
 * Keys that mean nothing in the configuration around them: a value for an add-on that is
 * not installed, or for dashboards that are not routed. Such a key is a mistake (the user
 * expects an effect that never comes), so a changed value of one is refused, naming what
 * it needs. Its default is not: `Pulumi.yaml`'s defaults reach every stack.
 */

/** What an idle-key check reads, as parsed. */
export interface IdleKeySettings {
    readonly addons: readonly Addon[];
    readonly egressGateway: boolean;
    readonly dashboards: "ingress" | "none";
    readonly dashboardHost?: string;
    readonly ingressGateway: boolean;
    readonly ingressServiceType: "LoadBalancer" | "NodePort" | "ClusterIP";
    readonly ambient?: object;
}

interface Dependency {
    /** The key that needs the other. */
    readonly key: MeshKey;
    /** The entry of the key's map that needs it (a chart of `chartValues`), if not the whole key. */
    readonly entry?: string;
    /** The key it rests on. */
    readonly on: MeshKey;
    /** Whether the configuration gives `key` an effect. */
    readonly effective: (settings: IdleKeySettings) => boolean;
    /** Why it has none, and the two ways out. */
    readonly why: (fullKey: (key: MeshKey) => string) => string;
}

function needsAddon(key: MeshKey, addon: Addon, what: string, entry?: string): Dependency {
    return {
        key,
        ...(entry !== undefined && { entry }),
        on: "addons",
        effective: (settings) => settings.addons.includes(addon),
        why: (k) => `${addon} is not in ${k("addons")}, so ${what}; add ${addon} there or remove this key`,
    };
}

function needsRoutedDashboards(key: MeshKey): Dependency {
    return {
        key,
        on: "dashboards",
        effective: (settings) => settings.dashboards === "ingress",
        why: (k) =>
            `${k("dashboards")} is none, so no dashboard is routed; remove it or set ${k("dashboards")}: ingress`,
    };
}

function needsAmbient(key: MeshKey, what: string, entry?: string): Dependency {
    return {
        key,
        ...(entry !== undefined && { entry }),
        on: "ambient",
        effective: (settings) => settings.ambient !== undefined,
        why: (k) => `${k("ambient")} is false, so ${what}; set ${k("ambient")}: true or remove this key`,
    };
}

function needsIngressGateway(key: MeshKey): Dependency {
    return {
        key,
        on: "ingressGateway",
        effective: (settings) => settings.ingressGateway,
        why: (k) => `${k("ingressGateway")} is false, so there is no ingress gateway; remove it or install one`,
    };
}

function needsLoadBalancer(key: MeshKey): Dependency {
    return {
        key,
        on: "ingressServiceType",
        effective: (settings) => settings.ingressServiceType === "LoadBalancer",
        why: (k) =>
            `${k("ingressServiceType")} is not LoadBalancer, so no cloud load balancer reads it; remove it or use LoadBalancer`,
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
    needsAddon("tracingSampling", "jaeger", "no trace is collected"),
    needsAddon("prometheusRetention", "prometheus", "no metric is kept"),
    needsAddon("prometheusStorage", "prometheus", "no volume is made"),
    needsAddon("kubeletTlsVerify", "prometheus", "no node is scraped"),
    needsAddon("kialiAnonymous", "kiali", "there is no Kiali to log into"),
    {
        key: "egressNamespace",
        on: "egressGateway",
        effective: (settings) => settings.egressGateway,
        why: (k) => `${k("egressGateway")} is false, so there is no egress gateway to place; remove it or install one`,
    },
    needsAmbient("platform", "no CNI agent is installed to use its paths"),
    needsAmbient("gatewayApiCrds", "no waypoint needs the Gateway API CRDs"),
    needsAmbient("chartValues", "the CNI agent's chart is not installed", "cni"),
    needsAmbient("chartValues", "ztunnel's chart is not installed", "ztunnel"),
    {
        key: "chartValues",
        entry: "egressGateway",
        on: "egressGateway",
        effective: (settings) => settings.egressGateway,
        why: (k) =>
            `${k("egressGateway")} is false, so the egress gateway's chart is not installed; remove it or install one`,
    },
    ...(["prometheus", "grafana", "jaeger", "kiali"] as const).map((addon) =>
        needsAddon("chartValues", addon, "its chart is not installed", addon),
    ),
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
            `${k("ingressServiceType")} is ClusterIP, which no client outside the cluster reaches, so no node forwards to it; remove it, or use NodePort or LoadBalancer`,
    },
];

/**
 * Each changed key (or entry of a key's map) the configuration gives no effect: the key,
 * why, the key it rests on, and the entry.
 */
export function idleKeyProblems(
    settings: IdleKeySettings,
    changed: (name: MeshKey, entry?: string) => boolean,
    fullKey: (key: MeshKey) => string,
): [key: MeshKey, message: string, restsOn: MeshKey, entry?: string][] {
    const missed = DEPENDENCIES.filter((d) => changed(d.key, d.entry) && !d.effective(settings));
    const same = (a: Dependency, b: Dependency): boolean => a.key === b.key && a.entry === b.entry;
    return missed
        .filter((d, index) => missed.findIndex((other) => same(other, d)) === index)
        .map((d): [MeshKey, string, MeshKey, string?] =>
            d.entry === undefined
                ? [d.key, `is set, but ${d.why(fullKey)}`, d.on]
                : [d.key, `is set, but ${d.why(fullKey)}`, d.on, d.entry],
        );
}
