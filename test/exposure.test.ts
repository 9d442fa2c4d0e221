import * as assert from "assert";
import { Graph } from "./support/graph";
import { problemsOf, warningsOf } from "./support/problems";
import { evaluateStack } from "./support/program";
import { valueOf } from "./support/values";

/**
 * Dashboards on a real network: what is routed, over what, from where, and what the
 * outputs say about reaching it.
 */

const VS = "kubernetes:networking.istio.io/v1:VirtualService";
const POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";

async function program(
    overrides: Record<string, unknown> = {},
    stack = "dev",
): Promise<{ graph: Graph; outputs: Record<string, unknown> }> {
    const run = await evaluateStack(stack, overrides);
    assert.strictEqual(run.error, undefined);
    // What the stack would show: every output resolved.
    return { graph: new Graph(run.registrations), outputs: run.savedOutputs ?? {} };
}

/** The paths a VirtualService's matches route, written as an AuthorizationPolicy writes paths. */
function routedPaths(spec: unknown): string[] {
    const { http } = spec as { http: { match: { uri: { exact?: string; prefix?: string } }[] }[] };
    return http.flatMap((route) =>
        route.match.map(({ uri }) =>
            uri.exact !== undefined
                ? uri.exact
                : uri.prefix?.endsWith("/")
                  ? `${uri.prefix}*`
                  : `${uri.prefix ?? ""} (bare prefix)`,
        ),
    );
}

