import * as assert from "assert";
import { problemsOf, warningsOf } from "./support/problems";
import { memoryBudget } from "../components/sizing/budget";
import { parseMeshSettings } from "../components/config/stack-config";
import { planSizing, TIERS, toResources } from "../components/sizing/sizing";
import { Component, COMPONENTS, Size } from "../components/args/components";
import { Graph } from "./support/graph";
import { runProgram, stackConfig } from "./support/program";
import { formatMarkdown, sizingTable } from "./tools/sizing-table";

const CHART = "kubernetes:helm.sh/v4:Chart";

function plan(raw: Record<string, string>): ReturnType<typeof planSizing> {
    return planSizing(parseMeshSettings(raw));
}

const resourcesKey = (overrides: unknown): Record<string, string> => ({
    "istio-mesh:resources": JSON.stringify(overrides),
});

describe("sizing table", () => {
    // istiod's size in each tier, written out rather than read from the table under test.
    const ISTIOD: Record<string, Size> = {
        minimal: { cpuRequest: 50, cpuLimit: 500, memoryRequest: 128, memoryLimit: 512 },
        small: { cpuRequest: 100, cpuLimit: 1000, memoryRequest: 256, memoryLimit: 768 },
        medium: { cpuRequest: 250, cpuLimit: 2000, memoryRequest: 512, memoryLimit: 1024 },
        large: { cpuRequest: 500, cpuLimit: 4000, memoryRequest: 2048, memoryLimit: 4096 },
    };
    // memory as written -> tier, control plane / gateway scaling, total requested of the budget.
    const edges: [string, string, string, string, string][] = [
        ["1Gi", "minimal", "1", "1", "refused"],
        ["2Gi", "minimal", "1", "1", "624/1024"],
        ["3.5Gi", "minimal", "1", "1", "624/1792"],
        // 4G is 4x10^9 bytes, 3.73Gi: below the 4Gi edge.
        ["4G", "minimal", "1", "1", "624/1907"],
        ["4095Mi", "minimal", "1", "1", "624/2047"],
        ["4Gi", "small", "1", "1", "1024/2048"],
        ["4096Mi", "small", "1", "1", "1024/2048"],
        ["8Gi", "medium", "1", "1-3", "2560/4096"],
        ["16Gi", "medium", "1", "1-3", "2560/8192"],
        ["32767Mi", "medium", "1", "1-3", "2560/16383"],
        ["32Gi", "large", "2-5", "2-5", "11264/16384"],
        ["64Gi", "large", "2-5", "2-5", "11264/32768"],
    ];
    const scaling = (s: { replicas: number; autoscale?: { min: number; max: number } }): string =>
        s.autoscale ? `${s.autoscale.min}-${s.autoscale.max}` : String(s.replicas);

    for (const [memory, tier, controlPlane, gateways, budget] of edges) {
        it(`${memory}: ${tier} tier, ${budget === "refused" ? "refused with every add-on" : `${budget}Mi requested`}`, () => {
            const settings = parseMeshSettings({
                "istio-mesh:memory": memory,
                ...(budget === "refused" && { "istio-mesh:addons": "[]" }),
            });
            const sized = planSizing(settings);
            assert.deepStrictEqual(
                [sized.tier, sized.sizes.istiod, scaling(sized.scaling.istiod), scaling(sized.scaling.ingressGateway)],
                [tier, ISTIOD[tier], controlPlane, gateways],
            );
            if (budget === "refused") {
                assert.match(
                    problemsOf({ "istio-mesh:memory": memory }).join(),
                    /^istio-mesh:memory: the components request/,
                );
            } else {
                const counted = memoryBudget(settings);
                assert.strictEqual(`${counted.totalMi}/${counted.budgetMi}`, budget);
            }
        });
    }

    it("gives every component a nonzero request at or below its limit, in every tier", () => {
        for (const tier of TIERS) {
            for (const component of COMPONENTS) {
                const { cpuRequest, cpuLimit, memoryRequest, memoryLimit } = tier.sizes[component];
                assert.ok(cpuRequest > 0 && memoryRequest > 0, `${tier.name}/${component} requests nothing`);
                assert.ok(
                    cpuRequest <= cpuLimit && memoryRequest <= memoryLimit,
                    `${tier.name}/${component} requests above its limit`,
                );
            }
        }
    });

    it("never shrinks a component as the cluster grows", () => {
        for (let i = 1; i < TIERS.length; i++) {
            for (const component of COMPONENTS) {
                for (const [field, value] of Object.entries(TIERS[i].sizes[component])) {
                    const smaller = TIERS[i - 1].sizes[component][field as keyof Size];
                    assert.ok(
                        value >= smaller,
                        `${TIERS[i].name}/${component}.${field} ${value} < ${TIERS[i - 1].name}'s ${smaller}`,
                    );
                }
            }
        }
    });
});

