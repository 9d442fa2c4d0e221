import * as assert from "assert";
import {
    DenySpec,
    denies,
    GatewayServer,
    Request,
    requestLine,
    RouteSpec,
    routes,
    spellings,
} from "./support/dashboard-traffic";
import { Graph } from "./support/graph";
import { evaluateStack } from "./support/program";

/**
 * The allow-list holds for every spelling of the dashboard host the gateway routes: what an
 * outside client reaches through the Gateway and VirtualServices, the DENY policy refuses.
 */

interface Exposure {
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
    return {
        servers: (gateway.inputs.spec as { servers: GatewayServer[] }).servers,
        services: graph
            .ofType("kubernetes:networking.istio.io/v1:VirtualService")
            .map((service) => service.inputs.spec as RouteSpec),
        policy: policy.inputs.spec as DenySpec,
    };
}

/** Requests an outsider gets through to a dashboard: routed and not denied. */
function admitted(exposure: Exposure, requests: readonly Request[]): { routed: number; leaks: string[] } {
    const routed = requests.filter((request) => routes(exposure.servers, exposure.services, request));
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
        const { servers, services } = await exposureOf("staging");
        const request = (port: number, sni: string, authority: string): Request => ({
            port,
            sni,
            authority,
            path: "/kiali",
            clientIp: "203.0.113.7",
        });
        assert.strictEqual(
            routes(servers, services, request(443, "mesh.staging.example.com", "Mesh.Staging.Example.com:443")),
            true,
        );
        assert.strictEqual(
            routes(servers, services, request(443, "mesh.staging.example.com", "mesh.staging.example.com.")),
            false,
        );
        assert.strictEqual(routes(servers, services, request(80, "", "mesh.staging.example.com")), false);
        assert.strictEqual(
            routes(servers, services, request(443, "other.example.com", "mesh.staging.example.com")),
            false,
        );
        assert.strictEqual(
            routes(servers, services, request(443, "mesh.staging.example.com", "other.example.com")),
            false,
        );
    });
});
