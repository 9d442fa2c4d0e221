import * as assert from "assert";
import { memoryBudget } from "../components/sizing/budget";
import { planSizing } from "../components/sizing/sizing";
import { parseMeshSettings } from "../components/config/stack-config";
import { Graph } from "./support/graph";
import { allObjects, podSpecOf } from "./support/manifests";
import { stackConfig } from "./support/program";
import { renderStack } from "./support/render";
import { warningsOf } from "./support/problems";

/**
 * `platform` in both modes: with sidecars, only OpenShift changes anything. It refuses the
 * NET_ADMIN of the `istio-init` container every injected pod would run, so the CNI agent
 * redirects the pods' traffic instead, from kube-system, and istiod injects no `istio-init`.
 */

const OPENSHIFT = { "istio-mesh:platform": "openshift", "istio-mesh:nodes": 3 };

describe("OpenShift with sidecars", () => {
    it("runs the CNI agent in kube-system with OpenShift's paths and Multus, and istiod injects through it", async () => {
        const render = await renderStack("dev", OPENSHIFT);
        const agents = allObjects(render.releases).filter(({ object }) => object.kind === "DaemonSet");
        assert.deepStrictEqual(
            agents.map(({ object }) => `${object.metadata.namespace}/${object.metadata.name}`),
            ["kube-system/istio-cni-node"],
        );
        const config = allObjects(render.releases).find(
            ({ object }) => object.kind === "ConfigMap" && object.metadata.name === "istio-cni-config",
        )?.object.data as Record<string, string>;
        assert.strictEqual(config.CHAINED_CNI_PLUGIN, "false");
        assert.strictEqual(config.AMBIENT_ENABLED, "false");
        const volumes = (podSpecOf(agents[0].object)?.volumes ?? []) as { hostPath?: { path: string } }[];
        assert.ok(
            volumes.some((v) => v.hostPath?.path === "/var/lib/cni/bin"),
            JSON.stringify(volumes),
        );
        const injector = allObjects(render.releases).find(
            ({ object }) => object.kind === "ConfigMap" && object.metadata.name === "istio-sidecar-injector-1-31-4",
        );
        const values = JSON.parse((injector?.object.data as Record<string, string>).values) as {
            pilot: { cni: { enabled: boolean; provider: string } };
        };
        assert.deepStrictEqual([values.pilot.cni.enabled, values.pilot.cni.provider], [true, "multus"]);
    });

    it("starts no injected pod before the agent: the gateways and the namespace labels wait for it", async () => {
        const render = await renderStack("dev", OPENSHIFT);
        const graph = new Graph(render.run.registrations);
        // Waiting for a component is waiting for what it holds: the agent's chart.
        const cni = graph.get("kubernetes:helm.sh/v4:Chart", "sidecar-cni");
        for (const waiting of [
            graph.get("istio-mesh:core:Gateway", "ingress-gateway"),
            graph.get("kubernetes:core/v1:NamespacePatch", "sidecar-injection-default"),
        ]) {
            assert.ok(graph.waitsFor(waiting, cni), waiting.name);
        }
    });

    it("the budget counts the agent on every node", () => {
        const settings = parseMeshSettings(stackConfig("dev", OPENSHIFT));
        const rows = memoryBudget(settings, planSizing(settings)).lines.map((line) => line.label);
        assert.ok(rows.includes("cni (3 nodes)"), rows.join(", "));
        assert.ok(!rows.some((label) => /ztunnel/.test(label)));
    });

    it("warns that another platform changes nothing with sidecars", () => {
        assert.deepStrictEqual(warningsOf(stackConfig("dev", { "istio-mesh:platform": "gke" })), [
            `istio-mesh:platform: "gke" has no effect here: istio-mesh:ambient is false, so no CNI agent is installed to use its paths (sidecars need one on OpenShift only); ambient's data plane uses it once istio-mesh:ambient is true. Keep it for then, or remove it to silence this warning`,
        ]);
        assert.deepStrictEqual(warningsOf(stackConfig("dev", OPENSHIFT)), []);
    });
});
