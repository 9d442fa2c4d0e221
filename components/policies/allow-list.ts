import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { GatewayRoute, gatewayRoutesToAddons, istioGateway, PolicyInput } from "./routes";
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

/** The labels of the gateway pods the allow-list guards: the ingress gateway's, exactly. */
const INGRESS_GATEWAY = { istio: "ingressgateway" };

const sameLabels = (a: unknown, b: Record<string, string>): boolean =>
    typeof a === "object" &&
    a !== null &&
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Whether a path pattern of a policy covers a path a route matches (`/x` exact, `/x/*` prefix). */
function pathCovered(path: string, patterns: readonly string[]): boolean {
    return patterns.some((p) => p === path || p === "*" || (p.endsWith("*") && path.startsWith(p.slice(0, -1))));
}

interface AllowListRule {
    readonly cidrs: readonly string[];
    readonly operations: readonly { hosts: string[]; paths: string[]; ports: string[] }[];
}

/**
 * The allow-list's one rule, if `policy` has exactly the shape that denies every client
 * outside its ranges: a DENY in the mesh's root namespace on exactly the ingress gateway's
 * pods, one rule with one source of `notRemoteIpBlocks` only (a second field in the same
 * source, or a `when`, is ANDed in and narrows what is denied), and operations of hosts or
 * paths on named ports only. Otherwise why not, as text.
 */
export function allowListRule(policy: { props: Props }): AllowListRule | string {
    const spec = (get(policy.props, "spec") as Props | undefined) ?? {};
    const rules = (spec.rules as Props[] | undefined) ?? [];
    if (get(policy.props, "metadata", "namespace") !== MESH_ROOT_NAMESPACE || spec.action !== "DENY") {
        return `not a DENY in ${MESH_ROOT_NAMESPACE}`;
    }
    if (!sameLabels(get(spec, "selector", "matchLabels"), INGRESS_GATEWAY) || spec.targetRefs !== undefined) {
        return "selects other pods than exactly the ingress gateway's (istio: ingressgateway)";
    }
    if (rules.length !== 1 || Object.keys(rules[0]).some((key) => key !== "from" && key !== "to")) {
        return "has other than one rule of from and to (a when narrows it)";
    }
    const from = (rules[0].from as Props[] | undefined) ?? [];
    const source = (from.length === 1 ? get(from[0], "source") : undefined) as Props | undefined;
    const cidrs = (source?.notRemoteIpBlocks as string[] | undefined) ?? [];
    if (source === undefined || Object.keys(source).length !== 1 || cidrs.length === 0) {
        return "has other than one source of notRemoteIpBlocks alone (another field of it is ANDed in)";
    }
    const operations = ((rules[0].to as Props[] | undefined) ?? []).map((to) => (get(to, "operation") ?? {}) as Props);
    // Hosts and paths in one operation are ANDed: it would deny only a path on a host.
    const shaped = operations.every(
        (op) =>
            Object.keys(op).every((key) => ["hosts", "paths", "ports"].includes(key)) &&
            ((op.ports as unknown[] | undefined) ?? []).length > 0 &&
            (op.hosts === undefined) !== (op.paths === undefined),
    );
    if (operations.length === 0 || !shaped) {
        return "has an operation other than hosts or paths (one of the two) on named ports";
    }
    return {
        cidrs,
        operations: operations.map((op) => ({
            hosts: ((op.hosts as string[] | undefined) ?? []).map(String),
            paths: ((op.paths as string[] | undefined) ?? []).map(String),
            ports: ((op.ports as string[] | undefined) ?? []).map(String),
        })),
    };
}

/** The ports a gateway's servers listen on, as text; undefined for a Gateway the stack does not hold. */
function gatewayPorts(resources: readonly PolicyInput[], ref: string): string[] | undefined {
    const gateway = istioGateway(resources, ref);
    if (gateway === undefined) {
        return undefined;
    }
    return ((get(gateway.props, "spec", "servers") as Props[] | undefined) ?? []).map((server) =>
        String(get(server, "port", "number")),
    );
}

/** Why the allow-list does not cover `route`'s hosts and paths on its gateways' ports; undefined when it does. */
function uncovered(route: GatewayRoute, rule: AllowListRule, resources: readonly PolicyInput[]): string | undefined {
    for (const ref of route.gateways) {
        const gateway = istioGateway(resources, ref);
        if (gateway === undefined || !sameLabels(get(gateway.props, "spec", "selector"), INGRESS_GATEWAY)) {
            return `binds Gateway ${ref}, which is not the ingress gateway's (istio: ingressgateway) in this stack`;
        }
        const ports = gatewayPorts(resources, ref) ?? [];
        const paths = route.http.flatMap((target) => target.paths);
        const covers = (host: string): boolean =>
            rule.operations.some(
                (op) =>
                    ports.every((port) => op.ports.includes(port)) &&
                    ((host !== "*" && op.hosts.includes(host) && op.hosts.includes(`${host}:*`)) ||
                        paths.every((path) => pathCovered(path, op.paths))),
            );
        const open = route.hosts.filter((host) => !covers(host));
        if (open.length > 0) {
            return `serves ${open.join(", ")} on Gateway ${ref} (ports ${ports.join(", ")}) where the allow-list denies nothing`;
        }
    }
    return undefined;
}

/**
 * Routed dashboards keep their allow-list: a DENY AuthorizationPolicy of exactly the shape
 * istio-mesh writes, covering every host and path each route serves on the ports of the
 * ingress gateway's listeners it binds; a route over tcp or tls, or through another gateway,
 * has none.
 */
export const dashboardsAllowListed: StackValidationPolicy = {
    name: "istio-mesh-dashboards-allow-listed",
    description: "Protected stacks that route dashboards through a gateway keep the client allow-list.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Partial<InvariantConfig>>();
        const ours = args.resources.filter((r) => isProtected(r.urn, config));
        const routes = gatewayRoutesToAddons(ours);
        for (const route of routes.filter((r) => r.opaque.length > 0)) {
            reportViolation(
                `${label(route.route)} routes ${route.opaque.join(", ")} over tcp or tls, which no host or path rule of the allow-list can guard: route dashboards over http only`,
            );
        }
        const http = routes.filter((r) => r.http.length > 0);
        if (http.length === 0) {
            return;
        }
        const policies = ours.filter(
            (r) => /:AuthorizationPolicy$/.test(r.type) && get(r.props, "spec", "action") === "DENY",
        );
        const rules = policies.map((policy) => allowListRule(policy)).filter((rule) => typeof rule !== "string");
        if (rules.length === 0) {
            const near = policies.map((policy) => `${label(policy)} ${String(allowListRule(policy))}`);
            reportViolation(
                `${http.map((r) => label(r.route)).join(", ")} route dashboards through a gateway, but no DENY AuthorizationPolicy in ${MESH_ROOT_NAMESPACE} on the ingress gateway refuses clients outside the allowed networks${near.length > 0 ? ` (${near.join("; ")})` : ""}: keep the one istio-mesh writes (istio-mesh:dashboardAllowedCidrs)`,
            );
            return;
        }
        for (const route of http) {
            const reasons = rules.map((rule) => uncovered(route, rule, ours));
            if (reasons.every((reason) => reason !== undefined)) {
                reportViolation(
                    `${label(route.route)} ${reasons[0]}: keep the allow-list istio-mesh writes for the dashboards (istio-mesh:dashboardAllowedCidrs), and route them only through the ingress gateway`,
                );
            }
        }
    },
};
