/**
 * What the ingress gateway does with a request for the dashboards, modelled on Istio 1.31
 * and the Envoy it configures, so a test can compare what the Gateway and VirtualServices
 * route with what the DENY AuthorizationPolicy refuses to an outside client.
 *
 * Routing (pilot/pkg/networking/core/gateway.go): each Gateway server gets its own route
 * configuration, with `ignore_port_in_host_matching`; a virtual host's domains are the
 * server's hosts, lowercased. A server host is `namespace/dns`: a VirtualService binds only
 * from that namespace, `.` being the Gateway's own and `*` (or no `namespace/`) any. Envoy cuts the authority after its last `:` and lowercases
 * it before matching domains. An HTTPS server is reached only with an SNI its hosts
 * match; a server with `httpsRedirect` answers every request with a redirect. URI
 * matches are case-sensitive and see the path without its query.
 *
 * Policy (pilot/pkg/security/authz/model): `hosts` match the raw `:authority`, port
 * included, ignoring case; `x*` is a prefix, `*x` a suffix, `*` anything. `paths` match
 * the path without its query, case-sensitively, with the same `x*` and `*x` forms; `ports`
 * the listener's port (pilot/pkg/security/authz/model/permission.go: Envoy's destination
 * port); an operation without `hosts`, `paths` or `ports` matches any.
 */

export interface GatewayServer {
    port: { number: number; protocol: string };
    hosts: string[];
    tls?: { httpsRedirect?: boolean; mode?: string };
}

export interface RouteSpec {
    /** The VirtualService's namespace. */
    namespace: string;
    hosts: string[];
    http: { match: { uri: { exact?: string; prefix?: string } }[] }[];
}

export interface DenySpec {
    action: string;
    rules: {
        from: { source: { notRemoteIpBlocks: string[] } }[];
        to: { operation: { hosts?: string[]; paths?: string[]; ports?: string[] } }[];
    }[];
}

export interface Request {
    /** The port the client connects to on the gateway. */
    port: number;
    /** The SNI a TLS client sends: the name it connects to. */
    sni: string;
    /** The `Host` or `:authority` the client writes, any spelling. */
    authority: string;
    path: string;
    clientIp: string;
}

/** Envoy's domain match: a lowercased name, exact, `*`, or a `*.` suffix. */
function domainMatches(domain: string, name: string): boolean {
    const pattern = domain.toLowerCase();
    if (pattern === "*") {
        return true;
    }
    return pattern.startsWith("*") ? name.endsWith(pattern.slice(1)) : name === pattern;
}

/** The authority as Envoy matches virtual hosts with the port ignored: cut at the last `:`, lowercased. */
function routedName(authority: string): string {
    const colon = authority.lastIndexOf(":");
    return (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
}

function withoutQuery(path: string): string {
    const mark = path.indexOf("?");
    return mark === -1 ? path : path.slice(0, mark);
}

/** A server host's namespace part and DNS part: `./x` is the Gateway's namespace, `x` any. */
function serverHost(host: string, gatewayNamespace: string): { namespace: string; dns: string } {
    const slash = host.indexOf("/");
    if (slash === -1) {
        return { namespace: "*", dns: host };
    }
    const namespace = host.slice(0, slash);
    return { namespace: namespace === "." ? gatewayNamespace : namespace, dns: host.slice(slash + 1) };
}

/**
 * Whether the Gateway (in `gatewayNamespace`) and VirtualServices bound to it deliver
 * `request` to one of them.
 */
export function routes(
    gatewayNamespace: string,
    servers: readonly GatewayServer[],
    services: readonly RouteSpec[],
    request: Request,
): boolean {
    const name = routedName(request.authority);
    const path = withoutQuery(request.path);
    return servers.some((server) => {
        if (server.port.number !== request.port || server.tls?.httpsRedirect === true) {
            return false;
        }
        const hosts = server.hosts.map((host) => serverHost(host, gatewayNamespace));
        if (server.port.protocol === "HTTPS" && !hosts.some(({ dns }) => domainMatches(dns, request.sni))) {
            return false;
        }
        // A VirtualService joins the server's route configuration under the hosts both name,
        // if the server admits its namespace under that host.
        return services.some(
            (service) =>
                service.hosts.some((host) => domainMatches(host, name)) &&
                hosts.some(
                    ({ namespace, dns }) =>
                        (namespace === "*" || namespace === service.namespace) && domainMatches(dns, name),
                ) &&
                service.http.some((route) =>
                    route.match.some(({ uri }) =>
                        uri.exact !== undefined ? path === uri.exact : path.startsWith(uri.prefix ?? "\u0000"),
                    ),
                ),
        );
    });
}

function stringMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
    const [p, v] = ignoreCase ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
    if (p === "*") {
        return true;
    }
    if (p.startsWith("*")) {
        return v.endsWith(p.slice(1));
    }
    if (p.endsWith("*")) {
        return v.startsWith(p.slice(0, -1));
    }
    return v === p;
}

function ipv4(address: string): number {
    return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function inBlock(ip: string, block: string): boolean {
    const [base, bits = "32"] = block.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

/** Whether the DENY policy refuses `request`. */
export function denies(policy: DenySpec, request: Request): boolean {
    if (policy.action !== "DENY") {
        throw new Error(`expected a DENY policy, got ${policy.action}`);
    }
    const path = withoutQuery(request.path);
    return policy.rules.some(
        (rule) =>
            rule.from.every(({ source }) =>
                source.notRemoteIpBlocks.every((block) => !inBlock(request.clientIp, block)),
            ) &&
            rule.to.some(
                ({ operation }) =>
                    (operation.hosts === undefined ||
                        operation.hosts.some((host) => stringMatches(host, request.authority, true))) &&
                    (operation.paths === undefined ||
                        operation.paths.some((pattern) => stringMatches(pattern, path, false))) &&
                    // The listener's port, which is the Service's targetPort: 80 and 443 for the gateway chart.
                    (operation.ports === undefined || operation.ports.includes(String(request.port))),
            ),
    );
}

/** An address in no private range: a client on the internet (TEST-NET-3). */
export const OUTSIDER = "203.0.113.7";

/**
 * Every spelling a client may send for `host` and a dashboard `path`, on the gateway's ports:
 * letter case, a port in the authority (the real one, another, none after the colon), a
 * trailing dot, and paths with a slash, a sub-path or a query.
 */
export function spellings(hosts: readonly string[], paths: readonly string[], ports: readonly number[]): Request[] {
    const requests: Request[] = [];
    for (const host of hosts) {
        const names = [host, host.toUpperCase(), host[0].toUpperCase() + host.slice(1), `${host}.`];
        const authorities = names.flatMap((name) => [name, `${name}:443`, `${name}:80`, `${name}:8443`, `${name}:`]);
        for (const port of ports) {
            for (const authority of authorities) {
                for (const path of paths) {
                    for (const spelled of [path, `${path}/`, `${path}/api`, `${path}?x=1`, `${path}/api?x=1`]) {
                        requests.push({ port, sni: host, authority, path: spelled, clientIp: OUTSIDER });
                    }
                }
            }
        }
    }
    return requests;
}

/** `port authority path` of a request, as a failure names it. */
export function requestLine(request: Request): string {
    return `${request.port} ${request.authority} ${request.path}`;
}