describe("istio-mesh:resources overrides", () => {
    it("win over the computed values, field by field", () => {
        const sized = plan(
            resourcesKey({
                prometheus: { requests: { memory: "1Gi" }, limits: { memory: "2Gi", cpu: 2 } },
                proxy: { requests: { cpu: "0.05" } },
            }),
        );
        assert.deepStrictEqual(sized.sizes.prometheus, {
            cpuRequest: 100,
            cpuLimit: 2000,
            memoryRequest: 1024,
            memoryLimit: 2048,
        });
        assert.deepStrictEqual(sized.sizes.proxy, {
            cpuRequest: 50,
            cpuLimit: 1000,
            memoryRequest: 64,
            memoryLimit: 256,
        });
        const untouched = COMPONENTS.filter((c) => c !== "prometheus" && c !== "proxy");
        assert.deepStrictEqual(
            untouched.map((c) => sized.sizes[c]),
            untouched.map((c) => plan({}).sizes[c]),
        );
    });

    it("count in the memory budget", () => {
        const refused = problemsOf({
            "istio-mesh:memory": "2Gi",
            ...resourcesKey({ prometheus: { requests: { memory: "1Gi" }, limits: { memory: "1Gi" } } }),
        });
        assert.match(
            refused[0],
            /^istio-mesh:memory: the components request 1456Mi of memory, over the budget of 1024Mi/,
        );
    });

    const bad: [string, unknown, string][] = [
        ["not a map", ["istiod"], 'istio-mesh:resources: ["istiod"] is not a map; write it as a YAML map'],
        [
            "an unknown component",
            { istiodd: {} },
            'istio-mesh:resources: "istiodd" is not a component. Did you mean "istiod"? Use any of ' +
                COMPONENTS.join(", "),
        ],
        [
            "an entry that is not a map",
            { kiali: "256Mi" },
            'istio-mesh:resources: kiali: "256Mi" is not a map of requests and limits; e.g. { requests: { cpu: 100m, memory: 256Mi }, limits: { cpu: "1", memory: 512Mi } }',
        ],
        [
            "an unknown section",
            { kiali: { request: { memory: "256Mi" } } },
            'istio-mesh:resources: kiali.request is not a field; use requests and limits, e.g. { requests: { cpu: 100m, memory: 256Mi }, limits: { cpu: "1", memory: 512Mi } }',
        ],
        [
            "an unknown resource",
            { kiali: { limits: { "ephemeral-storage": "1Gi" } } },
            "istio-mesh:resources: kiali.limits.ephemeral-storage is not a field; set cpu and memory only",
        ],
        [
            "a malformed quantity",
            { grafana: { requests: { memory: "256MB" } } },
            'istio-mesh:resources: grafana.requests.memory: "256MB" is not a positive Kubernetes quantity; use e.g. 256Mi or 1Gi',
        ],
        [
            "a zero request",
            { grafana: { requests: { cpu: 0 } } },
            'istio-mesh:resources: grafana.requests.cpu: 0 is not a positive Kubernetes quantity; use e.g. 250m or "1"',
        ],
        [
            "memory that is not whole MiB",
            { jaeger: { limits: { memory: "1G" } } },
            'istio-mesh:resources: jaeger.limits.memory: "1G" is not a whole number of MiB; write memory in Mi or Gi, e.g. 256Mi',
        ],
        [
            "CPU finer than a millicore",
            { jaeger: { limits: { cpu: "0.0005" } } },
            'istio-mesh:resources: jaeger.limits.cpu: "0.0005" is not a whole number of millicores; use e.g. 250m',
        ],
        [
            "a request above the computed limit",
            { istiod: { requests: { memory: "1Gi" } } },
            "istio-mesh:resources: istiod: requests.memory 1024Mi (set) is above limits.memory 768Mi (computed); set istiod.limits.memory to at least 1024Mi, or lower the request",
        ],
        [
            "a limit below the computed request",
            { ingressGateway: { limits: { cpu: "10m" } } },
            "istio-mesh:resources: ingressGateway: requests.cpu 50m (computed) is above limits.cpu 10m (set); set ingressGateway.limits.cpu to at least 50m, or lower the request",
        ],
    ];
    for (const [what, overrides, message] of bad) {
        it(`reject ${what}`, () => {
            assert.deepStrictEqual(problemsOf(resourcesKey(overrides)), [message]);
        });
    }

    it("warn of an entry for a component this environment does not deploy, which applies once it is on again", () => {
        const raw = {
            "istio-mesh:addons": '["prometheus"]',
            "istio-mesh:egressGateway": "false",
            ...resourcesKey({
                kiali: { limits: { memory: "512Mi" } },
                egressGateway: { limits: { memory: "512Mi" } },
                ztunnel: { limits: { memory: "512Mi" } },
                cni: { limits: { memory: "256Mi" } },
            }),
        };
        assert.deepStrictEqual(problemsOf(raw), []);
        assert.deepStrictEqual(warningsOf(raw), [
            "istio-mesh:resources: the egressGateway entry has no effect here: istio-mesh:egressGateway is false, so egressGateway is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
            "istio-mesh:resources: the kiali entry has no effect here: kiali is not in istio-mesh:addons, so kiali is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
            "istio-mesh:resources: the ztunnel entry has no effect here: istio-mesh:ambient is false, so ztunnel is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
            "istio-mesh:resources: the cni entry has no effect here: istio-mesh:ambient is false, so cni is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
        ]);
    });

    it("check an entry for a component that is not deployed not against its sizes", () => {
        // A request above the computed limit would be refused for a deployed Kiali.
        const raw = {
            "istio-mesh:addons": "[]",
            ...resourcesKey({ kiali: { requests: { memory: "1Gi" } } }),
        };
        assert.deepStrictEqual(problemsOf(raw), []);
        assert.deepStrictEqual(warningsOf(raw), [
            "istio-mesh:resources: the kiali entry has no effect here: kiali is not in istio-mesh:addons, so kiali is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
        ]);
    });

    it("report every bad entry at once", () => {
        assert.strictEqual(
            problemsOf(resourcesKey({ kiali: { limits: { memory: "x" } }, grafana: { requests: { cpu: "y" } } }))
                .length,
            2,
        );
    });
});

