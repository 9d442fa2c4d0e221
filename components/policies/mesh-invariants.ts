import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as yaml from "js-yaml";
import { ADDON_SERVICES } from "../values/addon-values";

/**
 * The security invariants of a protected stack, as Pulumi policies: what a pull request must
 * not be able to turn off by changing a stack file and the test that guards it together.
 * They read what the engine is told (the program's resources and every object a chart
 * renders), not our config, so a change anywhere in the program is held to them too.
 */

/** Stacks these policies hold in unless the pack's config names others. */
export const DEFAULT_PROTECTED_STACKS = ["staging", "prod"];

/** Each policy's config: which stacks it holds in. */
export interface InvariantConfig {
    protectedStacks: string[];
}

const configSchema = {
    properties: {
        protectedStacks: {
            type: "array" as const,
            items: { type: "string" as const },
            default: DEFAULT_PROTECTED_STACKS,
        },
    },
};

/** Istio's mesh root namespace: a PeerAuthentication there without a selector is mesh-wide. */
const MESH_ROOT_NAMESPACE = "istio-system";

/** The stack of a resource, from its URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
    return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}

/** The engine fills each policy's config from the schema's defaults; a runner that does not gets them here. */
function isProtected(urn: string, config: Partial<InvariantConfig>): boolean {
    return (config.protectedStacks ?? DEFAULT_PROTECTED_STACKS).includes(stackOfUrn(urn));
}

type Props = Record<string, unknown>;
const get = (value: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((node, key) => (node as Props | undefined)?.[key], value);
const label = (resource: { type: string; props: Props }): string =>
    `${resource.type.slice(resource.type.lastIndexOf(":") + 1)} ${[get(resource.props, "metadata", "namespace"), get(resource.props, "metadata", "name")].filter((part) => part !== undefined).join("/")}`;

const PEER_AUTHENTICATION = /^kubernetes:security\.istio\.io\/v1(beta1)?:PeerAuthentication$/;

/**
 * No PeerAuthentication loosens mutual TLS, for the mesh, a namespace, a workload or a port.
 * A resource policy: the engine runs it before it creates or updates each resource, so it
 * stops `pulumi up` before the change reaches the cluster.
 */
export const strictMtls: ResourceValidationPolicy = {
    name: "istio-mesh-strict-mtls",
    description: "Protected stacks loosen mutual TLS nowhere: every PeerAuthentication is STRICT.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (
            !PEER_AUTHENTICATION.test(args.type) ||
            !isProtected(args.urn, args.getConfig<Partial<InvariantConfig>>())
        ) {
            return;
        }
        const modes = [
            get(args.props, "spec", "mtls", "mode"),
            ...Object.values((get(args.props, "spec", "portLevelMtls") as Props | undefined) ?? {}).map((port) =>
                get(port, "mode"),
            ),
        ];
        const loose = modes.filter((mode) => mode !== undefined && mode !== "STRICT" && mode !== "UNSET");
        if (loose.length > 0) {
            reportViolation(
                `${label(args)} sets mtls mode ${loose.join(", ")}: only STRICT is allowed; set istio-mesh:mtlsMode to STRICT`,
            );
        }
    },
};

/**
 * A mesh-wide PeerAuthentication says STRICT. A stack policy, since it checks that something
 * exists: the engine runs it after a preview (which then fails) or after an update, so it
 * stops a pull request's preview, not a deploy already under way.
 */
export const meshWideStrictMtls: StackValidationPolicy = {
    name: "istio-mesh-mesh-wide-strict-mtls",
    description: "Protected stacks have a mesh-wide PeerAuthentication with STRICT mutual TLS.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Partial<InvariantConfig>>();
        const ours = args.resources.filter((r) => isProtected(r.urn, config));
        if (ours.length === 0) {
            return;
        }
        const meshWide = ours.filter(
            (r) =>
                PEER_AUTHENTICATION.test(r.type) &&
                get(r.props, "metadata", "namespace") === MESH_ROOT_NAMESPACE &&
                get(r.props, "spec", "selector") === undefined,
        );
        if (!meshWide.some((r) => get(r.props, "spec", "mtls", "mode") === "STRICT")) {
            reportViolation(
                `no mesh-wide PeerAuthentication (in ${MESH_ROOT_NAMESPACE}, no selector) with mtls.mode STRICT: set istio-mesh:mtlsMode to STRICT`,
            );
        }
    },
};