describe("dashboard exposure", () => {
    it("dev routes Kiali and Grafana (they have logins), exactly the paths the allow-list guards", async () => {
        const { graph } = await program();
        const kiali = graph.get(VS, "dashboards-kiali");
        assert.deepStrictEqual(kiali.inputs.spec, {
            hosts: ["*"],
            gateways: ["dashboards"],
            http: [
                {
                    match: [{ uri: { exact: "/kiali" } }, { uri: { prefix: "/kiali/" } }],
                    route: [{ destination: { host: "kiali.istio-system.svc.cluster.local", port: { number: 20001 } } }],
                },
            ],
        });
        const [policy] = graph.ofType(POLICY);
        assert.deepStrictEqual(policy.inputs.spec, {
            selector: { matchLabels: { istio: "ingressgateway" } },
            action: "DENY",
            rules: [
                {
                    from: [
                        {
                            source: {
                                notRemoteIpBlocks: ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                            },
                        },
                    ],
                    // Only the dashboards' listener: Istio would apply a DENY with HTTP-only fields to a
                    // TCP listener as "deny everyone outside the ranges" (IST0133).
                    to: [{ operation: { paths: ["/grafana", "/grafana/*", "/kiali", "/kiali/*"], ports: ["80"] } }],
                },
            ],
        });
        // `/kialiX` would match a bare prefix route but not the policy: every routed path is guarded.
        const guarded = (policy.inputs.spec as { rules: { to: { operation: { paths: string[] } }[] }[] }).rules[0].to[0]
            .operation.paths;
        assert.deepStrictEqual(
            graph
                .ofType(VS)
                .flatMap((route) => routedPaths(route.inputs.spec))
                .sort(),
            [...guarded].sort(),
        );
    });

    it("routes Prometheus and Jaeger, which have no login, only when dashboardsWithoutLogin names them", async () => {
        const { graph } = await program({ "istio-mesh:dashboardsWithoutLogin": ["jaeger"] });
        assert.deepStrictEqual(
            graph
                .ofType(VS)
                .map((r) => r.name)
                .sort(),
            ["mesh-dashboards-grafana", "mesh-dashboards-jaeger", "mesh-dashboards-kiali"],
        );
        const kiali = graph.get("kubernetes:helm.sh/v4:Chart", "kiali").inputs.values as {
            external_services: Record<string, { external_url?: string }>;
        };
        assert.strictEqual(kiali.external_services.tracing.external_url, "/jaeger");
        const { graph: dev } = await program();
        const devKiali = dev.get("kubernetes:helm.sh/v4:Chart", "kiali").inputs.values as {
            external_services: Record<string, { external_url?: string }>;
        };
        assert.strictEqual(
            devKiali.external_services.tracing.external_url,
            undefined,
            "Kiali links to a Jaeger the gateway does not route",
        );
    });

    it("normalizes paths mesh-wide before routes and policies see them (no %2F or // bypass)", async () => {
        const { graph } = await program();
        const istiod = graph.get("kubernetes:helm.sh/v4:Chart", "istiod-1-31-4").inputs.values as {
            meshConfig: Record<string, unknown>;
        };
        assert.deepStrictEqual(istiod.meshConfig.pathNormalization, { normalization: "DECODE_AND_MERGE_SLASHES" });
    });

    it("keeps client addresses at the ingress gateway (externalTrafficPolicy Local), so the allow-list sees them", async () => {
        const { graph } = await program();
        const service = (
            graph.get("kubernetes:helm.sh/v4:Chart", "ingress-gateway").inputs.values as {
                service: Record<string, unknown>;
            }
        ).service;
        assert.deepStrictEqual(service, {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            annotations: { "pulumi.com/skipAwait": "true" },
        });
    });

    it("serves a host over HTTPS from the named Secret and redirects HTTP to it (staging)", async () => {
        const { graph, outputs } = await program({}, "staging");
        const [gateway] = graph.ofType("kubernetes:networking.istio.io/v1:Gateway");
        assert.deepStrictEqual(gateway.inputs.spec, {
            selector: { istio: "ingressgateway" },
            servers: [
                {
                    port: { number: 443, name: "https-dashboards", protocol: "HTTPS" },
                    hosts: ["./mesh.staging.example.com"],
                    tls: { mode: "SIMPLE", credentialName: "mesh-staging-tls" },
                },
                {
                    port: { number: 80, name: "http-dashboards", protocol: "HTTP" },
                    hosts: ["./mesh.staging.example.com"],
                    tls: { httpsRedirect: true },
                },
            ],
        });
        assert.deepStrictEqual(await valueOf(outputs.dashboardUrls as Record<string, string>), {
            grafana: "https://mesh.staging.example.com/grafana",
            kiali: "https://mesh.staging.example.com/kiali",
        });
        const grafana = graph.get("kubernetes:helm.sh/v4:Chart", "grafana").inputs.values as {
            "grafana.ini": { server: { root_url: string }; security?: object };
        };
        assert.strictEqual(grafana["grafana.ini"].server.root_url, "https://mesh.staging.example.com/grafana");
        // Grafana's session cookie never goes out over HTTP; browsers keep to HTTPS once they saw it.
        assert.deepStrictEqual(grafana["grafana.ini"].security, { cookie_secure: true });
        const kiali = graph.get(VS, "dashboards-kiali").inputs.spec as { http: { headers?: unknown }[] };
        assert.deepStrictEqual(kiali.http[0].headers, {
            response: { set: { "Strict-Transport-Security": "max-age=31536000" } },
        });
        // The allow-list guards the whole dashboard host, not other hosts on the same gateway.
        const [policy] = graph.ofType(POLICY);
        const operation = (
            policy.inputs.spec as {
                rules: { to: { operation: { hosts?: string[]; paths?: string[]; ports?: string[] } }[] }[];
            }
        ).rules[0].to[0].operation;
        // With and without a port in the authority: the gateway routes `host:443` like `host`.
        // Only on the dashboards' two listeners (HTTPS, and HTTP that redirects).
        assert.deepStrictEqual(operation, {
            hosts: ["mesh.staging.example.com", "mesh.staging.example.com:*"],
            ports: ["443", "80"],
        });
    });

    it("treats an anonymous Kiali as having no login: routed only when dashboardsWithoutLogin names it", async () => {
        const anonymous = await program({ "istio-mesh:kialiAnonymous": true });
        assert.deepStrictEqual(
            anonymous.graph.ofType(VS).map((r) => r.name),
            ["mesh-dashboards-grafana"],
        );
        const asked = await program({
            "istio-mesh:kialiAnonymous": true,
            "istio-mesh:dashboardsWithoutLogin": ["kiali"],
        });
        assert.deepStrictEqual(
            asked.graph
                .ofType(VS)
                .map((r) => r.name)
                .sort(),
            ["mesh-dashboards-grafana", "mesh-dashboards-kiali"],
        );
        assert.deepStrictEqual(
            problemsOf({
                "istio-mesh:dashboards": "ingress",
                "istio-mesh:dashboardPlainHttp": "true",
                "istio-mesh:dashboardsWithoutLogin": '["kiali"]',
            }),
            [
                'istio-mesh:dashboardsWithoutLogin: "kiali" has a login and is routed with istio-mesh:dashboards: ingress; list only prometheus, jaeger',
            ],
        );
    });

    it("serves plain HTTP only without a host (local dev), or with a host when the stack accepts it", async () => {
        const { graph } = await program({
            "istio-mesh:dashboardHost": "mesh.example.com",
            "istio-mesh:dashboardPlainHttp": true,
        });
        const [gateway] = graph.ofType("kubernetes:networking.istio.io/v1:Gateway");
        assert.deepStrictEqual((gateway.inputs.spec as { servers: unknown[] }).servers, [
            { port: { number: 80, name: "http-dashboards", protocol: "HTTP" }, hosts: ["./mesh.example.com"] },
        ]);
    });

    it("exposes nothing with dashboards: none, and says how to reach the dashboards instead", async () => {
        const { graph, outputs } = await program({
            "istio-mesh:dashboards": "none",
            "istio-mesh:dashboardPlainHttp": false,
        });
        assert.deepStrictEqual([graph.ofType(VS), graph.ofType(POLICY)], [[], []]);
        assert.deepStrictEqual(await valueOf(outputs.dashboardUrls as Record<string, string>), {});
        assert.strictEqual(
            outputs.dashboardAccess,
            "Not exposed (istio-mesh:dashboards is none): run a line of portForwardCommands and open the URL it names.",
        );
        assert.strictEqual(Object.keys(outputs.portForwardCommands as object).length, 4);
    });
});