describe("chart values carry the sizing to each chart's keys", () => {
    // Where each chart reads its pod resources, and which component's size goes there.
    const RESOURCE_KEYS: [chart: string, path: string, component: Component][] = [
        ["istiod-1-31-4", "resources", "istiod"],
        ["istiod-1-31-4", "global.proxy.resources", "proxy"],
        ["ingress-gateway", "resources", "ingressGateway"],
        ["egress-gateway", "resources", "egressGateway"],
        ["prometheus", "server.resources", "prometheus"],
        ["grafana", "resources", "grafana"],
        ["jaeger", "jaeger.resources", "jaeger"],
        ["kiali", "deployment.resources", "kiali"],
        ["ambient-ztunnel", "resources", "ztunnel"],
        ["ambient-cni", "resources", "cni"],
    ];
    const at = (values: unknown, path: string): unknown =>
        path.split(".").reduce((node, key) => (node as Record<string, unknown>)?.[key], values);

    for (const [memory, overrides] of [
        ["4Gi", {}],
        ["32Gi", { kiali: { limits: { memory: "1536Mi" } }, proxy: { requests: { memory: "96Mi" } } }],
    ] as const) {
        it(`${memory}${Object.keys(overrides).length > 0 ? " with overrides" : ""}: every component's requests and limits`, async () => {
            // With ambient on, so that its DaemonSets are sized too.
            const config = stackConfig("dev", {
                "istio-mesh:memory": memory,
                "istio-mesh:resources": overrides,
                "istio-mesh:ambient": true,
            });
            const run = await runProgram(config);
            assert.strictEqual(run.error, undefined);
            const expected = planSizing(parseMeshSettings(config));
            const charts = new Graph(run.registrations).ofType(CHART);
            for (const [chart, path, component] of RESOURCE_KEYS) {
                const values = charts.find((c) => c.name === `mesh-${chart}`)?.inputs.values;
                assert.deepStrictEqual(at(values, path), toResources(expected.sizes[component]), `${chart} ${path}`);
            }
            if (memory === "32Gi") {
                // The overrides themselves, written out: not derived from the code under test.
                const value = (chart: string, path: string): unknown =>
                    at(charts.find((c) => c.name === `mesh-${chart}`)?.inputs.values, path);
                assert.deepStrictEqual(value("kiali", "deployment.resources.limits"), {
                    cpu: "2000m",
                    memory: "1536Mi",
                });
                assert.deepStrictEqual(value("istiod-1-31-4", "global.proxy.resources.requests"), {
                    cpu: "100m",
                    memory: "96Mi",
                });
            }
            // The sample application is no chart: test/sample-app.test.ts checks its containers.
            const sized = new Set<Component>([...RESOURCE_KEYS.map(([, , component]) => component), "sampleApp"]);
            assert.deepStrictEqual(
                COMPONENTS.filter((c) => !sized.has(c)),
                [],
            );
        });
    }
});

