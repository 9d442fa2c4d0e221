import * as assert from "assert";
import { problemsOf } from "./support/problems";
import { memoryBudget } from "../components/sizing/budget";
import { parseMeshSettings } from "../components/config/stack-config";

function budgetOf(memory: string): { totalMi: number; budgetMi: number } {
    const settings = parseMeshSettings({ "istio-mesh:memory": memory });
    return memoryBudget(settings);
}

describe("memory budget", () => {
    it("the 4Gi dev environment with every add-on requests at most 1536Mi", () => {
        assert.deepStrictEqual(budgetOf("4Gi"), { ...budgetOf("4Gi"), totalMi: 1024, budgetMi: 2048 });
        assert.ok(budgetOf("4Gi").totalMi <= 1536);
    });

    it("2Gi with every add-on fits within half", () => {
        assert.deepStrictEqual([budgetOf("2Gi").totalMi, budgetOf("2Gi").budgetMi], [624, 1024]);
        assert.deepStrictEqual([budgetOf("2048Mi").totalMi, budgetOf("3.5Gi").totalMi], [624, 624]);
    });

    it("a cluster that cannot fit is refused with a table of every request and what to change", () => {
        assert.deepStrictEqual(problemsOf({ "istio-mesh:memory": "1Gi" }), [
            [
                "istio-mesh:memory: the components request 624Mi of memory, over the budget of 512Mi (50% of istio-mesh:memory):",
                "      istiod             1x      128Mi",
                "      ingressGateway     1x       40Mi",
                "      egressGateway      1x       40Mi",
                "      prometheus         1x      192Mi",
                "      grafana            1x       64Mi",
                "      jaeger             1x       96Mi",
                "      kiali              1x       64Mi",
                "      total                      624Mi",
                "      proxy (per pod)             40Mi  per workload pod, not counted",
                "    To fit: disable grafana, kiali (istio-mesh:addons: [prometheus, jaeger]); or give the cluster 2Gi (istio-mesh:memory), the next size that fits; or raise istio-mesh:memoryBudgetPercent to 61",
            ].join("\n"),
        ]);
    });

    const lastLine = (raw: Record<string, string>): string => problemsOf(raw)[0].split("\n").pop() ?? "";

    it("names the next cluster that fits, found across tiers, not divided out", () => {
        // At 10%, 1Gi's 624Mi would suggest 7Gi; but 7Gi is the small tier (1024Mi, needs
        // 10Gi), and 10Gi is the medium tier (2560Mi): the first cluster that fits is 25Gi.
        // No set of add-ons fits in 102Mi, so disabling them is not offered.
        assert.strictEqual(
            lastLine({ "istio-mesh:memory": "1Gi", "istio-mesh:memoryBudgetPercent": "10" }),
            "    To fit: give the cluster 25Gi (istio-mesh:memory), the next size that fits; or raise istio-mesh:memoryBudgetPercent to 61",
        );
        assert.deepStrictEqual(problemsOf({ "istio-mesh:memory": "25Gi", "istio-mesh:memoryBudgetPercent": "10" }), []);
        assert.match(
            problemsOf({ "istio-mesh:memory": "24Gi", "istio-mesh:memoryBudgetPercent": "10" })[0],
            /request 2560Mi of memory, over the budget of 2457Mi/,
        );
    });

    it("never suggests a smaller cluster, or a budget share above 90%", () => {
        assert.strictEqual(
            lastLine({ "istio-mesh:memory": "8Gi", "istio-mesh:memoryBudgetPercent": "30" }),
            "    To fit: disable kiali (istio-mesh:addons: [prometheus, grafana, jaeger]); or give the cluster 9Gi (istio-mesh:memory), the next size that fits; or raise istio-mesh:memoryBudgetPercent to 32",
        );
        const overSized = {
            "istio-mesh:memory": "4Gi",
            "istio-mesh:resources": JSON.stringify({
                istiod: { requests: { memory: "3900Mi" }, limits: { memory: "4Gi" } },
            }),
        };
        assert.strictEqual(
            lastLine(overSized),
            "    To fit: lower istio-mesh:resources (set for istiod); or give the cluster 12Gi (istio-mesh:memory), the next size that fits",
        );
    });

    it("keeps add-ons with what they need: never Grafana or Kiali without Prometheus", () => {
        const raw = {
            "istio-mesh:memory": "2Gi",
            "istio-mesh:resources": JSON.stringify({
                prometheus: { requests: { memory: "1Gi" }, limits: { memory: "1Gi" } },
            }),
        };
        assert.strictEqual(
            lastLine(raw),
            "    To fit: lower istio-mesh:resources (set for prometheus); or disable prometheus, grafana, kiali (istio-mesh:addons: [jaeger]); or give the cluster 3Gi (istio-mesh:memory), the next size that fits; or raise istio-mesh:memoryBudgetPercent to 72",
        );
    });

    it("never suggests a cluster whose tier would clash with an override", () => {
        // A 200Mi limit for Prometheus is below every tier's request from 4Gi up.
        const raw = {
            "istio-mesh:memory": "3Gi",
            "istio-mesh:memoryBudgetPercent": "20",
            "istio-mesh:resources": JSON.stringify({ prometheus: { limits: { memory: "200Mi" } } }),
        };
        assert.strictEqual(
            lastLine(raw),
            "    To fit: lower istio-mesh:resources (set for prometheus); or disable kiali (istio-mesh:addons: [prometheus, grafana, jaeger]); or raise istio-mesh:memoryBudgetPercent to 21",
        );
        assert.match(
            problemsOf({ ...raw, "istio-mesh:memory": "4Gi" })[0],
            /prometheus: requests\.memory 256Mi \(computed\) is above limits\.memory 200Mi \(set\)/,
        );
    });

    it("names replica overrides among what to lower", () => {
        assert.strictEqual(
            lastLine({ "istio-mesh:memory": "2Gi", "istio-mesh:replicas": JSON.stringify({ istiod: 5 }) }),
            "    To fit: lower istio-mesh:replicas (set for istiod); or disable grafana, kiali (istio-mesh:addons: [prometheus, jaeger]); or give the cluster 3Gi (istio-mesh:memory), the next size that fits; or raise istio-mesh:memoryBudgetPercent to 56",
        );
    });

    it("1Gi fits once the add-ons are off", () => {
        assert.strictEqual(
            parseMeshSettings({ "istio-mesh:memory": "1Gi", "istio-mesh:addons": "[]" }).memory.quantity,
            "1Gi",
        );
    });

    it("counts the minimum replicas of an autoscaled control plane and gateways (32Gi)", () => {
        assert.deepStrictEqual(budgetOf("32Gi"), {
            ...budgetOf("32Gi"),
            totalMi: 2 * 2048 + 2 * 256 + 2 * 256 + 4096 + 512 + 1024 + 512,
            budgetMi: 16384,
        });
    });
});
