import * as assert from "assert";
import type { PolicyResource } from "@pulumi/policy";
import { broadRanges, publicAddresses } from "../components/policies/allow-list";
import { stackOfUrn } from "../components/policies/scope";
import { policyResources, violationsOf } from "./support/policies";
import { RunningPack, startPolicyPack } from "./support/policy-pack";
import { renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * The policy pack (components/policies) over what the engine would be told for each stack:
 * the program's registrations and every object its charts render. Each policy is shown to
 * stop the change it guards against, made through a stack's config as a pull request would.
 */

const STAGING = { unprotectedStacks: ["dev"] };

async function violations(stack: string, overrides: Record<string, unknown> = {}): Promise<string[]> {
    return violationsOf(policyResources(await renderStack(stack, overrides)), STAGING);
}

describe("the policy pack (components/policies)", () => {
    for (const stack of committedStacks().filter((name) => name !== "dev")) {
        it(`${stack}: passes every policy, as a protected stack`, async () => {
            const resources = policyResources(await renderStack(stack));
            assert.deepStrictEqual(await violationsOf(resources, { unprotectedStacks: [] }), []);
        });
    }

    it("dev passes as the unprotected stack it is; protected, only its plain-HTTP logins would stop it", async () => {
        const resources = policyResources(await renderStack("dev"));
        assert.deepStrictEqual(await violationsOf(resources), []);
        assert.deepStrictEqual(
            (await violationsOf(resources, { unprotectedStacks: [] })).map((v) => v.slice(0, v.indexOf(": not in"))),
            [
                "istio-mesh-no-anonymous-dashboards: the grafana login over plain HTTP (VirtualService istio-ingress/grafana-dashboard on Gateway istio-ingress/dashboards)",
                "istio-mesh-no-anonymous-dashboards: the kiali login over plain HTTP (VirtualService istio-ingress/kiali-dashboard on Gateway istio-ingress/dashboards)",
            ],
        );
    });

    it("stops staging's logins moved to plain HTTP, even when its config accepts it", async () => {
        const found = await violations("staging", {
            "istio-mesh:dashboardHost": "",
            "istio-mesh:dashboardTlsSecret": "",
            "istio-mesh:dashboardPlainHttp": true,
        });
        assert.deepStrictEqual(
            found.map((v) => v.slice(0, v.indexOf(": not in"))),
            [
                "istio-mesh-no-anonymous-dashboards: the grafana login over plain HTTP (VirtualService istio-ingress/grafana-dashboard on Gateway istio-ingress/dashboards)",
                "istio-mesh-no-anonymous-dashboards: the kiali login over plain HTTP (VirtualService istio-ingress/kiali-dashboard on Gateway istio-ingress/dashboards)",
            ],
        );
    });

    it("stops an anonymous Kiali in staging, in the chart's values and in the ConfigMap it renders", async () => {
        assert.deepStrictEqual(await violations("staging", { "istio-mesh:kialiAnonymous": true }), [
            "istio-mesh-no-anonymous-dashboards: Kiali without login (kiali-server values auth.strategy anonymous): not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login over HTTPS (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin, istio-mesh:dashboardTlsSecret)",
            "istio-mesh-no-anonymous-dashboards: Kiali without login (ConfigMap istio-system/kiali auth.strategy anonymous): not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login over HTTPS (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin, istio-mesh:dashboardTlsSecret)",
        ]);
    });

    it("stops Prometheus and Jaeger routed without a login in staging", async () => {
        const found = await violations("staging", { "istio-mesh:dashboardsWithoutLogin": ["prometheus", "jaeger"] });
        assert.deepStrictEqual(
            found.map((v) => v.slice(0, v.indexOf(":", "istio-mesh-no-anonymous-dashboards: ".length))),
            [
                "istio-mesh-no-anonymous-dashboards: jaeger, which has no login, through a gateway (VirtualService istio-ingress/jaeger-dashboard)",
                "istio-mesh-no-anonymous-dashboards: prometheus, which has no login, through a gateway (VirtualService istio-ingress/prometheus-dashboard)",
            ],
        );
    });

    it("stops PERMISSIVE mTLS in staging, and a stack that drops the mesh-wide PeerAuthentication", async () => {
        assert.deepStrictEqual(await violations("staging", { "istio-mesh:mtlsMode": "PERMISSIVE" }), [
            "istio-mesh-strict-mtls: PeerAuthentication istio-system/default sets mtls mode PERMISSIVE: only STRICT is allowed; set istio-mesh:mtlsMode to STRICT",
            "istio-mesh-mesh-wide-strict-mtls: no mesh-wide PeerAuthentication (in istio-system, no selector) with mtls.mode STRICT: set istio-mesh:mtlsMode to STRICT",
        ]);
        const resources = policyResources(await renderStack("staging")).filter(
            (r) => !/:PeerAuthentication$/.test(r.type),
        );
        assert.deepStrictEqual(await violationsOf(resources, STAGING), [
            "istio-mesh-mesh-wide-strict-mtls: no mesh-wide PeerAuthentication (in istio-system, no selector) with mtls.mode STRICT: set istio-mesh:mtlsMode to STRICT",
        ]);
    });

    it("stops an allow-list that names every address in staging, in one range or split in two", async () => {
        for (const cidrs of [["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"]]) {
            assert.deepStrictEqual(await violations("staging", { "istio-mesh:dashboardAllowedCidrs": cidrs }), [
                "istio-mesh-no-open-allow-list: AuthorizationPolicy istio-system/dashboard-allowed-clients admits too much of the internet (its IPv4 ranges cover 4260298752 public addresses, more than a /16 (65536)): list the networks that may reach the dashboards in istio-mesh:dashboardAllowedCidrs",
            ]);
        }
    });

    it("counts an allow-list's breadth in public addresses: private ranges are free, a /16's worth is the most", () => {
        assert.deepStrictEqual(
            ["10.0.0.0/8", "203.0.113.0/24", "172.0.0.0/8", "0.0.0.0/0", "198.51.100.7"].map(publicAddresses),
            [0, 256, 2 ** 24 - 2 ** 20, 2 ** 32 - 2 ** 25 - 2 ** 20 - 2 ** 16, 1],
        );
        assert.deepStrictEqual(broadRanges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8"]), []);
        assert.deepStrictEqual(broadRanges(["198.51.0.0/16"]), []);
        assert.deepStrictEqual(broadRanges(["198.51.0.0/16", "203.0.113.0/24", "2001:db8::/16"]), [
            "2001:db8::/16 is shorter than /32",
            "its IPv4 ranges cover 65792 public addresses, more than a /16 (65536)",
        ]);
    });

    it("stops routed dashboards without their allow-list, whoever removed it", async () => {
        const resources = policyResources(await renderStack("staging")).filter(
            (r) => !/:AuthorizationPolicy$/.test(r.type),
        );
        assert.deepStrictEqual(await violationsOf(resources, STAGING), [
            "istio-mesh-dashboards-allow-listed: VirtualService istio-ingress/grafana-dashboard, VirtualService istio-ingress/kiali-dashboard route dashboards through a gateway, but no DENY AuthorizationPolicy in istio-system on the ingress gateway refuses clients outside the allowed networks: keep the one istio-mesh writes (istio-mesh:dashboardAllowedCidrs)",
        ]);
    });

    it("stops a Gateway API route to Prometheus, which has no login", async () => {
        const route = {
            type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            urn: "urn:pulumi:staging::istio-mesh::kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::metrics",
            name: "metrics",
            props: {
                metadata: { name: "metrics", namespace: "istio-ingress" },
                spec: { rules: [{ backendRefs: [{ name: "prometheus", namespace: "istio-system", port: 9090 }] }] },
            },
        } as unknown as PolicyResource;
        const found = await violationsOf([...policyResources(await renderStack("staging")), route], STAGING);
        assert.deepStrictEqual(
            found.map((v) => v.slice(0, v.indexOf(", around") === -1 ? v.indexOf(": not in") : v.indexOf(", around"))),
            [
                "istio-mesh-no-anonymous-dashboards: prometheus, which has no login, through a gateway (HTTPRoute istio-ingress/metrics)",
                "istio-mesh-dashboards-cluster-internal: prometheus by a Gateway API route (HTTPRoute istio-ingress/metrics)",
            ],
        );
    });

    it("stops what a chartValues override would open in staging: an anonymous Grafana, Prometheus on a node port or the node's network", async () => {
        const found = await violations("staging", {
            "istio-mesh:chartValues": {
                grafana: { "grafana.ini": { "auth.anonymous": { enabled: true } } },
                prometheus: { server: { service: { type: "NodePort" }, hostNetwork: true } },
            },
        });
        assert.deepStrictEqual(
            found.map((v) => v.slice(0, v.search(/: (not in a protected stack|keep add-on)/))),
            [
                "istio-mesh-no-anonymous-dashboards: Grafana without login (grafana values grafana.ini auth.anonymous.enabled)",
                "istio-mesh-no-anonymous-dashboards: Grafana without login (ConfigMap istio-system/grafana [auth.anonymous] enabled)",
                "istio-mesh-dashboards-cluster-internal: the add-ons' namespace by a NodePort (Service istio-system/prometheus), around the ingress gateway's allow-list",
                "istio-mesh-dashboards-cluster-internal: prometheus on the node's network (Deployment istio-system/prometheus), around the ingress gateway's allow-list",
            ],
        );
    });

    it("stops a Grafana opened to anonymous users or to a trusted header, in its chart's values, its grafana.ini or its environment", async () => {
        const resources = policyResources(await renderStack("staging")).map((r) => {
            if (r.type === "kubernetes:helm.sh/v4:Chart" && r.props.chart === "grafana") {
                const values = r.props.values as Record<string, Record<string, unknown>>;
                const ini = { ...values["grafana.ini"], "auth.anonymous": { enabled: true } };
                const env = { GF_AUTH_PROXY_ENABLED: "true" };
                return { ...r, props: { ...r.props, values: { ...values, "grafana.ini": ini, env } } };
            }
            if (
                r.type === "kubernetes:apps/v1:Deployment" &&
                (r.props.metadata as { name: string }).name === "grafana"
            ) {
                const copy = JSON.parse(JSON.stringify(r.props)) as {
                    spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
                };
                const grafana = copy.spec.template.spec.containers[0];
                grafana.env = [...(grafana.env ?? []), { name: "GF_AUTH_ANONYMOUS_ENABLED", value: "true" }];
                return { ...r, props: copy as unknown as Record<string, unknown> };
            }
            if (
                r.type === "kubernetes:core/v1:ConfigMap" &&
                (r.props.metadata as { name: string }).name === "grafana"
            ) {
                const data = r.props.data as Record<string, string>;
                const ini = data["grafana.ini"].replace(
                    "[auth.anonymous]\nenabled = false",
                    "[auth.anonymous]\nenabled = true",
                );
                assert.notStrictEqual(ini, data["grafana.ini"]);
                return { ...r, props: { ...r.props, data: { ...data, "grafana.ini": ini } } };
            }
            return r;
        });
        assert.deepStrictEqual(
            (await violationsOf(resources, STAGING)).map((v) => v.slice(0, v.indexOf(": not in a protected stack"))),
            [
                "istio-mesh-no-anonymous-dashboards: Grafana without login (grafana values grafana.ini auth.anonymous.enabled)",
                "istio-mesh-no-anonymous-dashboards: Grafana without login (grafana values env.GF_AUTH_PROXY_ENABLED)",
                "istio-mesh-no-anonymous-dashboards: Grafana without login (ConfigMap istio-system/grafana [auth.anonymous] enabled)",
                "istio-mesh-no-anonymous-dashboards: Grafana without login (Deployment istio-system/grafana env GF_AUTH_ANONYMOUS_ENABLED)",
            ],
        );
    });

    it("holds in every stack but dev: dev may have an anonymous Kiali, a new stack may not", async () => {
        assert.deepStrictEqual(await violations("dev", { "istio-mesh:kialiAnonymous": true }), []);
        const qa = policyResources(await renderStack("staging", { "istio-mesh:kialiAnonymous": true })).map((r) => ({
            ...r,
            urn: r.urn.replace("urn:pulumi:staging::", "urn:pulumi:qa::"),
        }));
        assert.strictEqual((await violationsOf(qa)).length, 2);
    });

    it("reads the stack from a resource's URN", () => {
        assert.strictEqual(
            stackOfUrn("urn:pulumi:prod::istio-mesh::kubernetes:core/v1:Namespace::istio-system"),
            "prod",
        );
    });
});

describe("the policy pack as the engine runs it (Pulumi's runner, the analyzer protocol)", () => {
    let pack: RunningPack;
    before(async function () {
        this.timeout(60000);
        pack = await startPolicyPack();
    });
    after(() => pack?.stop());

    it("compiles with type checks and offers its six policies, each mandatory", async () => {
        assert.deepStrictEqual(await pack.info(), {
            name: "istio-mesh",
            version: "0.1.0",
            policies: [
                "istio-mesh-strict-mtls (mandatory)",
                "istio-mesh-mesh-wide-strict-mtls (mandatory)",
                "istio-mesh-no-open-allow-list (mandatory)",
                "istio-mesh-dashboards-allow-listed (mandatory)",
                "istio-mesh-no-anonymous-dashboards (mandatory)",
                "istio-mesh-dashboards-cluster-internal (mandatory)",
            ],
        });
    });

    it("passes staging as it is, and stops PERMISSIVE mTLS and an anonymous Kiali in it, with no config given", async () => {
        assert.deepStrictEqual(await pack.analyze(policyResources(await renderStack("staging"))), []);
        const found = await pack.analyze(
            policyResources(
                await renderStack("staging", {
                    "istio-mesh:mtlsMode": "PERMISSIVE",
                    "istio-mesh:kialiAnonymous": true,
                }),
            ),
        );
        assert.deepStrictEqual(
            found.map((d) => d.slice(0, d.indexOf(":"))),
            // The resource policy as each resource is analyzed, then the stack policies at the end.
            [
                "istio-mesh-strict-mtls (mandatory)",
                "istio-mesh-mesh-wide-strict-mtls (mandatory)",
                "istio-mesh-no-anonymous-dashboards (mandatory)",
                "istio-mesh-no-anonymous-dashboards (mandatory)",
            ],
        );
    });
});