describe("npm run plan's table", () => {
    it("lists every deployed component, the sidecar default apart, and the total against the budget, as Markdown", () => {
        const settings = parseMeshSettings({
            "istio-mesh:memory": "8Gi",
            "istio-mesh:addons": '["prometheus","kiali"]',
            "istio-mesh:egressGateway": "false",
        });
        assert.strictEqual(
            formatMarkdown(sizingTable(settings)),
            [
                "memory 8Gi, tier medium, budget 4096Mi (50% of memory)",
                "",
                "| component | replicas | cpu request | cpu limit | memory request | memory limit | requested |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                "| istiod | 1 | 250m | 2000m | 512Mi | 1024Mi | 512Mi |",
                "| ingressGateway | 1-3 (HPA) | 100m | 2000m | 128Mi | 512Mi | 128Mi |",
                "| prometheus | 1 | 250m | 2000m | 1024Mi | 2048Mi | 1024Mi |",
                "| kiali | 1 | 50m | 1000m | 256Mi | 512Mi | 256Mi |",
                "| proxy (per pod) | - | 50m | 2000m | 128Mi | 512Mi | - |",
                "",
                "**total requested 1920Mi of the 4096Mi budget; sidecars are per pod and not counted**",
                "",
            ].join("\n"),
        );
    });
});

