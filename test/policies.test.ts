import * as assert from "assert";
import { stackOfUrn } from "../components/policies/mesh-invariants";
import { policyResources, violationsOf } from "./support/policies";
import { RunningPack, startPolicyPack } from "./support/policy-pack";
import { renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * The policy pack (components/policies) over what the engine would be told for each stack:
 * the program's registrations and every object its charts render. Each policy is shown to
 * stop the change it guards against, made through a stack's config as a pull request would.
 */

const STAGING = { protectedStacks: ["staging", "prod"] };

async function violations(stack: string, overrides: Record<string, unknown> = {}): Promise<string[]> {
    return violationsOf(policyResources(await renderStack(stack, overrides)), STAGING);
}

describe("the policy pack (components/policies)", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: passes every policy, as a protected stack`, async () => {
            const resources = policyResources(await renderStack(stack));
            assert.deepStrictEqual(await violationsOf(resources, { protectedStacks: [stack] }), []);
        });
    }

    it("stops an anonymous Kiali in staging, in the chart's values and in the ConfigMap it renders", async () => {
        assert.deepStrictEqual(await violations("staging", { "istio-mesh:kialiAnonymous": true }), [
            "istio-mesh-no-anonymous-dashboards: Kiali without login (kiali-server values auth.strategy anonymous): not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin)",
            "istio-mesh-no-anonymous-dashboards: Kiali without login (ConfigMap istio-system/kiali auth.strategy anonymous): not in a protected stack; use port-forwarding (istio-mesh:dashboards: none) or a login (istio-mesh:kialiAnonymous: false, no istio-mesh:dashboardsWithoutLogin)",
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

    it("stops an allow-list that names every address in staging", async () => {
        assert.deepStrictEqual(await violations("staging", { "istio-mesh:dashboardAllowedCidrs": ["0.0.0.0/0"] }), [
            "istio-mesh-no-open-allow-list: AuthorizationPolicy istio-system/dashboard-allowed-clients names every address (notRemoteIpBlocks 0.0.0.0/0): list the networks that may reach the dashboards in istio-mesh:dashboardAllowedCidrs",
        ]);
    });

    it("stops a Grafana opened to anonymous users, in its chart's values or in its rendered grafana.ini", async () => {
        const resources = policyResources(await renderStack("staging")).map((r) => {
            if (r.type === "kubernetes:helm.sh/v4:Chart" && r.props.chart === "grafana") {
                const values = r.props.values as Record<string, Record<string, unknown>>;
                const ini = { ...values["grafana.ini"], "auth.anonymous": { enabled: true } };
                return { ...r, props: { ...r.props, values: { ...values, "grafana.ini": ini } } };
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
                "istio-mesh-no-anonymous-dashboards: Grafana without login (ConfigMap istio-system/grafana [auth.anonymous] enabled)",
            ],
        );
    });

    it("holds only in the protected stacks: dev may have an anonymous Kiali", async () => {
        assert.deepStrictEqual(await violations("dev", { "istio-mesh:kialiAnonymous": true }), []);
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

    it("compiles with type checks and offers its four policies, each mandatory", async () => {
        assert.deepStrictEqual(await pack.info(), {
            name: "istio-mesh",
            version: "0.1.0",
            policies: [
                "istio-mesh-strict-mtls (mandatory)",
                "istio-mesh-mesh-wide-strict-mtls (mandatory)",
                "istio-mesh-no-open-allow-list (mandatory)",
                "istio-mesh-no-anonymous-dashboards (mandatory)",
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
            [
                "istio-mesh-no-anonymous-dashboards (mandatory)",
                "istio-mesh-strict-mtls (mandatory)",
                "istio-mesh-no-anonymous-dashboards (mandatory)",
                "istio-mesh-mesh-wide-strict-mtls (mandatory)",
            ],
        );
    });
});
