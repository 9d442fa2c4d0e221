import * as assert from "assert";
import { ADDON_NEEDS, ADDONS, Addon } from "../components/args/addons";
import { Graph } from "./support/graph";
import { problemsOf, warningsOf } from "./support/problems";
import { evaluateStack, readStackFile, stackConfig } from "./support/program";
import { committedStacks } from "./tools/snapshot";

/**
 * Turning a part off or on is one config change on every committed stack: the stack's other
 * keys (tuning for the part, kept for when it is on again) warn, and never stop the preview.
 */

const KEEP = "Keep it for then, or remove it to silence this warning";

/** The warning of a key tuned for a bundled add-on that is off. */
const addonOff = (key: string, value: string, addon: Addon, what: string): string =>
    `istio-mesh:${key}: ${value} has no effect here: ${addon} is not in istio-mesh:addons, so ${what}; the bundled ${addon} uses it once istio-mesh:addons lists it again. ${KEEP}`;

/** The warning of the sampling while no tracing backend is on. */
const noTracing = (value: string): string =>
    `istio-mesh:tracingSampling: ${value} has no effect here: jaeger is not in istio-mesh:addons and istio-mesh:otlpEndpoint is empty, so no trace is collected; the bundled jaeger or an OTLP collector uses it once either is on. ${KEEP}`;

/** The warning of a dashboard key while no dashboard is routed. */
const unrouted = (key: string, value: string): string =>
    `istio-mesh:${key}: ${value} has no effect here: istio-mesh:dashboards is none, so no dashboard is routed; the routes through the ingress gateway use it once istio-mesh:dashboards is ingress. ${KEEP}`;

/** Each stack's warnings when an add-on is off, by add-on: what the stack tunes for it. */
const WARNINGS: Record<string, Record<Addon, string[]>> = {
    dev: {
        prometheus: [addonOff("kubeletTlsVerify", "false", "prometheus", "no node is scraped")],
        grafana: [],
        jaeger: [noTracing("100")],
        kiali: [],
    },
    staging: {
        prometheus: [
            addonOff("prometheusRetention", '"7d"', "prometheus", "no metric is kept"),
            addonOff("prometheusStorage", '"20Gi"', "prometheus", "no volume is made"),
        ],
        grafana: [],
        jaeger: [noTracing("10")],
        kiali: [],
    },
    prod: {
        prometheus: [
            addonOff("prometheusRetention", '"15d"', "prometheus", "no metric is kept"),
            addonOff("prometheusStorage", '"100Gi"', "prometheus", "no volume is made"),
            `istio-mesh:resources: the prometheus entry has no effect here: prometheus is not in istio-mesh:addons, so prometheus is not deployed; the entry applies once it is deployed again. ${KEEP}`,
        ],
        // prod samples 1%, the default: nothing to warn of.
        grafana: [],
        jaeger: [],
        kiali: [],
    },
};

/** The add-ons a stack keeps with `addon` off: it and those that cannot run without it. */
function without(addons: readonly Addon[], addon: Addon): Addon[] {
    return addons.filter((other) => other !== addon && ADDON_NEEDS[other]?.needs !== addon);
}

function stackAddons(stack: string): Addon[] {
    return (readStackFile(stack).config?.["istio-mesh:addons"] as Addon[] | undefined) ?? [...ADDONS];
}

describe("one config change turns a part off or on, on every committed stack", () => {
    it("covers every committed stack", () => {
        assert.deepStrictEqual(Object.keys(WARNINGS).sort(), committedStacks());
    });

    for (const stack of committedStacks()) {
        for (const addon of ADDONS) {
            const off = without(stackAddons(stack), addon);
            it(`${stack}: ${addon} off is istio-mesh:addons: [${off.join(", ")}] alone; what the stack tunes for it warns`, async () => {
                const change = { "istio-mesh:addons": off };
                const raw = stackConfig(stack, change);
                assert.deepStrictEqual(problemsOf(raw), []);
                assert.deepStrictEqual(warningsOf(raw), WARNINGS[stack][addon]);
                // The program deploys it, without the add-on, and shows the same warnings.
                const run = await evaluateStack(stack, change);
                assert.strictEqual(run.error, undefined);
                const charts = new Graph(run.registrations)
                    .ofType("kubernetes:helm.sh/v4:Chart")
                    .map((r) => r.name.replace(/^mesh-/, ""));
                assert.deepStrictEqual(
                    ADDONS.filter((name) => charts.includes(name)),
                    off,
                );
                assert.deepStrictEqual(run.warnings, WARNINGS[stack][addon]);
            });

            it(`${stack}: ${addon} on again is the stack file as committed: no problem, no warning`, () => {
                assert.ok(stackAddons(stack).includes(addon));
                assert.deepStrictEqual([problemsOf(stackConfig(stack)), warningsOf(stackConfig(stack))], [[], []]);
            });
        }
    }

    for (const stack of committedStacks()) {
        it(`${stack}: the sample application on is istio-mesh:sampleApp: true alone, within the budget`, async () => {
            const change = { "istio-mesh:sampleApp": true };
            assert.deepStrictEqual(
                [problemsOf(stackConfig(stack, change)), warningsOf(stackConfig(stack, change))],
                [[], []],
            );
            const run = await evaluateStack(stack, change);
            assert.strictEqual(run.error, undefined);
            assert.deepStrictEqual(
                new Graph(run.registrations).ofType("kubernetes:apps/v1:Deployment").map((r) => r.name),
                ["mesh-sample-app-backend", "mesh-sample-app-client", "mesh-sample-app-frontend"],
            );
        });
    }

    it("dev and staging: the dashboards off is istio-mesh:dashboards: none alone; their other dashboard keys warn", () => {
        const dev = stackConfig("dev", { "istio-mesh:dashboards": "none" });
        assert.deepStrictEqual([problemsOf(dev), warningsOf(dev)], [[], [unrouted("dashboardPlainHttp", "true")]]);
        const staging = stackConfig("staging", { "istio-mesh:dashboards": "none" });
        assert.deepStrictEqual(
            [problemsOf(staging), warningsOf(staging)],
            [
                [],
                [
                    unrouted("dashboardHost", '"mesh.staging.example.com"'),
                    unrouted("dashboardAllowedCidrs", '["10.0.0.0/8"]'),
                    unrouted("dashboardTlsSecret", '"mesh-staging-tls"'),
                ],
            ],
        );
    });

    it("an add-on off alone whose others need it is refused, naming what needs it and the fix", () => {
        assert.deepStrictEqual(
            problemsOf(stackConfig("dev", { "istio-mesh:addons": ["grafana", "jaeger", "kiali"] })),
            [
                'istio-mesh:addons: "grafana" needs a Prometheus: its datasource and every Istio dashboard read Prometheus; add prometheus to istio-mesh:addons, give an existing one in istio-mesh:prometheusUrl, or remove grafana',
                'istio-mesh:addons: "kiali" needs a Prometheus: its graph and health come from Prometheus metrics; add prometheus to istio-mesh:addons, give an existing one in istio-mesh:prometheusUrl, or remove kiali',
            ],
        );
    });
});