describe("istio-mesh:replicas overrides", () => {
    const replicasKey = (overrides: unknown): Record<string, string> => ({
        "istio-mesh:replicas": JSON.stringify(overrides),
    });

    it("win over the tier: a count runs that many pods, a range autoscales, two or more get a disruption budget", () => {
        const sized = plan({
            "istio-mesh:memory": "8Gi",
            ...replicasKey({ istiod: 3, ingressGateway: { min: 2, max: 6 }, egressGateway: 1 }),
        });
        assert.deepStrictEqual(sized.scaling, {
            istiod: { replicas: 3, podDisruptionBudget: true },
            ingressGateway: { replicas: 2, autoscale: { min: 2, max: 6 }, podDisruptionBudget: true },
            egressGateway: { replicas: 1, podDisruptionBudget: false },
        });
    });

    it("reach the charts' replica, autoscaling and disruption-budget keys", async () => {
        const config = stackConfig("dev", { "istio-mesh:replicas": { istiod: { min: 2, max: 4 }, ingressGateway: 3 } });
        const charts = new Graph((await runProgram(config)).registrations).ofType(CHART);
        const values = (name: string): Record<string, unknown> =>
            charts.find((c) => c.name === `mesh-${name}`)?.inputs.values as Record<string, unknown>;
        const pick = (name: string, keys: string[]): unknown[] => keys.map((key) => values(name)[key]);
        assert.deepStrictEqual(
            pick("istiod-1-31-4", ["replicaCount", "autoscaleEnabled", "autoscaleMin", "autoscaleMax"]),
            [2, true, 2, 4],
        );
        assert.deepStrictEqual((values("istiod-1-31-4").global as Record<string, unknown>).defaultPodDisruptionBudget, {
            enabled: true,
        });
        assert.deepStrictEqual(pick("ingress-gateway", ["replicaCount", "autoscaling", "podDisruptionBudget"]), [
            3,
            { enabled: false },
            { minAvailable: 1 },
        ]);
        assert.deepStrictEqual(pick("egress-gateway", ["replicaCount", "autoscaling", "podDisruptionBudget"]), [
            1,
            { enabled: false },
            {},
        ]);
    });

    it("count in the memory budget at their guaranteed (minimum) replicas", () => {
        const settings = parseMeshSettings(replicasKey({ istiod: { min: 3, max: 5 } }));
        assert.deepStrictEqual(memoryBudget(settings).lines[0], {
            component: "istiod",
            label: "istiod",
            replicas: 3,
            requestMi: 3 * 256,
        });
    });

    const bad: [string, unknown, string][] = [
        [
            "an add-on",
            { prometheus: 2 },
            'istio-mesh:replicas: "prometheus" cannot be scaled. Only istiod, ingressGateway, egressGateway run more than one replica',
        ],
        [
            "a misspelt component",
            { istiodd: 2 },
            'istio-mesh:replicas: "istiodd" cannot be scaled. Did you mean "istiod"? Only istiod, ingressGateway, egressGateway run more than one replica',
        ],
        [
            "zero",
            { istiod: 0 },
            "istio-mesh:replicas: istiod: 0 is not a replica count from 1 to 20; e.g. 2, or { min: 2, max: 5 } to autoscale",
        ],
        [
            "a fraction",
            { istiod: 1.5 },
            "istio-mesh:replicas: istiod: 1.5 is not a replica count from 1 to 20; e.g. 2, or { min: 2, max: 5 } to autoscale",
        ],
        [
            "a range upside down",
            { ingressGateway: { min: 4, max: 2 } },
            'istio-mesh:replicas: ingressGateway: {"min":4,"max":2} is not an autoscaling range; give whole numbers 1 <= min <= max <= 20, e.g. 2, or { min: 2, max: 5 } to autoscale',
        ],
        [
            "a range with an unknown field",
            { ingressGateway: { min: 1, max: 2, target: 80 } },
            'istio-mesh:replicas: ingressGateway: {"min":1,"max":2,"target":80} is not an autoscaling range; give whole numbers 1 <= min <= max <= 20, e.g. 2, or { min: 2, max: 5 } to autoscale',
        ],
    ];
    for (const [what, overrides, message] of bad) {
        it(`reject ${what}`, () => {
            assert.deepStrictEqual(problemsOf(replicasKey(overrides)), [message]);
        });
    }

    it("warn of a gateway that is not deployed", () => {
        const raw = { "istio-mesh:egressGateway": "false", ...replicasKey({ egressGateway: 2 }) };
        assert.deepStrictEqual(problemsOf(raw), []);
        assert.deepStrictEqual(warningsOf(raw), [
            "istio-mesh:replicas: the egressGateway entry has no effect here: istio-mesh:egressGateway is false, so egressGateway is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
        ]);
    });
});
