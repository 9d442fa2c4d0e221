import * as assert from "assert";
import { parseMeshSettings } from "../components/config/stack-config";
import { WORKLOAD_CHARTS, workloadValues } from "../components/values/workload-values";
import { Graph } from "./support/graph";
import { allObjects, podSpecOf } from "./support/manifests";
import { problemsOf } from "./support/problems";
import { runProgram, stackConfig } from "./support/program";
import { renderStack } from "./support/render";
import { chartValueProblems } from "./support/reference";
import { SECRET_SIG, SECRET_SIG_KEY } from "./support/monitor";

/**
 * What a real cluster asks of every workload: a registry mirror and pull credentials, node
 * placement, high availability, and the ingress gateway's Service as the cloud's load
 * balancer reads it, or no ingress gateway at all. Each as chart values (exact objects) and
 * where the charts put it in the rendered manifests.
 */

const REGISTRY = "mirror.example.com:5000/hub";
const DOCKER_CONFIG = JSON.stringify({ auths: { "mirror.example.com:5000": { auth: "dXNlcjpwYXNz" } } });
const PLACEMENT = {
    all: { nodeSelector: { "node-role/mesh": "true" }, tolerations: [{ key: "mesh", operator: "Exists" }] },
    istiod: { priorityClassName: "system-cluster-critical" },
};

/** The dev stack on a cluster with a mirror, credentials, dedicated nodes, HA and an AWS NLB. */
const FITTED = {
    "istio-mesh:imageRegistry": REGISTRY,
    "istio-mesh:imagePullSecrets": ["org-pull"],
    "istio-mesh:registryCredentials": DOCKER_CONFIG,
    "istio-mesh:scheduling": PLACEMENT,
    "istio-mesh:availability": "high",
    "istio-mesh:nodes": 3,
    "istio-mesh:memory": "16Gi",
    "istio-mesh:ingressServiceAnnotations": { "service.beta.kubernetes.io/aws-load-balancer-type": "external" },
    "istio-mesh:ingressLoadBalancerSourceRanges": ["203.0.113.0/24", "2001:db8::/32"],
    "istio-mesh:ingressLoadBalancerClass": "service.k8s.aws/nlb",
};

