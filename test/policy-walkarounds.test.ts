import * as assert from "assert";
import type { PolicyResource } from "@pulumi/policy";
import { allowListRule } from "../components/policies/allow-list";
import { policyResources, violationsOf } from "./support/policies";
import { renderStack } from "./support/render";

/**
 * The ways around the dashboards' protections a pull request could try in a protected stack,
 * each added to staging as the engine would be told it: every one is stopped by name.
 */

const STAGING = { unprotectedStacks: ["dev"] };

function resource(type: string, namespace: string | undefined, name: string, spec: unknown): PolicyResource {
    const kind = type.slice(type.lastIndexOf(":") + 1);
    return {
        type,
        urn: `urn:pulumi:staging::istio-mesh::${type}::${name}`,
        name,
        props: { metadata: { name, ...(namespace !== undefined && { namespace }) }, spec, kind },
    } as unknown as PolicyResource;
}

const VS = "kubernetes:networking.istio.io/v1:VirtualService";
const POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const PROMETHEUS = "prometheus.istio-system.svc.cluster.local";

/** Every violation in staging with `extra` added and `drop` left out, each cut before its advice. */
async function staging(
    extra: PolicyResource[],
    drop: (r: PolicyResource) => boolean = () => false,
    edit: (r: PolicyResource) => PolicyResource = (r) => r,
): Promise<string[]> {
    const resources = policyResources(await renderStack("staging"))
        .filter((r) => !drop(r))
        .map(edit);
    const found = await violationsOf([...resources, ...extra], STAGING);
    return found.map((v) =>
        v.replace(/(: not in a protected stack|, around the ingress|: keep the|: route dashboards).*$/, ""),
    );
}

/** Staging's allow-list with its spec changed by `change`. */
const allowListEdited =
    (change: (spec: Record<string, unknown>) => Record<string, unknown>) =>
    (r: PolicyResource): PolicyResource =>
        r.type === POLICY ? { ...r, props: { ...r.props, spec: change(r.props.spec as Record<string, unknown>) } } : r;

