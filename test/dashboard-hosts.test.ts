import * as assert from "assert";
import {
    DenySpec,
    denies,
    GatewayServer,
    OUTSIDER,
    Request,
    requestLine,
    RouteSpec,
    routes,
    spellings,
} from "./support/dashboard-traffic";
import { Graph } from "./support/graph";
import { evaluateStack } from "./support/program";
import { renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * The allow-list holds for every spelling of the dashboard host the gateway routes: what an
 * outside client reaches through the Gateway and VirtualServices, the DENY policy refuses.
 */

interface Exposure {
    namespace: string;
    servers: GatewayServer[];
    services: RouteSpec[];
    policy: DenySpec;
}

async function exposureOf(stack: string, overrides: Record<string, unknown> = {}): Promise<Exposure> {
    const run = await evaluateStack(stack, overrides);
    assert.strictEqual(run.error, undefined);
    const graph = new Graph(run.registrations);
    const [gateway] = graph.ofType("kubernetes:networking.istio.io/v1:Gateway");
    const [policy] = graph.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy");
    const namespaceOf = (r: { inputs: Record<string, unknown> }): string =>
        (r.inputs.metadata as { namespace: string }).namespace;
    return {
        namespace: namespaceOf(gateway),
        servers: (gateway.inputs.spec as { servers: GatewayServer[] }).servers,
        services: graph.ofType("kubernetes:networking.istio.io/v1:VirtualService").map((service) => ({
            namespace: namespaceOf(service),
            ...(service.inputs.spec as Omit<RouteSpec, "namespace">),
        })),
        policy: policy.inputs.spec as DenySpec,
    };
}

/** Requests an outsider gets through to a dashboard: routed and not denied. */
function admitted(exposure: Exposure, requests: readonly Request[]): { routed: number; leaks: string[] } {
    const routed = requests.filter((request) =>
        routes(exposure.namespace, exposure.servers, exposure.services, request),
    );
    return {
        routed: routed.length,
        leaks: routed.filter((request) => !denies(exposure.policy, request)).map(requestLine),
    };
}

const PATHS = ["/grafana", "/kiali"];

describe("dashboard host spellings", () => {
    // Per host, one port routes: 4 names (3 when the trailing dot is not routed) x 5 port
    // spellings x 2 dashboards x 5 path spellings. Were it fewer, the check would prove less.
    const cases: {
        title: string;
        stack: string;
        overrides?: Record<string, unknown>;
        hosts: string[];
        routedPerHost: number;
    }[] = [
        // Any host: the Host header is the client's to choose, names and addresses alike.
        {
            title: "dev (any host)",
            stack: "dev",
            hosts: ["mesh.example.com", "localhost", "192.0.2.10"],
            routedPerHost: 4 * 5 * 2 * 5,
        },
        {
            title: "staging (HTTPS host)",
            stack: "staging",
            hosts: ["mesh.staging.example.com"],
            routedPerHost: 3 * 5 * 2 * 5,
        },
        {
            title: "a host over plain HTTP",
            stack: "dev",
            overrides: { "istio-mesh:dashboardHost": "mesh.example.com", "istio-mesh:dashboardPlainHttp": true },
            hosts: ["mesh.example.com"],
            routedPerHost: 3 * 5 * 2 * 5,
        },
    ];
    for (const { title, stack, overrides, hosts, routedPerHost } of cases) {
        it(`${title}: every spelling an outsider gets routed to a dashboard is denied`, async () => {
            const exposure = await exposureOf(stack, overrides);
            const { routed, leaks } = admitted(exposure, spellings(hosts, PATHS, [80, 443]));
            assert.strictEqual(routed, hosts.length * routedPerHost);
            assert.deepStrictEqual(leaks, []);
        });
    }

    it("denies on the dashboards' listeners only: a TCP or passthrough server on another port stays open to the public", async () => {
        for (const stack of ["staging", "dev"]) {
            const { policy } = await exposureOf(stack);
            const request = (port: number): Request => ({
                port,
                sni: "db.example.com",
                authority: "mesh.staging.example.com",
                path: "/kiali",
                clientIp: OUTSIDER,
            });
            // On a TCP listener Istio keeps only the rule's port and client conditions: without
            // ports, port 31400 would deny every outsider whatever it carries.
            assert.deepStrictEqual(
                [31400, 15443].map((port) => denies(policy, request(port))),
                [false, false],
            );
            assert.strictEqual(denies(policy, request(80)), true, stack);
        }
    });

    it("finds the bypass in a policy that names the host without a port", async () => {
        const exposure = await exposureOf("staging");
        const hostOnly = structuredClone(exposure.policy);
        hostOnly.rules[0].to[0].operation.hosts = ["mesh.staging.example.com"];
        const { leaks } = admitted(
            { ...exposure, policy: hostOnly },
            spellings(["mesh.staging.example.com"], PATHS, [443]),
        );
        assert.ok(leaks.includes("443 mesh.staging.example.com:443 /kiali"), leaks.slice(0, 5).join("; "));
        assert.ok(leaks.includes("443 MESH.STAGING.EXAMPLE.COM:8443 /grafana/api"), leaks.slice(0, 5).join("; "));
        // Case alone is no bypass: both sides ignore it.
        assert.ok(!leaks.some((line) => /^443 [^ :]+ /.test(line)), leaks.join("; "));
    });

    it("routes neither a trailing dot nor the HTTP port of an HTTPS host, nor another SNI", async () => {
        const { namespace, servers, services } = await exposureOf("staging");
        const request = (port: number, sni: string, authority: string): Request => ({
            port,
            sni,
            authority,
            path: "/kiali",
            clientIp: "203.0.113.7",
        });
        assert.strictEqual(
            routes(
                namespace,
                servers,
                services,
                request(443, "mesh.staging.example.com", "Mesh.Staging.Example.com:443"),
            ),
            true,
        );
        assert.strictEqual(
            routes(namespace, servers, services, request(443, "mesh.staging.example.com", "mesh.staging.example.com.")),
            false,
        );
        assert.strictEqual(routes(namespace, servers, services, request(80, "", "mesh.staging.example.com")), false);
        assert.strictEqual(
            routes(namespace, servers, services, request(443, "other.example.com", "mesh.staging.example.com")),
            false,
        );
        assert.strictEqual(
            routes(namespace, servers, services, request(443, "mesh.staging.example.com", "other.example.com")),
            false,
        );
    });

    describe("no other namespace binds the dashboard gateway", () => {
        // A VirtualService anyone with rights in `shop` may write, bound to the dashboard Gateway.
        const intruder = (host: string): RouteSpec => ({
            namespace: "shop",
            hosts: [host],
            http: [{ match: [{ uri: { prefix: "/" } }] }],
        });
        const visit = (host: string, port: number, sni: string): Request => ({
            port,
            sni,
            authority: host,
            path: "/login-page-of-mine",
            clientIp: "10.1.2.3",
        });
        const cases: [string, string, Record<string, unknown>, string, number][] = [
            ["dev (any host)", "dev", {}, "anything.example.com", 80],
            ["staging (HTTPS host)", "staging", {}, "mesh.staging.example.com", 443],
        ];
        for (const [title, stack, overrides, host, port] of cases) {
            it(`${title}: a VirtualService of another namespace gets no route, as it did with unscoped hosts`, async () => {
                const exposure = await exposureOf(stack, overrides);
                const request = visit(host, port, host);
                assert.strictEqual(routes(exposure.namespace, exposure.servers, [intruder(host)], request), false);
                // The Gateway as it was, hosts without `./`: the intruder is served.
                const unscoped = exposure.servers.map((server) => ({
                    ...server,
                    hosts: server.hosts.map((h) => h.replace(/^\.\//, "")),
                }));
                assert.strictEqual(routes(exposure.namespace, unscoped, [intruder(host)], request), true);
            });
        }

        for (const stack of committedStacks()) {
            it(`${stack}: every Gateway the program writes or a chart renders admits VirtualServices of its own namespace only`, async () => {
                const { run, releases } = await renderStack(stack);
                const gateways = [
                    ...run.registrations
                        .filter((r) => r.type === "kubernetes:networking.istio.io/v1:Gateway")
                        .map((r) => ({ ...(r.inputs as { metadata: { namespace: string } }), spec: r.inputs.spec })),
                    ...releases.flatMap((release) => release.objects.filter((o) => o.kind === "Gateway")),
                ] as { metadata: { namespace: string }; spec: unknown }[];
                const open = gateways.flatMap((gateway) =>
                    (gateway.spec as { servers: GatewayServer[] }).servers.flatMap((server) =>
                        server.hosts.filter(
                            (host) => !host.startsWith("./") && !host.startsWith(`${gateway.metadata.namespace}/`),
                        ),
                    ),
                );
                assert.deepStrictEqual(open, []);
                assert.strictEqual(gateways.length, stack === "prod" ? 0 : 1);
            });
        }

        it("the allow-list sits in the mesh's root namespace, so it covers every pod the dashboard Gateway selects, in any namespace", async () => {
            const { run, releases } = await renderStack("staging");
            const namespaceOf = (type: string): string =>
                (
                    run.registrations.find((r) => r.type === type)?.inputs.metadata as {
                        namespace: string;
                    }
                ).namespace;
            const mesh = releases
                .flatMap((release) => release.objects)
                .find((o) => o.kind === "ConfigMap" && /^istio(-1-\d+-\d+)?$/.test(o.metadata.name));
            const rootNamespace = /^rootNamespace: (\S+)$/m.exec(String((mesh?.data as Record<string, string>).mesh));
            assert.deepStrictEqual(
                [
                    namespaceOf("kubernetes:security.istio.io/v1:AuthorizationPolicy"),
                    namespaceOf("kubernetes:networking.istio.io/v1:Gateway"),
                ],
                [rootNamespace?.[1], "istio-ingress"],
            );
        });

        it("the allow-list covers the whole dashboard host, not only the dashboard paths", async () => {
            const { policy } = await exposureOf("staging");
            const outsider = (path: string): Request => ({
                port: 443,
                sni: "mesh.staging.example.com",
                authority: "mesh.staging.example.com",
                path,
                clientIp: OUTSIDER,
            });
            assert.deepStrictEqual(
                ["/", "/login-page-of-mine", "/kialix", "/kiali"].map((path) => denies(policy, outsider(path))),
                [true, true, true, true],
            );
        });
    });
});