describe("workloads: what the cluster asks of every chart", () => {
    const workloads = {
        registry: REGISTRY,
        pullSecrets: ["registry-credentials", "org-pull"],
        placement: {
            istiod: { nodeSelector: { pool: "mesh" }, priorityClassName: "system-cluster-critical" },
            kiali: { tolerations: [{ key: "mesh", operator: "Exists" as const }] },
        },
    };

    it("spells each chart's registry, pull secrets and placement its own way", () => {
        assert.deepStrictEqual(workloadValues("istiod", workloads, { app: "istiod" }), {
            nodeSelector: { pool: "mesh" },
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { app: "istiod" } },
                },
            ],
            global: {
                hub: `${REGISTRY}/istio`,
                imagePullSecrets: ["registry-credentials", "org-pull"],
                priorityClassName: "system-cluster-critical",
            },
        });
        assert.deepStrictEqual(workloadValues("ingressGateway", workloads), {
            imagePullSecrets: [{ name: "registry-credentials" }, { name: "org-pull" }],
        });
        assert.deepStrictEqual(workloadValues("ztunnel", workloads), {
            hub: `${REGISTRY}/istio`,
            imagePullSecrets: ["registry-credentials", "org-pull"],
        });
        assert.deepStrictEqual(workloadValues("cni", workloads), {
            hub: `${REGISTRY}/istio`,
            global: { imagePullSecrets: ["registry-credentials", "org-pull"] },
        });
        assert.deepStrictEqual(workloadValues("prometheus", workloads), {
            imagePullSecrets: [{ name: "registry-credentials" }, { name: "org-pull" }],
            configmapReload: {
                prometheus: { image: { repository: `${REGISTRY}/prometheus-operator/prometheus-config-reloader` } },
            },
            server: { image: { repository: `${REGISTRY}/prometheus/prometheus` } },
        });
        assert.deepStrictEqual(workloadValues("grafana", workloads), {
            global: { imageRegistry: REGISTRY, imagePullSecrets: ["registry-credentials", "org-pull"] },
        });
        assert.deepStrictEqual(workloadValues("jaeger", workloads), {
            global: { imageRegistry: REGISTRY },
            jaeger: { image: { pullSecrets: ["registry-credentials", "org-pull"] } },
        });
        assert.deepStrictEqual(workloadValues("kiali", workloads), {
            deployment: {
                tolerations: [{ key: "mesh", operator: "Exists" }],
                image_pull_secrets: ["registry-credentials", "org-pull"],
                image_name: `${REGISTRY}/kiali/kiali`,
            },
        });
        // Nothing asked, nothing set: the charts' own values stand.
        for (const chart of WORKLOAD_CHARTS) {
            assert.deepStrictEqual(workloadValues(chart, { pullSecrets: [], placement: {} }), {}, chart);
        }
    });

    it("refuses each bad value by its key, with the fix, and never shows a credential", () => {
        assert.deepStrictEqual(
            problemsOf(
                stackConfig("dev", {
                    "istio-mesh:imageRegistry": "https://mirror.example.com/",
                    "istio-mesh:imagePullSecrets": ["Org_Pull"],
                    "istio-mesh:registryCredentials": "hunter2-not-json",
                    "istio-mesh:scheduling": {
                        istoid: {},
                        all: {
                            nodeSelecter: {},
                            tolerations: [
                                { key: "a", operator: "In" },
                                { key: "b", operator: "Exists", value: "x" },
                                { key: "c", effect: "NoSchedule", tolerationSeconds: 30 },
                            ],
                        },
                    },
                    "istio-mesh:availability": "ha",
                    "istio-mesh:ingressLoadBalancerSourceRanges": ["203.0.113.0/33"],
                    "istio-mesh:ingressServiceAnnotations": { "bad key!": "x" },
                }),
            ),
            [
                'istio-mesh:ingressServiceAnnotations: "bad key!" is not an annotation key',
                'istio-mesh:ingressLoadBalancerSourceRanges: item 0 "203.0.113.0/33" is not an IPv4 or IPv6 CIDR; use address/prefix, e.g. 203.0.113.0/24 or 2001:db8::/32',
                'istio-mesh:imageRegistry: "https://mirror.example.com/" is not a registry; write a host with an optional port and path, in lower case, without a scheme or a trailing slash, e.g. mirror.example.com:5000/hub',
                'istio-mesh:imagePullSecrets: item 0 "Org_Pull" is not a Secret name',
                'istio-mesh:registryCredentials: is not a Docker config with an "auths" map (its value is not shown); give the contents of a config.json that `docker login` wrote',
                'istio-mesh:scheduling: "istoid" is not a component; did you mean istiod?; all.nodeSelecter is not a placement field; did you mean nodeSelector?; all.tolerations[0].operator "In" is not Equal or Exists; all.tolerations[1].value "x" is set with operator Exists, which matches any value; remove it; all.tolerations[2].tolerationSeconds is set, but only a NoExecute taint evicts; set effect: NoExecute',
                'istio-mesh:availability: "ha" is not one of auto, single, high (case-sensitive)',
            ],
        );
    });

    it("refuses routed dashboards without an ingress gateway, and warns of what has no effect", () => {
        assert.deepStrictEqual(problemsOf(stackConfig("dev", { "istio-mesh:ingressGateway": false })), [
            "istio-mesh:ingressGateway: false leaves no gateway to route the dashboards through (istio-mesh:dashboards: ingress); set istio-mesh:dashboards: none to reach them by port-forward, or keep the ingress gateway",
        ]);
        const settings = parseMeshSettings(
            stackConfig("prod", {
                "istio-mesh:availability": "high",
                "istio-mesh:scheduling": {
                    grafana: { priorityClassName: "low" },
                    jaeger: { priorityClassName: "low" },
                },
                "istio-mesh:addons": ["prometheus", "jaeger"],
            }),
        );
        assert.deepStrictEqual(settings.warnings, [
            "istio-mesh:availability: high on a cluster of one node (istio-mesh:nodes): two pods survive the loss of a pod, not of the node, and a drain of that node waits on the disruption budget; give istio-mesh:nodes the cluster's node count",
            "istio-mesh:scheduling: places grafana, which is not installed, so that has no effect; remove it or install it",
            "istio-mesh:scheduling: gives jaeger a priority class, which its chart cannot set, so its pod keeps the cluster's default priority",
        ]);
    });

    it("without an ingress gateway: no gateway, namespace or route of it, no ingressGateway output", async () => {
        // prod waits for its LoadBalancer's address: that key goes with the gateway.
        const run = await runProgram(
            stackConfig("prod", {
                "istio-mesh:ingressGateway": false,
                "istio-mesh:awaitIngressAddress": false,
                "istio-mesh:networkPolicies": true,
            }),
            "prod",
        );
        assert.strictEqual(run.error, undefined);
        const names = run.registrations.map((r) => r.name);
        assert.deepStrictEqual(
            names.filter((name) => /ingress/.test(name)),
            [],
        );
        assert.strictEqual(run.savedOutputs?.ingressGateway, undefined);
        assert.ok(names.includes("mesh-egress-gateway"));
    });

    it("availability: single runs one pod of each even on a large cluster; high two and more, spread, with budgets", async () => {
        const single = await renderStack("prod", { "istio-mesh:availability": "single" });
        const deployments = (render: typeof single) =>
            Object.fromEntries(
                allObjects(render.releases)
                    .filter(({ object }) => object.kind === "Deployment")
                    .map(({ object }) => [object.metadata.name, (object.spec as { replicas?: number }).replicas]),
            );
        const budgets = (render: typeof single) =>
            allObjects(render.releases)
                .filter(({ object }) => object.kind === "PodDisruptionBudget")
                .map(({ object }) => object.metadata.name)
                .sort();
        assert.deepStrictEqual(
            [deployments(single)["istiod-1-31-4"], deployments(single)["istio-ingressgateway"]],
            [1, 1],
        );
        assert.deepStrictEqual(budgets(single), []);
        const high = await renderStack("dev", { "istio-mesh:availability": "high", "istio-mesh:nodes": 2 });
        assert.deepStrictEqual(budgets(high), ["istio-egressgateway", "istio-ingressgateway", "istiod-1-31-4"]);
    });

    describe("a cluster with a mirror, credentials, dedicated nodes, HA and an NLB (dev stack), rendered", () => {
        const fitted = () => renderStack("dev", FITTED);

        it("pulls every image from the mirror, under its path; the proxies istiod injects too", async () => {
            const render = await fitted();
            const images = allObjects(render.releases).flatMap(({ object }) => {
                const pod = podSpecOf(object);
                return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => c.image as string);
            });
            assert.strictEqual(images.length, 7, images.join(", "));
            assert.deepStrictEqual(
                images.filter((image) => image !== "auto" && !image.startsWith(`${REGISTRY}/`)),
                [],
            );
            const injector = allObjects(render.releases).find(
                ({ object }) => object.kind === "ConfigMap" && object.metadata.name === "istio-sidecar-injector-1-31-4",
            );
            const values = JSON.parse((injector?.object.data as Record<string, string>).values) as {
                global: { hub: string; imagePullSecrets: string[] };
            };
            assert.deepStrictEqual(values.global.hub, `${REGISTRY}/istio`);
            assert.deepStrictEqual(values.global.imagePullSecrets, ["registry-credentials", "org-pull"]);
        });

        it("with ambient, pulls ztunnel and the CNI agent from the mirror too, with the credentials in their namespace", async () => {
            const render = await renderStack("dev", {
                ...FITTED,
                "istio-mesh:ambient": true,
                "istio-mesh:platform": "minikube",
            });
            const agents = allObjects(render.releases).filter(({ object }) => object.kind === "DaemonSet");
            assert.deepStrictEqual(
                agents.map(({ object }) => (podSpecOf(object)?.containers ?? []).map((c) => c.image)),
                [[`${REGISTRY}/istio/install-cni:1.31.4-distroless`], [`${REGISTRY}/istio/ztunnel:1.31.4-distroless`]],
            );
            assert.ok(
                render.run.registrations.some((r) => r.name === "mesh-registry-credentials-istio-ambient"),
                "credentials in istio-ambient",
            );
        });

        it("writes the credentials in each namespace that runs pods, secret, before the charts there", async () => {
            const render = await fitted();
            const graph = new Graph(render.run.registrations);
            const secrets = graph
                .ofType("kubernetes:core/v1:Secret")
                .filter((r) => /registry-credentials/.test(r.name));
            assert.deepStrictEqual(
                secrets.map((r) => [r.name, (r.inputs.metadata as { name: string }).name]),
                [
                    ["mesh-registry-credentials-istio-egress", "registry-credentials"],
                    ["mesh-registry-credentials-istio-ingress", "registry-credentials"],
                    ["mesh-registry-credentials-istio-system", "registry-credentials"],
                ],
            );
            for (const secret of secrets) {
                assert.deepStrictEqual(secret.inputs.type, "kubernetes.io/dockerconfigjson");
                // The SDK marks the whole map secret when one of its values is.
                assert.deepStrictEqual(secret.inputs.stringData, {
                    [SECRET_SIG_KEY]: SECRET_SIG,
                    value: { ".dockerconfigjson": DOCKER_CONFIG },
                });
            }
            for (const chart of ["mesh-istiod-1-31-4", "mesh-ingress-gateway", "mesh-egress-gateway"]) {
                const registered = graph.ofType("kubernetes:helm.sh/v4:Chart").find((r) => r.name === chart);
                assert.ok(registered !== undefined, chart);
                assert.ok(
                    secrets.some((secret) => graph.waitsFor(registered, secret)),
                    `${chart} waits for the credentials in its namespace`,
                );
            }
            for (const addon of ["mesh-prometheus", "mesh-grafana", "mesh-jaeger", "mesh-kiali"]) {
                const registered = render.run.registrations.find((r) => r.name === addon);
                assert.ok(registered !== undefined && graph.waitsFor(registered, secrets[2]), addon);
            }
        });

        it("sets only values the pinned charts read", async () => {
            const render = await fitted();
            const problems = render.run.registrations
                .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
                .flatMap((r) => chartValueProblems(String(r.inputs.chart), String(r.inputs.version), r.inputs.values));
            assert.deepStrictEqual(problems, []);
        });

        it("places every Deployment on the mesh's nodes, tolerating their taint; istiod at its priority", async () => {
            const render = await fitted();
            const deployments = allObjects(render.releases).filter(({ object }) => object.kind === "Deployment");
            assert.strictEqual(deployments.length, 7);
            for (const { object } of deployments) {
                const pod = podSpecOf(object) as {
                    nodeSelector?: unknown;
                    tolerations?: unknown[];
                    priorityClassName?: string;
                };
                assert.deepStrictEqual(pod.nodeSelector, { "node-role/mesh": "true" }, object.metadata.name);
                assert.deepStrictEqual(
                    pod.tolerations?.filter((t) => (t as { key?: string }).key === "mesh"),
                    [{ key: "mesh", operator: "Exists" }],
                    object.metadata.name,
                );
                assert.strictEqual(
                    pod.priorityClassName,
                    object.metadata.name === "istiod-1-31-4" ? "system-cluster-critical" : undefined,
                    object.metadata.name,
                );
            }
        });

        it("gives the ingress Service the NLB's annotation, class and source ranges, and keeps client addresses", async () => {
            const render = await fitted();
            const service = allObjects(render.releases).find(
                ({ object }) => object.kind === "Service" && object.metadata.name === "istio-ingressgateway",
            )?.object as unknown as {
                metadata: { annotations: Record<string, string> };
                spec: Record<string, unknown>;
            };
            assert.deepStrictEqual(service.metadata.annotations, {
                "pulumi.com/skipAwait": "true",
                "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            });
            assert.deepStrictEqual(
                [
                    service.spec.loadBalancerClass,
                    service.spec.loadBalancerSourceRanges,
                    service.spec.externalTrafficPolicy,
                ],
                ["service.k8s.aws/nlb", ["2001:db8::/32", "203.0.113.0/24"], "Local"],
            );
        });
    });
});
