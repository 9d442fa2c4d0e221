import type { StackValidationPolicy } from "@pulumi/policy";
import * as yaml from "js-yaml";
import { ADDON_SERVICES } from "../values/addon-endpoints";
import { addonResolver, exposuresAroundTheGateway, gatewayRoutesToAddons, istioGateway, PolicyInput } from "./routes";
import { configSchema, get, InvariantConfig, isProtected, label, Props } from "./scope";

/** No dashboard answers without a login in a protected stack. */

/** Dashboards that have no login of their own: routing one through a gateway serves it to anyone. */
const WITHOUT_LOGIN = [ADDON_SERVICES.prometheus.service, ADDON_SERVICES.jaeger.service];

/** A key's value in an ini file's section, the last one given, as Grafana reads it; undefined if unset. */
function iniValue(ini: string, section: string, key: string): string | undefined {
    let current = "";
    let value: string | undefined;
    for (const line of ini.split("\n").map((text) => text.trim())) {
        const header = /^\[(.+)\]$/.exec(line);
        const assignment = /^([^=;#]+?)\s*=\s*(.*)$/.exec(line);
        if (header !== null) {
            current = header[1].trim();
        } else if (assignment !== null && current === section && assignment[1] === key) {
            value = assignment[2].trim().toLowerCase();
        }
    }
    return value;
}

/**
 * Grafana's settings that let a visitor in without its login: anonymous access, or trusting
 * a header any client can send (`auth.proxy`), each in grafana.ini or as the environment
 * variable Grafana reads it from.
 */
const GRAFANA_OPENINGS = [
    { section: "auth.anonymous", env: "GF_AUTH_ANONYMOUS_ENABLED" },
    { section: "auth.proxy", env: "GF_AUTH_PROXY_ENABLED" },
];

const truthy = (value: unknown): boolean => value === true || String(value).toLowerCase() === "true";

function grafanaOpenings(resource: PolicyInput): string[] {
    const { type, props } = resource;
    if (type === "kubernetes:helm.sh/v4:Chart" && get(props, "chart") === "grafana") {
        return GRAFANA_OPENINGS.flatMap(({ section, env }) => [
            ...(truthy(get(props, "values", "grafana.ini", section, "enabled"))
                ? [`grafana values grafana.ini ${section}.enabled`]
                : []),
            ...(truthy(get(props, "values", "env", env)) ? [`grafana values env.${env}`] : []),
        ]);
    }
    if (type === "kubernetes:core/v1:ConfigMap" && get(props, "metadata", "name") === "grafana") {
        const ini = String(get(props, "data", "grafana.ini") ?? "");
        return GRAFANA_OPENINGS.filter(({ section }) => iniValue(ini, section, "enabled") === "true").map(
            ({ section }) => `${label(resource)} [${section}] enabled`,
        );
    }
    if (type === "kubernetes:apps/v1:Deployment" && get(props, "metadata", "name") === "grafana") {
        const containers = (get(props, "spec", "template", "spec", "containers") as Props[] | undefined) ?? [];
        return containers.flatMap((container) =>
            ((get(container, "env") as Props[] | undefined) ?? [])
                .filter((e) => GRAFANA_OPENINGS.some(({ env }) => env === get(e, "name")) && truthy(get(e, "value")))
                .map((e) => `${label(resource)} env ${String(get(e, "name"))}`),
        );
    }
    return [];
}

/** Kiali or Grafana set to let visitors in without their login, in one resource. */
function loginsTurnedOff(resource: PolicyInput): string[] {
    const { type, props } = resource;
    if (
        type === "kubernetes:helm.sh/v4:Chart" &&
        get(props, "chart") === "kiali-server" &&
        get(props, "values", "auth", "strategy") === "anonymous"
    ) {
        return ["Kiali without login (kiali-server values auth.strategy anonymous)"];
    }
    if (type === "kubernetes:core/v1:ConfigMap" && get(props, "metadata", "name") === "kiali") {
        const text = get(props, "data", "config.yaml");
        const config = typeof text === "string" ? (yaml.load(text) as Props | undefined) : undefined;
        return get(config, "auth", "strategy") === "anonymous"
            ? [`Kiali without login (${label(resource)} auth.strategy anonymous)`]
            : [];
    }
    return grafanaOpenings(resource).map((where) => `Grafana without login (${where})`);
}

/** The TLS modes in which a Gateway server terminates TLS itself, so routes see the request decrypted. */
const TERMINATING_TLS = ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"];

/**
 * Whether a server of an Istio Gateway takes a login in the clear: any server that neither
 * terminates TLS (an HTTPS server in SIMPLE or MUTUAL mode) nor only redirects to HTTPS.
 * Istio reads the protocol case-insensitively, so `http` is HTTP too.
 */
const servesPlainHttp = (server: Props): boolean => {
    const protocol = String(get(server, "port", "protocol") ?? "").toUpperCase();
    if (get(server, "tls", "httpsRedirect") === true) {
        return false;
    }
    return !(protocol === "HTTPS" && TERMINATING_TLS.includes(String(get(server, "tls", "mode") ?? "SIMPLE")));
};

/**
 * Every way the stack serves a dashboard without its login, or its login in the clear: Kiali
 * and Grafana settings, a login-less dashboard routed through a gateway (delegates, Gateway
 * API routes), and a login routed over a plain-HTTP server.
 */
function anonymousDashboards(resources: readonly PolicyInput[]): string[] {
    const settings = resources.flatMap(loginsTurnedOff);
    const routes = gatewayRoutesToAddons(resources);
    const resolve = addonResolver(resources);
    const loginless = routes.flatMap((route) =>
        [...new Set(route.http.map(({ addon }) => addon))]
            .filter((addon) => WITHOUT_LOGIN.includes(addon))
            .map((addon) => `${addon}, which has no login, through a gateway (${label(route.route)})`),
    );
    const gatewayApi = resources
        .filter((r) => /^kubernetes:gateway\.networking\.k8s\.io\//.test(r.type))
        .flatMap((route) =>
            [
                ...new Set(
                    ((get(route.props, "spec", "rules") as Props[] | undefined) ?? []).flatMap((rule) =>
                        ((get(rule, "backendRefs") as Props[] | undefined) ?? []).map((ref) =>
                            resolve(get(ref, "name")),
                        ),
                    ),
                ),
            ]
                .filter((addon): addon is string => addon !== undefined && WITHOUT_LOGIN.includes(addon))
                .map((addon) => `${addon}, which has no login, through a gateway (${label(route)})`),
        );
    const cleartext = routes.flatMap((route) => {
        const logins = [...new Set(route.http.map(({ addon }) => addon))].filter((a) => !WITHOUT_LOGIN.includes(a));
        const plain = route.gateways.filter((ref) =>
            ((get(istioGateway(resources, ref)?.props, "spec", "servers") as Props[] | undefined) ?? []).some(
                servesPlainHttp,
            ),
        );
        return logins.length > 0 && plain.length > 0
            ? [
                  `the ${logins.join(" and ")} login over plain HTTP (${label(route.route)} on Gateway ${plain.join(", ")})`,
              ]
            : [];
    });
    return [...settings, ...loginless, ...gatewayApi, ...cleartext];
}

/**
 * No dashboard answers without a login, and no login crosses the network in the clear:
 * Kiali and Grafana ask for one over HTTPS, and the login-less ones are not routed.
 */
export const noAnonymousDashboards: StackValidationPolicy = {
    name: "istio-mesh-no-anonymous-dashboards",
    description: "Protected stacks serve no dashboard without a login, and no login over plain HTTP.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Partial<InvariantConfig>>();
        for (const finding of anonymousDashboards(args.resources.filter((r) => isProtected(r.urn, config)))) {
            reportViolation(
                `${finding}: not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login over HTTPS (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin, istio-mesh:dashboardTlsSecret)`,
            );
        }
    },
};

/**
 * No add-on is reachable from outside the cluster but through the ingress gateway and its
 * allow-list: no Service of type NodePort or LoadBalancer, or with external IPs, selects an
 * add-on's pods or sits in their namespace; no add-on pod uses the node's network or a host
 * port; and no Ingress or Gateway API route leads to an add-on or an alias of it.
 */
export const dashboardsClusterInternal: StackValidationPolicy = {
    name: "istio-mesh-dashboards-cluster-internal",
    description: "Protected stacks expose no add-on but through the ingress gateway's allow-list.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const ours = args.resources.filter((r) => isProtected(r.urn, args.getConfig<Partial<InvariantConfig>>()));
        for (const exposure of exposuresAroundTheGateway(ours)) {
            reportViolation(
                `${exposure}, around the ingress gateway's allow-list: keep add-on Services ClusterIP and route dashboards only through the ingress gateway (istio-mesh:dashboards: ingress)`,
            );
        }
    },
};
