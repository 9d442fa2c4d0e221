import * as assert from "assert";
import { admits, Pod, PolicyIn } from "./support/network-policy";
import { renderStack } from "./support/render";

/**
 * Who reaches what in the mesh's namespaces with istio-mesh:networkPolicies (staging), by
 * the NetworkPolicies the program registers and the charts render, and the pod labels the
 * charts render.
 */

async function meshOf(
    stack: string,
    overrides: Record<string, unknown> = {},
    everyAddon = true,
): Promise<{ policies: PolicyIn[]; pods: Record<string, Pod> }> {
    const { run, releases } = await renderStack(stack, overrides);
    const objects = releases.flatMap((release) => release.objects);
    const policies: PolicyIn[] = [
        ...run.registrations
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => ({
                namespace: (r.inputs.metadata as { namespace: string }).namespace,
                spec: r.inputs.spec as PolicyIn["spec"],
            })),
        ...objects
            .filter((o) => o.kind === "NetworkPolicy")
            .map((o) => ({ namespace: o.metadata.namespace ?? "", spec: o.spec as PolicyIn["spec"] })),
    ];
    const pod = (name: string): Pod => {
        const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
        if (deployment === undefined && !everyAddon) {
            return { namespace: "absent", labels: {} };
        }
        assert.ok(deployment, `no Deployment ${name}`);
        const template = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
        return { namespace: deployment.metadata.namespace ?? "", labels: template.metadata.labels };
    };
    return {
        policies,
        pods: {
            gateway: pod("istio-ingressgateway"),
            egress: pod("istio-egressgateway"),
            istiod: pod("istiod-1-31-4"),
            prometheus: pod("prometheus"),
            grafana: pod("grafana"),
            jaeger: pod("jaeger"),
            kiali: pod("kiali"),
            app: { namespace: "shop", labels: { app: "shop" } },
        },
    };
}

