import type { MeshKey } from "./arg-paths";
import { show } from "./text";
import { Addon } from "./addons";

/**
 * How the dashboards and the ingress gateway meet the network, and the checks across
 * those keys: what a real network does with them (client addresses, plain HTTP, an
 * address that never comes) decides what is allowed.
 */

export const TRAFFIC_POLICIES = ["Local", "Cluster"] as const;
export type TrafficPolicy = (typeof TRAFFIC_POLICIES)[number];

/**
 * Dashboards with no login of their own, routed through the gateway only on request:
 * Prometheus and Jaeger, and Kiali when `kialiAnonymous` turns its login off. The others
 * (Grafana's password, Kiali's token) are routed with `dashboards: ingress`.
 */
export function loginlessDashboards(settings: Pick<ExposureSettings, "kialiAnonymous">): Addon[] {
    return ["prometheus", "jaeger", ...(settings.kialiAnonymous ? (["kiali"] as const) : [])];
}

/** The keys these checks read, as parsed. */
export interface ExposureSettings {
    readonly addons: readonly Addon[];
    readonly kialiAnonymous: boolean;
    readonly ingressGateway: boolean;
    readonly ingressServiceType: "LoadBalancer" | "NodePort" | "ClusterIP";
    readonly awaitIngressAddress: boolean;
    readonly ingressExternalTrafficPolicy: TrafficPolicy;
    readonly dashboards: "ingress" | "none";
    readonly dashboardHost?: string;
    readonly dashboardAllowedCidrs: readonly string[];
    readonly dashboardsWithoutLogin: readonly Addon[];
    readonly dashboardTlsSecret?: string;
    readonly dashboardPlainHttp: boolean;
}

/** Whether the ingress Service is reached from outside the cluster, where a traffic policy applies. */
export function externallyReachable(settings: Pick<ExposureSettings, "ingressServiceType">): boolean {
    return settings.ingressServiceType !== "ClusterIP";
}

/** The dashboards the gateway routes: those with a login, and the login-less ones asked for. */
export function routedDashboards(
    settings: Pick<ExposureSettings, "addons" | "kialiAnonymous" | "dashboards" | "dashboardsWithoutLogin">,
): Addon[] {
    if (settings.dashboards !== "ingress") {
        return [];
    }
    const loginless = loginlessDashboards(settings);
    return settings.addons.filter(
        (addon) => !loginless.includes(addon) || settings.dashboardsWithoutLogin.includes(addon),
    );
}

/**
 * What the exposure keys deploy but leave without effect: a login-less dashboard asked for
 * whose add-on is not installed, which the routes pick up once it is. Each with the key it is
 * reported under and the keys it rests on.
 */
export function exposureWarnings(
    s: Pick<ExposureSettings, "addons" | "dashboards" | "dashboardsWithoutLogin">,
    key: (key: MeshKey) => string,
): [name: string, message: string, restsOn: string[]][] {
    if (s.dashboards !== "ingress") {
        return [];
    }
    return s.dashboardsWithoutLogin
        .filter((addon) => !s.addons.includes(addon))
        .map((addon) => [
            "dashboardsWithoutLogin",
            `${show(addon)} has no effect here: ${addon} is not in ${key("addons")}, so there is no ${addon} to route; its route is made once ${key("addons")} lists it again. Keep it for then, or remove it to silence this warning`,
            ["addons"],
        ]);
}

