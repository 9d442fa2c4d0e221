import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as yaml from "js-yaml";
import { ADDON_SERVICES } from "../values/addon-values";
import { servicesRoutedByGateway } from "./allow-list";
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

function grafanaOpenings(resource: { type: string; props: Props }): string[] {
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

function anonymousDashboards(resource: { type: string; props: Props }): string[] {
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
    const grafana = grafanaOpenings(resource).map((where) => `Grafana without login (${where})`);
    if (grafana.length > 0) {
        return grafana;
    }
    // A route of a login-less dashboard through a gateway, Istio's or the Gateway API's.
    return [...new Set(servicesRoutedByGateway(resource))]
        .filter((service) => WITHOUT_LOGIN.includes(service))
        .map((service) => `${service}, which has no login, through a gateway (${label(resource)})`);
}

/** No dashboard answers without a login: Kiali and Grafana ask for one, and the others are not routed. */
export const noAnonymousDashboards: ResourceValidationPolicy = {
    name: "istio-mesh-no-anonymous-dashboards",
    description: "Protected stacks serve no dashboard without a login.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (!isProtected(args.urn, args.getConfig<Partial<InvariantConfig>>())) {
            return;
        }
        for (const finding of anonymousDashboards(args)) {
            reportViolation(
                `${finding}: not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin)`,
            );
        }
    },
};