describe("NetworkPolicies (istio-mesh:networkPolicies)", () => {
    it("staging: only the gateway reaches the dashboards, only Kiali and Grafana Prometheus and Jaeger's query port, every pod istiod and the collector", async () => {
        const { policies, pods } = await meshOf("staging");
        const reach = (from: keyof typeof pods, to: keyof typeof pods, port: number): boolean =>
            admits(policies, pods[from], pods[to], port);
        assert.deepStrictEqual(
            {
                "gateway -> kiali:20001": reach("gateway", "kiali", 20001),
                "gateway -> grafana:3000": reach("gateway", "grafana", 3000),
                "app -> kiali:20001": reach("app", "kiali", 20001),
                "app -> grafana:3000": reach("app", "grafana", 3000),
                "kiali -> prometheus:9090": reach("kiali", "prometheus", 9090),
                "grafana -> prometheus:9090": reach("grafana", "prometheus", 9090),
                "app -> prometheus:9090": reach("app", "prometheus", 9090),
                "gateway -> prometheus:9090": reach("gateway", "prometheus", 9090),
                "kiali -> jaeger:16686": reach("kiali", "jaeger", 16686),
                "app -> jaeger:16686": reach("app", "jaeger", 16686),
                "app -> jaeger:4317": reach("app", "jaeger", 4317),
                "app -> istiod:15012": reach("app", "istiod", 15012),
                "app -> istiod:15017": reach("app", "istiod", 15017),
                "app -> istiod:15014": reach("app", "istiod", 15014),
                "prometheus -> istiod:15014": reach("prometheus", "istiod", 15014),
                "kiali -> istiod:15014": reach("kiali", "istiod", 15014),
                "app -> istiod:15010": reach("app", "istiod", 15010),
                "app -> istiod:8080": reach("app", "istiod", 8080),
                "kiali -> istiod:8080": reach("kiali", "istiod", 8080),
                "prometheus -> kiali:9090": reach("prometheus", "kiali", 9090),
                "app -> kiali:9090": reach("app", "kiali", 9090),
                "app -> gateway:8080": reach("app", "gateway", 8080),
                "app -> egress:8443": reach("app", "egress", 8443),
            },
            {
                "gateway -> kiali:20001": true,
                "gateway -> grafana:3000": true,
                "app -> kiali:20001": false,
                "app -> grafana:3000": false,
                "kiali -> prometheus:9090": true,
                "grafana -> prometheus:9090": true,
                "app -> prometheus:9090": false,
                "gateway -> prometheus:9090": false,
                "kiali -> jaeger:16686": true,
                "app -> jaeger:16686": false,
                "app -> jaeger:4317": true,
                "app -> istiod:15012": true,
                "app -> istiod:15017": true,
                "app -> istiod:15014": false,
                "prometheus -> istiod:15014": true,
                "kiali -> istiod:15014": false,
                "app -> istiod:15010": false,
                "app -> istiod:8080": false,
                "kiali -> istiod:8080": false,
                "prometheus -> kiali:9090": true,
                "app -> kiali:9090": false,
                "app -> gateway:8080": true,
                "app -> egress:8443": true,
            },
        );
    });

    it("without Kiali and Grafana, nobody reaches Prometheus and Jaeger's query port, which staging does not route (no rule with an empty from, which would admit all)", async () => {
        const { policies, pods } = await meshOf("staging", { "istio-mesh:addons": ["prometheus", "jaeger"] }, false);
        const emptyFrom = policies.flatMap((p) => p.spec.ingress ?? []).filter((rule) => rule.from?.length === 0);
        assert.deepStrictEqual(emptyFrom, []);
        assert.deepStrictEqual(
            {
                "app -> prometheus:9090": admits(policies, pods.app, pods.prometheus, 9090),
                "app -> jaeger:16686": admits(policies, pods.app, pods.jaeger, 16686),
                "gateway -> prometheus:9090": admits(policies, pods.gateway, pods.prometheus, 9090),
                "gateway -> jaeger:16686": admits(policies, pods.gateway, pods.jaeger, 16686),
                "app -> jaeger:4317": admits(policies, pods.app, pods.jaeger, 4317),
                "app -> istiod:15014": admits(policies, pods.app, pods.istiod, 15014),
            },
            {
                "app -> prometheus:9090": false,
                "app -> jaeger:16686": false,
                "gateway -> prometheus:9090": false,
                "gateway -> jaeger:16686": false,
                "app -> jaeger:4317": true,
                "app -> istiod:15014": false,
            },
        );
    });

    it("dev: none (minikube's CNI would not enforce them), and Kiali's chart adds no allow-all of its own", async () => {
        const { policies, pods } = await meshOf("dev");
        assert.deepStrictEqual(policies, []);
        assert.strictEqual(admits(policies, pods.app, pods.prometheus, 9090), true);
    });

    it("staging: every pod selector that selects all pods is {}, never an empty matchLabels, which the API server rewrites on every apply", async () => {
        const { policies } = await meshOf("staging");
        const emptyMatchLabels = (value: unknown, at: string): string[] => {
            if (typeof value !== "object" || value === null) return [];
            return Object.entries(value).flatMap(([key, child]) =>
                key === "matchLabels" && typeof child === "object" && child !== null && Object.keys(child).length === 0
                    ? [`${at}.${key}`]
                    : emptyMatchLabels(child, `${at}.${key}`),
            );
        };
        assert.deepStrictEqual(
            policies.flatMap((policy, i) => emptyMatchLabels(policy.spec, `${policy.namespace}[${i}].spec`)),
            [],
        );
    });

    it("a gateway kept in istio-system shares the mesh's deny-all, and still answers anyone", async () => {
        const { run } = await renderStack(
            "staging",
            {
                "istio-mesh:ingressNamespace": "istio-system",
                "istio-mesh:egressNamespace": "istio-system",
            },
            // A mesh deployed before, whose gateways were there; a new one is refused.
            { lastOutputs: { controlPlanes: { "istiod-1-31-4": { version: "1.31.4", tag: "default" } } } },
        );
        const names = run.registrations
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map(
                (r) =>
                    `${(r.inputs.metadata as { namespace: string }).namespace}/${(r.inputs.metadata as { name: string }).name}`,
            )
            .sort();
        assert.deepStrictEqual(names, [
            "istio-system/default-deny-ingress",
            "istio-system/egress-gateway",
            "istio-system/grafana",
            "istio-system/ingress-gateway",
            "istio-system/istiod",
            "istio-system/jaeger",
            "istio-system/kiali",
            "istio-system/prometheus",
            "istio-system/prometheus-scrapes",
        ]);
    });
});