/** Problems across the exposure keys, each with the key it is reported under and the keys it rests on. */
export function exposureProblems(
    s: ExposureSettings,
    key: (key: MeshKey) => string,
): [name: string, message: string, restsOn: string[]][] {
    const problems: [string, string, string[]][] = [];
    if (!s.ingressGateway) {
        if (s.dashboards === "ingress") {
            problems.push([
                "ingressGateway",
                `false leaves no gateway to route the dashboards through (${key("dashboards")}: ingress); set ${key("dashboards")}: none to reach them by port-forward, or keep the ingress gateway`,
                ["dashboards"],
            ]);
        }
        // The keys of the gateway itself are idle (idle-settings.ts).
        return problems;
    }
    if (s.awaitIngressAddress && s.ingressServiceType !== "LoadBalancer") {
        problems.push([
            "awaitIngressAddress",
            `true, but ${key("ingressServiceType")} is ${s.ingressServiceType}, which gets no address to wait for; set it false, or use LoadBalancer`,
            ["ingressServiceType"],
        ]);
    }
    const exposed = s.dashboards === "ingress";
    const admitsEveryone = s.dashboardAllowedCidrs.includes("0.0.0.0/0");
    if (exposed && externallyReachable(s) && !admitsEveryone && s.ingressExternalTrafficPolicy === "Cluster") {
        problems.push([
            "ingressExternalTrafficPolicy",
            `Cluster makes kube-proxy replace each client's address with a node's, so ${key("dashboardAllowedCidrs")} would see private node addresses and admit everyone; use Local, which keeps client addresses`,
            ["dashboards", "ingressServiceType", "dashboardAllowedCidrs"],
        ]);
    }
    if (!exposed) {
        // Keys that need routed dashboards only warn while nothing is routed (idle-settings.ts).
        return problems;
    }
    const loginless = loginlessDashboards(s);
    // An add-on that is not installed is routed by nothing, login or not: a warning says that.
    for (const addon of s.dashboardsWithoutLogin.filter((listed) => s.addons.includes(listed))) {
        if (!loginless.includes(addon)) {
            problems.push([
                "dashboardsWithoutLogin",
                `${show(addon)} has a login and is routed with ${key("dashboards")}: ingress; list only ${loginless.join(", ")}`,
                ["kialiAnonymous"],
            ]);
        }
    }
    if (s.dashboardTlsSecret !== undefined && s.dashboardHost === undefined) {
        problems.push([
            "dashboardTlsSecret",
            `needs ${key("dashboardHost")}: a certificate is issued for a host name; set the host the certificate names`,
            ["dashboardHost"],
        ]);
    }
    if (s.dashboardTlsSecret !== undefined && s.dashboardPlainHttp) {
        problems.push([
            "dashboardPlainHttp",
            `true, but ${key("dashboardTlsSecret")} is set, which serves HTTPS; remove one of them`,
            ["dashboardTlsSecret"],
        ]);
    }
    // A login over plain HTTP is an opt-in, host or not: removing the host and its certificate
    // must not quietly move Kiali's token and Grafana's password to port 80.
    const logins = routedDashboards(s).filter((addon) => !loginless.includes(addon));
    if (logins.length > 0 && s.dashboardTlsSecret === undefined && !s.dashboardPlainHttp) {
        const https = `name a kubernetes.io/tls Secret of the ingress gateway's namespace (${key("ingressNamespace")}) in ${key("dashboardTlsSecret")} (e.g. one cert-manager fills)`;
        problems.push(
            s.dashboardHost !== undefined
                ? [
                      "dashboardHost",
                      `${show(s.dashboardHost)} is served over plain HTTP, so Kiali's token and Grafana's password would cross the network readable; ${https}, or set ${key("dashboardPlainHttp")}: true to accept plain HTTP`,
                      ["dashboardTlsSecret", "dashboardPlainHttp"],
                  ]
                : [
                      "dashboards",
                      `ingress routes the ${logins.join(" and ")} login${logins.length > 1 ? "s" : ""} over plain HTTP on port 80 (no ${key("dashboardTlsSecret")}), where tokens and passwords cross the network readable; set ${key("dashboardHost")} and ${https}, or set ${key("dashboardPlainHttp")}: true to accept plain HTTP (a laptop cluster)`,
                      ["dashboardHost", "dashboardTlsSecret", "dashboardPlainHttp", "addons", "kialiAnonymous"],
                  ],
        );
    }
    return problems;
}
