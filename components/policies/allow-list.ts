import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ADDON_SERVICES } from "../values/addon-values";
import { configSchema, get, InvariantConfig, isProtected, label, MESH_ROOT_NAMESPACE, Props } from "./scope";

/** The dashboards' client allow-list stays in place, and stays narrow. */

const SOURCE_BLOCKS = ["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"];

/** Ranges no internet client comes from: they count for nothing in an allow-list's breadth. */
const PRIVATE_IPV4 = ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** The most public IPv4 addresses the ranges of one policy may cover together: a /16's. */
export const MAX_PUBLIC_ADDRESSES = 2 ** 16;
/** The shortest IPv6 prefix a policy may name. */
const MIN_IPV6_PREFIX = 32;

function ipv4(cidr: string): { base: number; prefix: number } | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr.trim());
    if (match === null) {
        return undefined;
    }
    const base = match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0);
    return { base, prefix: match[5] === undefined ? 32 : Number(match[5]) };
}

const within = (inner: { base: number; prefix: number }, outer: { base: number; prefix: number }): boolean =>
    inner.prefix >= outer.prefix &&
    Math.floor(inner.base / 2 ** (32 - outer.prefix)) === Math.floor(outer.base / 2 ** (32 - outer.prefix));

/** How many public IPv4 addresses a CIDR covers: its size less the private ranges inside it. */
export function publicAddresses(cidr: string): number {
    const range = ipv4(cidr);
    if (range === undefined) {
        return 0;
    }
    const privates = PRIVATE_IPV4.map((text) => ipv4(text) as { base: number; prefix: number });
    if (privates.some((p) => within(range, p))) {
        return 0;
    }
    const inside = privates.filter((p) => within(p, range)).reduce((sum, p) => sum + 2 ** (32 - p.prefix), 0);
    return 2 ** (32 - range.prefix) - inside;
}

/** What is too broad among one policy's CIDRs, for its message; [] when none is. */
export function broadRanges(cidrs: readonly string[]): string[] {
    const ipv6 = cidrs.filter((cidr) => cidr.includes(":"));
    const tooBroadV6 = ipv6.filter((cidr) => Number(cidr.split("/")[1] ?? 128) < MIN_IPV6_PREFIX);
    const total = cidrs.filter((cidr) => !cidr.includes(":")).reduce((sum, cidr) => sum + publicAddresses(cidr), 0);
    return [
        ...tooBroadV6.map((cidr) => `${cidr} is shorter than /${MIN_IPV6_PREFIX}`),
        ...(total > MAX_PUBLIC_ADDRESSES
            ? [`its IPv4 ranges cover ${total} public addresses, more than a /16 (${MAX_PUBLIC_ADDRESSES})`]
            : []),
    ];
}

/**
 * No AuthorizationPolicy names a broad part of the internet, in one range or in several
 * (two /1s are the whole of it): in a DENY allow-list's notRemoteIpBlocks that admits it.
 */
export const noOpenAllowList: ResourceValidationPolicy = {
    name: "istio-mesh-no-open-allow-list",
    description: "Protected stacks' AuthorizationPolicies name at most a /16's worth of public addresses.",
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
        const cidrs = rules
            .flatMap((rule) => (get(rule, "from") as Props[] | undefined) ?? [])
            .flatMap((from) => SOURCE_BLOCKS.flatMap((field) => (get(from, "source", field) as string[]) ?? []));
        const broad = broadRanges(cidrs.map(String));
        if (broad.length > 0) {
            reportViolation(
                `${label(args)} admits too much of the internet (${broad.join("; ")}): list the networks that may reach the dashboards in istio-mesh:dashboardAllowedCidrs`,
            );
        }
    },
};

const ADDON_HOSTS = Object.values(ADDON_SERVICES).map((addon) => addon.service);

/**
 * The Services a route sends traffic to through a gateway, by name (a host's first label):
 * an Istio VirtualService bound to a gateway, or a Gateway API route; [] for anything else.
 */
export function servicesRoutedByGateway(resource: { type: string; props: Props }): string[] {
    const { type, props } = resource;
    if (/^kubernetes:networking\.istio\.io\/v1(beta1|alpha3)?:VirtualService$/.test(type)) {
        const gateways = (get(props, "spec", "gateways") as string[] | undefined) ?? [];
        if (!gateways.some((gateway) => gateway !== "mesh")) {
            return [];
        }
        return ((get(props, "spec", "http") as Props[] | undefined) ?? [])
            .flatMap((route) => (get(route, "route") as Props[] | undefined) ?? [])
            .map((route) => String(get(route, "destination", "host") ?? "").split(".")[0]);
    }
    if (/^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1|alpha2)?:(HTTP|GRPC|TCP|TLS)Route$/.test(type)) {
        return ((get(props, "spec", "rules") as Props[] | undefined) ?? [])
            .flatMap((rule) => (get(rule, "backendRefs") as Props[] | undefined) ?? [])
            .map((ref) => String(get(ref, "name")));
    }
    return [];
}

/** The routes among `resources` that serve a dashboard through a gateway, as `Kind ns/name`. */
export function dashboardRoutes(resources: readonly { type: string; props: Props }[]): string[] {
    return resources
        .filter((r) => servicesRoutedByGateway(r).some((service) => ADDON_HOSTS.includes(service)))
        .map(label);
}

/**
 * Routed dashboards keep their allow-list: a DENY AuthorizationPolicy in the mesh's root
 * namespace, on the ingress gateway's pods, refusing clients outside the listed networks.
 */
export const dashboardsAllowListed: StackValidationPolicy = {
    name: "istio-mesh-dashboards-allow-listed",
    description: "Protected stacks that route dashboards through a gateway keep the client allow-list.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Partial<InvariantConfig>>();
        const ours = args.resources.filter((r) => isProtected(r.urn, config));
        const routes = dashboardRoutes(ours);
        const allowList = ours.some(
            (r) =>
                /:AuthorizationPolicy$/.test(r.type) &&
                get(r.props, "metadata", "namespace") === MESH_ROOT_NAMESPACE &&
                get(r.props, "spec", "action") === "DENY" &&
                get(r.props, "spec", "selector", "matchLabels", "istio") === "ingressgateway" &&
                ((get(r.props, "spec", "rules") as Props[] | undefined) ?? []).some((rule) =>
                    ((get(rule, "from") as Props[] | undefined) ?? []).some(
                        (from) => ((get(from, "source", "notRemoteIpBlocks") as unknown[]) ?? []).length > 0,
                    ),
                ),
        );
        if (routes.length > 0 && !allowList) {
            reportViolation(
                `${routes.join(", ")} route dashboards through a gateway, but no DENY AuthorizationPolicy in ${MESH_ROOT_NAMESPACE} on the ingress gateway refuses clients outside the allowed networks: keep the one istio-mesh writes (istio-mesh:dashboardAllowedCidrs)`,
            );
        }
    },
};