describe("the policy pack against ways around it (staging)", () => {
    it("follows a delegate: a dashboard route handing /metrics to a VirtualService that reaches Prometheus", async () => {
        const parent = resource(VS, "istio-ingress", "metrics", {
            hosts: ["mesh.staging.example.com"],
            gateways: ["dashboards"],
            http: [{ match: [{ uri: { prefix: "/metrics/" } }], delegate: { name: "metrics-delegate" } }],
        });
        const child = resource(VS, "istio-ingress", "metrics-delegate", {
            http: [{ route: [{ destination: { host: PROMETHEUS, port: { number: 9090 } } }] }],
        });
        assert.deepStrictEqual(await staging([parent, child]), [
            "istio-mesh-no-anonymous-dashboards: prometheus, which has no login, through a gateway (VirtualService istio-ingress/metrics)",
        ]);
    });

    it("stops tcp and tls routes to an add-on, which no host or path rule guards", async () => {
        const tcp = resource(VS, "istio-ingress", "kiali-tcp", {
            hosts: ["*"],
            gateways: ["dashboards"],
            tcp: [
                {
                    match: [{ port: 20001 }],
                    route: [{ destination: { host: "kiali.istio-system.svc.cluster.local" } }],
                },
            ],
            tls: [{ match: [{ sniHosts: ["g.example.com"] }], route: [{ destination: { host: "grafana" } }] }],
        });
        assert.deepStrictEqual(await staging([tcp]), [
            "istio-mesh-dashboards-allow-listed: VirtualService istio-ingress/kiali-tcp routes kiali, grafana over tcp or tls, which no host or path rule of the allow-list can guard",
        ]);
    });

    it("stops a dashboard route through a gateway the allow-list does not select", async () => {
        const gateway = resource("kubernetes:networking.istio.io/v1:Gateway", "istio-egress", "side-door", {
            selector: { istio: "egressgateway" },
            servers: [{ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts: ["./*"] }],
        });
        const route = resource(VS, "istio-egress", "grafana-side-door", {
            hosts: ["*"],
            gateways: ["side-door"],
            http: [{ route: [{ destination: { host: "grafana.istio-system.svc.cluster.local" } }] }],
        });
        assert.deepStrictEqual(await staging([gateway, route]), [
            "istio-mesh-dashboards-allow-listed: VirtualService istio-egress/grafana-side-door binds Gateway istio-egress/side-door, which is not the ingress gateway's (istio: ingressgateway) in this stack",
            "istio-mesh-no-anonymous-dashboards: the grafana login over plain HTTP (VirtualService istio-egress/grafana-side-door on Gateway istio-egress/side-door)",
        ]);
    });

    it("stops a LoadBalancer, a NodePort or external IPs on an add-on's pods, and an Ingress to one", async () => {
        const service = (name: string, spec: Record<string, unknown>): PolicyResource =>
            resource("kubernetes:core/v1:Service", "istio-system", name, {
                selector: { "app.kubernetes.io/name": "grafana" },
                ports: [{ port: 3000 }],
                ...spec,
            });
        const ingress = resource("kubernetes:networking.k8s.io/v1:Ingress", "istio-system", "kiali", {
            rules: [
                { http: { paths: [{ path: "/", backend: { service: { name: "kiali", port: { number: 20001 } } } }] } },
            ],
        });
        assert.deepStrictEqual(
            await staging([
                service("grafana-lb", { type: "LoadBalancer" }),
                service("grafana-np", { type: "NodePort" }),
                service("grafana-ext", { externalIPs: ["203.0.113.9"] }),
                service("grafana-internal", {}),
                ingress,
            ]),
            [
                "istio-mesh-dashboards-cluster-internal: grafana by a LoadBalancer (Service istio-system/grafana-lb)",
                "istio-mesh-dashboards-cluster-internal: grafana by a NodePort (Service istio-system/grafana-np)",
                "istio-mesh-dashboards-cluster-internal: grafana by a Service with externalIPs (Service istio-system/grafana-ext)",
                "istio-mesh-dashboards-cluster-internal: kiali by an Ingress (Ingress istio-system/kiali)",
            ],
        );
    });

    it("stops an allow-list whose rule denies almost nothing: a second source field, a when, or no ports", async () => {
        const rule = (spec: Record<string, unknown>): Record<string, unknown> =>
            (spec.rules as Record<string, unknown>[])[0];
        const edits: [string, (spec: Record<string, unknown>) => Record<string, unknown>][] = [
            [
                "has other than one source of notRemoteIpBlocks alone (another field of it is ANDed in)",
                (spec) => {
                    const [from] = rule(spec).from as { source: Record<string, unknown> }[];
                    return {
                        ...spec,
                        rules: [
                            {
                                ...rule(spec),
                                from: [{ source: { ...from.source, remoteIpBlocks: ["198.51.100.1/32"] } }],
                            },
                        ],
                    };
                },
            ],
            [
                "has other than one rule of from and to (a when narrows it)",
                (spec) => ({
                    ...spec,
                    rules: [{ ...rule(spec), when: [{ key: "request.headers[x]", values: ["1"] }] }],
                }),
            ],
            [
                "has an operation other than hosts or paths (one of the two) on named ports",
                (spec) => ({
                    ...spec,
                    rules: [{ ...rule(spec), to: [{ operation: { hosts: ["mesh.staging.example.com"] } }] }],
                }),
            ],
            [
                // Hosts and paths ANDed: only /nothing on the host would be denied.
                "has an operation other than hosts or paths (one of the two) on named ports",
                (spec) => {
                    const [to] = rule(spec).to as { operation: Record<string, unknown> }[];
                    return {
                        ...spec,
                        rules: [{ ...rule(spec), to: [{ operation: { ...to.operation, paths: ["/nothing"] } }] }],
                    };
                },
            ],
            [
                "selects other pods than exactly the ingress gateway's (istio: ingressgateway)",
                (spec) => ({ ...spec, selector: { matchLabels: { istio: "ingressgateway", tier: "none" } } }),
            ],
        ];
        for (const [why, change] of edits) {
            assert.deepStrictEqual(await staging([], () => false, allowListEdited(change)), [
                `istio-mesh-dashboards-allow-listed: VirtualService istio-ingress/grafana-dashboard, VirtualService istio-ingress/kiali-dashboard route dashboards through a gateway, but no DENY AuthorizationPolicy in istio-system on the ingress gateway refuses clients outside the allowed networks (AuthorizationPolicy istio-system/dashboard-allowed-clients ${why})`,
            ]);
        }
    });

    it("stops an allow-list that leaves a routed host or port uncovered", async () => {
        const otherHost = allowListEdited((spec) => {
            const [rule] = spec.rules as Record<string, unknown>[];
            return {
                ...spec,
                rules: [
                    {
                        ...rule,
                        to: [
                            {
                                operation: {
                                    hosts: ["other.example.com", "other.example.com:*"],
                                    ports: ["443", "80"],
                                },
                            },
                        ],
                    },
                ],
            };
        });
        const httpsOnly = allowListEdited((spec) => {
            const [rule] = spec.rules as Record<string, unknown>[];
            const [to] = rule.to as { operation: Record<string, unknown> }[];
            return { ...spec, rules: [{ ...rule, to: [{ operation: { ...to.operation, ports: ["443"] } }] }] };
        });
        for (const edit of [otherHost, httpsOnly]) {
            assert.deepStrictEqual(await staging([], () => false, edit), [
                "istio-mesh-dashboards-allow-listed: VirtualService istio-ingress/grafana-dashboard serves mesh.staging.example.com on Gateway istio-ingress/dashboards (ports 443, 80) where the allow-list denies nothing",
                "istio-mesh-dashboards-allow-listed: VirtualService istio-ingress/kiali-dashboard serves mesh.staging.example.com on Gateway istio-ingress/dashboards (ports 443, 80) where the allow-list denies nothing",
            ]);
        }
    });

    it("follows an alias of an add-on: another Service on its pods, an ExternalName, a ServiceEntry", async () => {
        const alias = resource("kubernetes:core/v1:Service", "istio-system", "metrics", {
            selector: { "app.kubernetes.io/name": "prometheus" },
            ports: [{ port: 80, targetPort: 9090 }],
        });
        const external = resource("kubernetes:core/v1:Service", "istio-ingress", "traces", {
            type: "ExternalName",
            externalName: "jaeger.istio-system.svc.cluster.local",
        });
        const entry = resource("kubernetes:networking.istio.io/v1:ServiceEntry", "istio-ingress", "graphs", {
            hosts: ["graphs.internal"],
            resolution: "DNS",
            ports: [{ number: 80, name: "http", protocol: "HTTP" }],
            endpoints: [{ address: "prometheus.istio-system.svc.cluster.local" }],
        });
        const route = (name: string, host: string): PolicyResource =>
            resource(VS, "istio-ingress", name, {
                hosts: ["mesh.staging.example.com"],
                gateways: ["dashboards"],
                http: [{ match: [{ uri: { prefix: `/${name}/` } }], route: [{ destination: { host } }] }],
            });
        const ingress = resource("kubernetes:networking.k8s.io/v1:Ingress", "istio-system", "metrics", {
            rules: [
                { http: { paths: [{ path: "/", backend: { service: { name: "metrics", port: { number: 80 } } } }] } },
            ],
        });
        assert.deepStrictEqual(
            await staging([
                alias,
                external,
                entry,
                route("metrics", "metrics.istio-system.svc.cluster.local"),
                route("traces", "traces"),
                route("graphs", "graphs.internal"),
                ingress,
            ]),
            [
                "istio-mesh-no-anonymous-dashboards: prometheus, which has no login, through a gateway (VirtualService istio-ingress/metrics)",
                "istio-mesh-no-anonymous-dashboards: jaeger, which has no login, through a gateway (VirtualService istio-ingress/traces)",
                "istio-mesh-no-anonymous-dashboards: prometheus, which has no login, through a gateway (VirtualService istio-ingress/graphs)",
                "istio-mesh-dashboards-cluster-internal: prometheus by an Ingress (Ingress istio-system/metrics)",
            ],
        );
    });

    it("stops any Service of the add-ons' namespace off the cluster network, and an add-on pod on the node's network or a host port", async () => {
        const service = resource("kubernetes:core/v1:Service", "istio-system", "by-instance", {
            type: "NodePort",
            selector: { "app.kubernetes.io/instance": "kiali" },
            ports: [{ port: 20001 }],
        });
        const onHost = (r: PolicyResource): PolicyResource => {
            if (
                r.type !== "kubernetes:apps/v1:Deployment" ||
                (r.props.metadata as { name: string }).name !== "grafana"
            ) {
                return r;
            }
            const spec = r.props.spec as { template: { spec: Record<string, unknown> } };
            return {
                ...r,
                props: {
                    ...r.props,
                    spec: {
                        ...spec,
                        template: { ...spec.template, spec: { ...spec.template.spec, hostNetwork: true } },
                    },
                },
            };
        };
        assert.deepStrictEqual(await staging([service], () => false, onHost), [
            "istio-mesh-dashboards-cluster-internal: grafana on the node's network (Deployment istio-system/grafana)",
            "istio-mesh-dashboards-cluster-internal: the add-ons' namespace by a NodePort (Service istio-system/by-instance)",
        ]);
    });

    it("takes a login over a server that does not terminate TLS as plain HTTP: lower-case http, a passthrough", async () => {
        const gateway = (protocol: string, tls?: Record<string, unknown>): PolicyResource =>
            resource("kubernetes:networking.istio.io/v1:Gateway", "istio-ingress", "dashboards", {
                selector: { istio: "ingressgateway" },
                servers: [{ port: { number: 443, name: "web", protocol }, hosts: ["*"], ...(tls && { tls }) }],
            });
        for (const server of [gateway("http"), gateway("HTTPS", { mode: "PASSTHROUGH" })]) {
            const found = await staging([server], (r) => r.type.endsWith(":Gateway"));
            assert.ok(
                found.includes(
                    "istio-mesh-no-anonymous-dashboards: the grafana and kiali login over plain HTTP (VirtualService istio-ingress/grafana-dashboard on Gateway istio-ingress/dashboards)",
                ) ||
                    found.includes(
                        "istio-mesh-no-anonymous-dashboards: the grafana login over plain HTTP (VirtualService istio-ingress/grafana-dashboard on Gateway istio-ingress/dashboards)",
                    ),
                found.join("\n"),
            );
        }
    });

    it("reads the allow-list istio-mesh writes as exactly its shape, in every routed stack", async () => {
        for (const stack of ["dev", "staging"]) {
            const policy = policyResources(await renderStack(stack)).find((r) => r.type === POLICY);
            assert.ok(policy !== undefined);
            assert.notStrictEqual(typeof allowListRule(policy), "string", String(allowListRule(policy)));
        }
    });
});
