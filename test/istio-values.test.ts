import * as assert from "assert";
import { parseMeshSettings } from "../components/config/stack-config";
import { baseValues, gatewayValues, istiodValues } from "../components/values/istio-values";
import { planSizing } from "../components/sizing/sizing";
import { SUPPORTED_ISTIO_MINORS } from "../components/versions";
import { chartSchemaErrors, unknownValuePaths } from "./support/reference";

const dev = planSizing(parseMeshSettings({}));
const large = planSizing(parseMeshSettings({ "istio-mesh:memory": "32Gi" }));

describe("Istio chart values", () => {
    it("base pins the validating webhook's failure policy and sends validation to the default revision", () => {
        assert.deepStrictEqual(baseValues("1-31-4"), {
            base: { validationFailurePolicy: "Fail" },
            defaultRevision: "1-31-4",
        });
    });

    it("istiod on the 4Gi dev cluster: its revision, one small replica, access logs, paths normalized before routing and policy, small sidecars", () => {
        assert.deepStrictEqual(istiodValues({ revision: "1-31-4" }, dev), {
            revision: "1-31-4",
            base: { validationFailurePolicy: "Fail" },
            replicaCount: 1,
            autoscaleEnabled: false,
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "768Mi" } },
            global: {
                hub: "docker.io/istio",
                defaultPodDisruptionBudget: { enabled: false },
                proxy: {
                    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "1000m", memory: "256Mi" } },
                },
            },
            meshConfig: {
                accessLogFile: "/dev/stdout",
                pathNormalization: { normalization: "DECODE_AND_MERGE_SLASHES" },
            },
        });
    });

    it("the istiod of before revisions keeps its values, without a revision and without its injection webhooks", () => {
        const { revision, ...rest } = istiodValues({ revision: "1-31-4" }, dev);
        assert.strictEqual(revision, "1-31-4");
        assert.deepStrictEqual(istiodValues({}, dev), {
            ...rest,
            global: { ...rest.global, operatorManageWebhooks: true },
        });
    });

    it("an istiod of a newer minor beside an older one keeps the older's behaviour: compatibilityVersion", () => {
        const values = istiodValues({ revision: "1-31-4", compatibilityVersion: "1.30" }, dev);
        const { compatibilityVersion, ...rest } = values;
        assert.strictEqual(compatibilityVersion, "1.30");
        assert.deepStrictEqual(rest, istiodValues({ revision: "1-31-4" }, dev));
    });

    it("istiod on a 32Gi cluster: autoscaled from two replicas with a disruption budget", () => {
        const values = istiodValues({ revision: "1-31-4" }, large);
        assert.deepStrictEqual(
            [
                values.replicaCount,
                values.autoscaleEnabled,
                values.autoscaleMin,
                values.autoscaleMax,
                values.global.defaultPodDisruptionBudget,
            ],
            [2, true, 2, 5, { enabled: true }],
        );
    });

    const LOCAL = "Local" as const;
    const service = (
        type: "LoadBalancer" | "NodePort" | "ClusterIP",
        awaitAddress = false,
    ): Parameters<typeof gatewayValues>[1] => ({ type, awaitAddress, externalTrafficPolicy: LOCAL });

    it("ingress gateway: on the default revision, selectable as istio=ingressgateway, service type from config, client addresses kept", () => {
        assert.deepStrictEqual(gatewayValues("ingress", service("NodePort"), dev, "1-31-4"), {
            revision: "1-31-4",
            labels: { istio: "ingressgateway" },
            service: { type: "NodePort", externalTrafficPolicy: "Local" },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1000m", memory: "384Mi" } },
            replicaCount: 1,
            autoscaling: { enabled: false },
            podDisruptionBudget: {},
        });
    });

    it("ingress LoadBalancer: Pulumi skips waiting for its address unless the stack awaits it; ClusterIP has no traffic policy", () => {
        assert.deepStrictEqual(gatewayValues("ingress", service("LoadBalancer"), dev, "1-31-4").service, {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            annotations: { "pulumi.com/skipAwait": "true" },
        });
        assert.deepStrictEqual(gatewayValues("ingress", service("LoadBalancer", true), dev, "1-31-4").service, {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
        });
        assert.deepStrictEqual(gatewayValues("ingress", service("ClusterIP"), dev, "1-31-4").service, {
            type: "ClusterIP",
        });
    });

    it("egress gateway: always ClusterIP", () => {
        const values = gatewayValues("egress", service("LoadBalancer"), dev, "1-31-4");
        assert.deepStrictEqual([values.labels, values.service], [{ istio: "egressgateway" }, { type: "ClusterIP" }]);
    });

    it("gateways on a 32Gi cluster autoscale from two replicas with a disruption budget", () => {
        const values = gatewayValues("ingress", service("LoadBalancer"), large, "1-31-4");
        assert.deepStrictEqual(
            [values.autoscaling, values.podDisruptionBudget],
            [{ enabled: true, minReplicas: 2, maxReplicas: 5 }, { minAvailable: 1 }],
        );
    });

    describe("every key is one the charts of every supported minor read", () => {
        const tracing = [
            {
                name: "jaeger",
                opentelemetry: { service: "jaeger-collector.istio-system.svc.cluster.local", port: 4317 },
            },
        ];
        for (const minor of SUPPORTED_ISTIO_MINORS) {
            const ref = `istio-${minor}`;
            // Istio's demo profile is an official values set for istiod: it shows the meshConfig fields.
            const istiodFiles = [`${ref}/istiod.values.yaml`, `${ref}/demo-profile.values.yaml`];
            for (const plan of [dev, large]) {
                it(`Istio ${minor}: base, istiod and gateways (${plan.tier} tier)`, () => {
                    assert.deepStrictEqual(
                        unknownValuePaths(`${ref}/base`, [`${ref}/base.values.yaml`], baseValues("1-31-4")),
                        [],
                    );
                    assert.deepStrictEqual(
                        unknownValuePaths(
                            `${ref}/istiod`,
                            istiodFiles,
                            istiodValues({ revision: "1-31-4" }, plan, tracing),
                        ),
                        [],
                    );
                    assert.deepStrictEqual(
                        unknownValuePaths(`${ref}/istiod`, istiodFiles, istiodValues({}, plan, tracing)),
                        [],
                    );
                    for (const role of ["ingress", "egress"] as const) {
                        const values = gatewayValues(role, service("LoadBalancer"), plan, "1-31-4");
                        assert.deepStrictEqual(
                            unknownValuePaths(`${ref}/gateway`, [`${ref}/gateway.values.yaml`], values),
                            [],
                        );
                        assert.deepStrictEqual(chartSchemaErrors(`${ref}/gateway.values.schema.json`, values), []);
                    }
                });
            }
        }

        it("the check itself rejects a key the chart does not read", () => {
            assert.deepStrictEqual(
                unknownValuePaths("istio-1.31/gateway", ["istio-1.31/gateway.values.yaml"], {
                    service: { typo: 1 },
                    labels: { istio: "x" },
                }),
                ["service.typo"],
            );
            assert.notDeepStrictEqual(chartSchemaErrors("istio-1.31/gateway.values.schema.json", { replicas: 2 }), []);
        });
    });
});
