import * as assert from "assert";
import { problemsOf } from "./support/problems";
import { memoryBudget } from "../components/budget";
import { parseMeshSettings } from "../components/config";
import { planSizing } from "../components/sizing";

function budgetOf(memory: string): { totalMi: number; budgetMi: number } {
    const settings = parseMeshSettings({ "istio-mesh:memory": memory });
    return memoryBudget(planSizing(settings), settings.addons, settings.egressGateway, settings.memory.bytes, 50);
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
                "      istiod            1 x    128Mi",
                "      ingressGateway    1 x     40Mi",
                "      egressGateway     1 x     40Mi",
                "      prometheus        1 x    192Mi",
                "      grafana           1 x     64Mi",
                "      jaeger            1 x     96Mi",
                "      kiali             1 x     64Mi",
                "      total                    624Mi",
                "    disable add-ons (largest first: prometheus 192Mi, jaeger 96Mi, grafana 64Mi, kiali 64Mi), or give the cluster at least 2Gi (istio-mesh:memory), or raise istio-mesh:memoryBudgetPercent",
            ].join("\n"),
        ]);
    });

    it("names the smallest cluster that fits, found across tiers, not divided out", () => {
        // At 10%, 1Gi's 624Mi would suggest 7Gi; but 7Gi is the small tier (1024Mi, needs
        // 10Gi), and 10Gi is the medium tier (2560Mi): the first cluster that fits is 25Gi.
        const problems = problemsOf({ "istio-mesh:memory": "1Gi", "istio-mesh:memoryBudgetPercent": "10" });
        assert.match(problems[0], /, or give the cluster at least 25Gi \(istio-mesh:memory\), or raise istio-mesh:memoryBudgetPercent$/);
        assert.deepStrictEqual(problemsOf({ "istio-mesh:memory": "25Gi", "istio-mesh:memoryBudgetPercent": "10" }), []);
        assert.match(problemsOf({ "istio-mesh:memory": "24Gi", "istio-mesh:memoryBudgetPercent": "10" })[0], /request 2560Mi of memory, over the budget of 2457Mi/);
    });

    it("1Gi fits once the add-ons are off", () => {
        assert.strictEqual(parseMeshSettings({ "istio-mesh:memory": "1Gi", "istio-mesh:addons": "[]" }).memory.quantity, "1Gi");
    });

    it("counts the minimum replicas of an autoscaled control plane and gateways (32Gi)", () => {
        assert.deepStrictEqual(budgetOf("32Gi"), { ...budgetOf("32Gi"), totalMi: 2 * 2048 + 2 * 256 + 2 * 256 + 4096 + 512 + 1024 + 512, budgetMi: 16384 });
    });
});