describe("dashboard URLs and how to reach the dashboards", () => {
    it("dev (minikube): no URL Pulumi cannot know; dashboardAccess says how, with minikube tunnel", async () => {
        const { outputs } = await program();
        assert.deepStrictEqual(await valueOf(outputs.dashboardUrls as Record<string, string>), {});
        assert.strictEqual(
            outputs.dashboardAccess,
            "Pulumi does not wait for the ingress gateway's address (istio-mesh:awaitIngressAddress is false). Once it has one (on minikube, keep `minikube tunnel` running in another terminal), `kubectl -n istio-ingress get service istio-ingressgateway` shows it as EXTERNAL-IP: open http://EXTERNAL-IP/grafana or http://EXTERNAL-IP/kiali; or run a line of portForwardCommands and open the URL it names. prometheus and jaeger (no login) are not routed: use portForwardCommands.",
        );
        assert.deepStrictEqual(Object.keys(outputs.ingressGateway as object), ["service", "namespace"]);
    });

    it("NodePort: dashboardAccess names the node port and minikube service", async () => {
        const { outputs } = await program({
            "istio-mesh:ingressServiceType": "NodePort",
            "istio-mesh:dashboardsWithoutLogin": ["prometheus", "jaeger"],
        });
        assert.strictEqual(
            outputs.dashboardAccess,
            "The ingress gateway listens on a node port: `kubectl -n istio-ingress get service istio-ingressgateway` shows the one for port 80 (on minikube, `minikube service -n istio-ingress istio-ingressgateway --url` prints the URLs); open http://NODE-ADDRESS:NODE-PORT/prometheus or http://NODE-ADDRESS:NODE-PORT/grafana or http://NODE-ADDRESS:NODE-PORT/jaeger or http://NODE-ADDRESS:NODE-PORT/kiali; or run a line of portForwardCommands and open the URL it names.",
        );
    });

    it("with awaitIngressAddress: ingressGateway exports the address and dashboardAccess points at dashboardUrls", async () => {
        const { outputs } = await program({ "istio-mesh:awaitIngressAddress": true });
        // The mocks render no Service, so no address: URLs are built only from a real one.
        assert.deepStrictEqual(await valueOf(outputs.dashboardUrls as Record<string, string>), {});
        assert.deepStrictEqual(Object.keys(outputs.ingressGateway as object), ["service", "namespace", "address"]);
        assert.strictEqual(
            outputs.dashboardAccess,
            "Open dashboardUrls (/grafana, /kiali). prometheus and jaeger (no login) are not routed: use portForwardCommands.",
        );
    });
});

