import * as assert from "assert";
import { parseMeshSettings } from "../components/settings";
import { baseValues, gatewayValues, istiodValues } from "../components/values/istio-values";
import { planSizing } from "../components/sizing/sizing";
import { chartSchemaErrors, unknownValuePaths } from "./support/reference";

// Istio's demo profile is an official values set for istiod: it shows the meshConfig fields.
const ISTIOD_VALUES = ["istio-1.31/istiod.values.yaml", "istio-1.31/demo-profile.values.yaml"];
const dev = planSizing(parseMeshSettings({}));
const large = planSizing(parseMeshSettings({ "istio-mesh:memory": "32Gi" }));

describe("Istio chart values", () => {
    it("base pins the validating webhook's failure policy", () => {
        assert.deepStrictEqual(baseValues(), { base: { validationFailurePolicy: "Fail" } });
    });

    it("istiod on the 4Gi dev cluster: one small replica, access logs, paths normalized before routing and policy, small sidecars", () => {
        assert.deepStrictEqual(istiodValues(dev), {
            base: { validationFailurePolicy: "Fail" },
            replicaCount: 1,
            autoscaleEnabled: false,
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "768Mi" } },
            global: {
                defaultPodDisruptionBudget: { enabled: false },
                proxy: { resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "1000m", memory: "256Mi" } } },
            },
            meshConfig: { accessLogFile: "/dev/stdout", pathNormalization: { normalization: "DECODE_AND_MERGE_SLASHES" } },
        });
    });

    it("istiod on a 32Gi cluster: autoscaled from two replicas with a disruption budget", () => {
        const values = istiodValues(large);
        assert.deepStrictEqual(
            [values.replicaCount, values.autoscaleEnabled, values.autoscaleMin, values.autoscaleMax, values.global.defaultPodDisruptionBudget],
            [2, true, 2, 5, { enabled: true }],
        );
    });

    const LOCAL = "Local" as const;
    const service = (type: "LoadBalancer" | "NodePort" | "ClusterIP", awaitAddress = false): Parameters<typeof gatewayValues>[1] => ({ type, awaitAddress, externalTrafficPolicy: LOCAL });

    it("ingress gateway: selectable as istio=ingressgateway, service type from config, client addresses kept", () => {
        assert.deepStrictEqual(gatewayValues("ingress", service("NodePort"), dev), {
            labels: { istio: "ingressgateway" },
            service: { type: "NodePort", externalTrafficPolicy: "Local" },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1000m", memory: "384Mi" } },
            replicaCount: 1,
            autoscaling: { enabled: false },
            podDisruptionBudget: {},
        });
    });

    it("ingress LoadBalancer: Pulumi skips waiting for its address unless the stack awaits it; ClusterIP has no traffic policy", () => {
        assert.deepStrictEqual(gatewayValues("ingress", service("LoadBalancer"), dev).service, {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            annotations: { "pulumi.com/skipAwait": "true" },
        });
        assert.deepStrictEqual(gatewayValues("ingress", service("LoadBalancer", true), dev).service, { type: "LoadBalancer", externalTrafficPolicy: "Local" });
        assert.deepStrictEqual(gatewayValues("ingress", service("ClusterIP"), dev).service, { type: "ClusterIP" });
    });

    it("egress gateway: always ClusterIP", () => {
        const values = gatewayValues("egress", service("LoadBalancer"), dev);
        assert.deepStrictEqual([values.labels, values.service], [{ istio: "egressgateway" }, { type: "ClusterIP" }]);
    });

    it("gateways on a 32Gi cluster autoscale from two replicas with a disruption budget", () => {
        const values = gatewayValues("ingress", service("LoadBalancer"), large);
        assert.deepStrictEqual([values.autoscaling, values.podDisruptionBudget], [{ enabled: true, minReplicas: 2, maxReplicas: 5 }, { minAvailable: 1 }]);
    });

    describe("every key is one the pinned chart reads", () => {
        const tracing = [{ name: "jaeger", opentelemetry: { service: "jaeger-collector.istio-system.svc.cluster.local", port: 4317 } }];
        for (const plan of [dev, large]) {
            it(`base, istiod and gateways (${plan.tier} tier)`, () => {
                assert.deepStrictEqual(unknownValuePaths("istio-1.31/base", ["istio-1.31/base.values.yaml"], baseValues()), []);
                assert.deepStrictEqual(unknownValuePaths("istio-1.31/istiod", ISTIOD_VALUES, istiodValues(plan, tracing)), []);
                for (const role of ["ingress", "egress"] as const) {
                    const values = gatewayValues(role, service("LoadBalancer"), plan);
                    assert.deepStrictEqual(unknownValuePaths("istio-1.31/gateway", ["istio-1.31/gateway.values.yaml"], values), []);
                    assert.deepStrictEqual(chartSchemaErrors("istio-1.31/gateway.values.schema.json", values), []);
                }
            });
        }

        it("the check itself rejects a key the chart does not read", () => {
            assert.deepStrictEqual(unknownValuePaths("istio-1.31/gateway", ["istio-1.31/gateway.values.yaml"], { service: { typo: 1 }, labels: { istio: "x" } }), [
                "service.typo",
            ]);
            assert.notDeepStrictEqual(chartSchemaErrors("istio-1.31/gateway.values.schema.json", { replicas: 2 }), []);
        });
    });
});