/** A CIDR that covers every address of its family. */
const everyAddress = (cidr: unknown): boolean => typeof cidr === "string" && /\/0$/.test(cidr.trim());
const SOURCE_BLOCKS = ["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"];

/** No AuthorizationPolicy names every address: in a DENY allow-list's notRemoteIpBlocks it admits the internet. */
export const noOpenAllowList: ResourceValidationPolicy = {
    name: "istio-mesh-no-open-allow-list",
    description: "Protected stacks' AuthorizationPolicies name no 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, reportViolation) => {
        if (
            !/:AuthorizationPolicy$/.test(args.type) ||
            !isProtected(args.urn, args.getConfig<Partial<InvariantConfig>>())
        ) {
            return;
        }
        const rules = (get(args.props, "spec", "rules") as Props[] | undefined) ?? [];
        const open = rules
            .flatMap((rule) => (get(rule, "from") as Props[] | undefined) ?? [])
            .flatMap((from) =>
                SOURCE_BLOCKS.flatMap((field) =>
                    ((get(from, "source", field) as unknown[]) ?? [])
                        .filter(everyAddress)
                        .map((cidr) => `${field} ${String(cidr)}`),
                ),
            );
        if (open.length > 0) {
            reportViolation(
                `${label(args)} names every address (${open.join(", ")}): list the networks that may reach the dashboards in istio-mesh:dashboardAllowedCidrs`,
            );
        }
    },
};

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

function anonymousDashboards(resource: { type: string; props: Props }): string[] {
    const { type, props } = resource;
    const chart = get(props, "chart");
    if (
        type === "kubernetes:helm.sh/v4:Chart" &&
        chart === "kiali-server" &&
        get(props, "values", "auth", "strategy") === "anonymous"
    ) {
        return ["Kiali without login (kiali-server values auth.strategy anonymous)"];
    }
    if (
        type === "kubernetes:helm.sh/v4:Chart" &&
        chart === "grafana" &&
        get(props, "values", "grafana.ini", "auth.anonymous", "enabled") === true
    ) {
        return ["Grafana without login (grafana values grafana.ini auth.anonymous.enabled)"];
    }
    if (type === "kubernetes:core/v1:ConfigMap" && get(props, "metadata", "name") === "kiali") {
        const text = get(props, "data", "config.yaml");
        const config = typeof text === "string" ? (yaml.load(text) as Props | undefined) : undefined;
        return get(config, "auth", "strategy") === "anonymous"
            ? [`Kiali without login (${label(resource)} auth.strategy anonymous)`]
            : [];
    }
    if (type === "kubernetes:core/v1:ConfigMap" && get(props, "metadata", "name") === "grafana") {
        const ini = String(get(props, "data", "grafana.ini") ?? "");
        return iniValue(ini, "auth.anonymous", "enabled") === "true"
            ? [`Grafana without login (${label(resource)} [auth.anonymous] enabled)`]
            : [];
    }
    if (/^kubernetes:networking\.istio\.io\/v1(beta1|alpha3)?:VirtualService$/.test(type)) {
        const gateways = (get(props, "spec", "gateways") as string[] | undefined) ?? [];
        if (gateways.length === 0 || gateways.every((gateway) => gateway === "mesh")) {
            return [];
        }
        const hosts = ((get(props, "spec", "http") as Props[] | undefined) ?? [])
            .flatMap((route) => (get(route, "route") as Props[] | undefined) ?? [])
            .map((route) => String(get(route, "destination", "host") ?? ""));
        return hosts
            .filter((host) => WITHOUT_LOGIN.includes(host.split(".")[0]))
            .map((host) => `${host.split(".")[0]}, which has no login, through a gateway (${label(resource)})`);
    }
    return [];
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

export const MESH_INVARIANTS = [strictMtls, meshWideStrictMtls, noOpenAllowList, noAnonymousDashboards];