describe("when nothing can be routed", () => {
    it("dashboardAccess says so instead of listing no URL", async () => {
        const { graph, outputs } = await program({ "istio-mesh:addons": ["prometheus", "jaeger"] });
        assert.deepStrictEqual(graph.ofType(VS), []);
        assert.strictEqual(
            outputs.dashboardAccess,
            "No dashboard is routed (none with a login is installed, and istio-mesh:dashboardsWithoutLogin is empty): run a line of portForwardCommands and open the URL it names.",
        );
    });
});

describe("exposure config", () => {
    const reject = (raw: Record<string, string>, expected: string[]): void =>
        assert.deepStrictEqual(problemsOf(raw), expected);

    it("refuses a host served over plain HTTP, unless the stack accepts it", () => {
        reject({ "istio-mesh:dashboards": "ingress", "istio-mesh:dashboardHost": "mesh.example.com" }, [
            "istio-mesh:dashboardHost: \"mesh.example.com\" is served over plain HTTP, so Kiali's token and Grafana's password would cross the network readable; name a kubernetes.io/tls Secret of the ingress gateway's namespace (istio-mesh:ingressNamespace) in istio-mesh:dashboardTlsSecret (e.g. one cert-manager fills), or set istio-mesh:dashboardPlainHttp: true to accept plain HTTP",
        ]);
    });

    it("refuses logins routed over plain HTTP without a host too, unless the stack accepts it", () => {
        // Removing a stack's host and certificate must not quietly move its logins to port 80.
        reject({ "istio-mesh:dashboards": "ingress" }, [
            "istio-mesh:dashboards: ingress routes the grafana and kiali logins over plain HTTP on port 80 (no istio-mesh:dashboardTlsSecret), where tokens and passwords cross the network readable; set istio-mesh:dashboardHost and name a kubernetes.io/tls Secret of the ingress gateway's namespace (istio-mesh:ingressNamespace) in istio-mesh:dashboardTlsSecret (e.g. one cert-manager fills), or set istio-mesh:dashboardPlainHttp: true to accept plain HTTP (a laptop cluster)",
        ]);
        reject({ "istio-mesh:dashboards": "ingress", "istio-mesh:addons": '["prometheus","grafana"]' }, [
            "istio-mesh:dashboards: ingress routes the grafana login over plain HTTP on port 80 (no istio-mesh:dashboardTlsSecret), where tokens and passwords cross the network readable; set istio-mesh:dashboardHost and name a kubernetes.io/tls Secret of the ingress gateway's namespace (istio-mesh:ingressNamespace) in istio-mesh:dashboardTlsSecret (e.g. one cert-manager fills), or set istio-mesh:dashboardPlainHttp: true to accept plain HTTP (a laptop cluster)",
        ]);
        reject({ "istio-mesh:dashboards": "ingress", "istio-mesh:dashboardPlainHttp": "true" }, []);
        // Nothing with a login routed: nothing to opt into.
        reject({ "istio-mesh:dashboards": "ingress", "istio-mesh:addons": '["prometheus","jaeger"]' }, []);
    });

    it("refuses a client-IP rule whose client addresses kube-proxy would replace, naming both keys", () => {
        const routed = { "istio-mesh:dashboards": "ingress", "istio-mesh:dashboardPlainHttp": "true" };
        reject({ ...routed, "istio-mesh:ingressExternalTrafficPolicy": "Cluster" }, [
            "istio-mesh:ingressExternalTrafficPolicy: Cluster makes kube-proxy replace each client's address with a node's, so istio-mesh:dashboardAllowedCidrs would see private node addresses and admit everyone; use Local, which keeps client addresses",
        ]);
        // No rule to fool: dashboards not exposed, or everyone admitted anyway. (With a
        // ClusterIP Service the key has no effect at all, and is refused as such: config.test.ts.)
        const unguarded: Record<string, string>[] = [
            { "istio-mesh:dashboards": "none" },
            { ...routed, "istio-mesh:dashboardAllowedCidrs": '["0.0.0.0/0"]' },
        ];
        for (const raw of unguarded) {
            reject({ ...raw, "istio-mesh:ingressExternalTrafficPolicy": "Cluster" }, []);
        }
    });

    it("refuses an empty allow-list, saying what to write to admit nobody or everybody", () => {
        reject(
            {
                "istio-mesh:dashboards": "ingress",
                "istio-mesh:dashboardPlainHttp": "true",
                "istio-mesh:dashboardAllowedCidrs": "[]",
            },
            [
                "istio-mesh:dashboardAllowedCidrs: [] admits no range, which the gateway cannot express; to admit nobody, set istio-mesh:dashboards: none (port-forward only); to admit everybody, write [0.0.0.0/0]",
            ],
        );
    });

    it("refuses waiting for an address a NodePort or ClusterIP never gets", () => {
        reject({ "istio-mesh:ingressServiceType": "NodePort", "istio-mesh:awaitIngressAddress": "true" }, [
            "istio-mesh:awaitIngressAddress: true, but istio-mesh:ingressServiceType is NodePort, which gets no address to wait for; set it false, or use LoadBalancer",
        ]);
    });

    it("refuses dashboardsWithoutLogin entries that have a login; warns of those not installed or with no routes", () => {
        const routed = {
            "istio-mesh:dashboards": "ingress",
            "istio-mesh:dashboardPlainHttp": "true",
            "istio-mesh:addons": '["prometheus","grafana"]',
            "istio-mesh:dashboardsWithoutLogin": '["grafana","jaeger"]',
        };
        reject(routed, [
            'istio-mesh:dashboardsWithoutLogin: "grafana" has a login and is routed with istio-mesh:dashboards: ingress; list only prometheus, jaeger',
        ]);
        const notInstalled = { ...routed, "istio-mesh:dashboardsWithoutLogin": '["jaeger"]' };
        assert.deepStrictEqual(
            [problemsOf(notInstalled), warningsOf(notInstalled)],
            [
                [],
                [
                    'istio-mesh:dashboardsWithoutLogin: "jaeger" has no effect here: jaeger is not in istio-mesh:addons, so there is no jaeger to route; its route is made once istio-mesh:addons lists it again. Keep it for then, or remove it to silence this warning',
                ],
            ],
        );
        const unrouted = {
            "istio-mesh:dashboards": "none",
            "istio-mesh:dashboardsWithoutLogin": '["jaeger"]',
            "istio-mesh:dashboardPlainHttp": "true",
        };
        const none =
            "istio-mesh:dashboards is none, so no dashboard is routed; the routes through the ingress gateway use it once istio-mesh:dashboards is ingress. Keep it for then, or remove it to silence this warning";
        assert.deepStrictEqual(
            [problemsOf(unrouted), warningsOf(unrouted)],
            [
                [],
                [
                    `istio-mesh:dashboardsWithoutLogin: ["jaeger"] has no effect here: ${none}`,
                    `istio-mesh:dashboardPlainHttp: true has no effect here: ${none}`,
                ],
            ],
        );
    });

    it("refuses a TLS Secret without a host, or beside plain HTTP, and a malformed Secret name", () => {
        reject({ "istio-mesh:dashboards": "ingress", "istio-mesh:dashboardTlsSecret": "mesh-tls" }, [
            "istio-mesh:dashboardTlsSecret: needs istio-mesh:dashboardHost: a certificate is issued for a host name; set the host the certificate names",
        ]);
        reject(
            {
                "istio-mesh:dashboards": "ingress",
                "istio-mesh:dashboardHost": "a.example.com",
                "istio-mesh:dashboardTlsSecret": "mesh-tls",
                "istio-mesh:dashboardPlainHttp": "true",
            },
            [
                "istio-mesh:dashboardPlainHttp: true, but istio-mesh:dashboardTlsSecret is set, which serves HTTPS; remove one of them",
            ],
        );
        reject({ "istio-mesh:dashboardTlsSecret": "Mesh_TLS" }, [
            `istio-mesh:dashboardTlsSecret: "Mesh_TLS" is not a Secret name; use lower-case letters, digits, '-' and '.', e.g. mesh-tls`,
        ]);
    });
});
