import * as assert from "assert";
import { joinsAmbientNote, keepsAmbientNote, releasesAmbientNote } from "../components/values/ambient-notes";
import { memoryBudget, budgetRefusal } from "../components/sizing/budget";
import { planSizing } from "../components/sizing/sizing";
import { configKey, parseMeshSettings } from "../components/config/stack-config";
import { agentValues, istiodAmbientValues, waypointGateway } from "../components/values/ambient-values";
import { gatewayApiObjects } from "../components/mesh/gateway-api-crds";
import { Graph } from "./support/graph";
import { problemsOf, warningsOf } from "./support/problems";
import { runProgram, runUnderMocks, stackConfig } from "./support/program";
import { renderStack, StackRender } from "./support/render";
import { allObjects, label, podSpecOf } from "./support/manifests";
import { Crd, crdSchemaErrors } from "./support/reference";
import {
    containerResourceProblems,
    istioCrdProblems,
    kubernetesSchemaProblems,
    offlineStartProblems,
    renderedMemoryRequest,
} from "./support/rendered-checks";
import {
    AMBIENT_STEPS,
    appliedLabels,
    clusterAfter,
    clusterBefore,
    renderUpgradeStep,
    upgradeStep,
} from "./support/upgrade-flow";
import { IstioMesh } from "../components";
import { translateStackConfig } from "../components/config/stack-config";

const CHART = "kubernetes:helm.sh/v4:Chart";
const PATCH = "kubernetes:core/v1:NamespacePatch";

/** The dev stack with ambient on minikube, `shop` ambient with a waypoint, on a two-node cluster. */
const AMBIENT_DEV = {
    "istio-mesh:ambient": true,
    "istio-mesh:platform": "minikube",
    "istio-mesh:nodes": 2,
    "istio-mesh:ambientNamespaces": ["shop"],
    "istio-mesh:waypointNamespaces": ["shop"],
};

describe("ambient: configuration", () => {
    it("refuses each bad input with the key, the value and the fix", () => {
        assert.deepStrictEqual(
            problemsOf(stackConfig("dev", { "istio-mesh:ambient": true, "istio-mesh:ambientNamespaces": ["default"] })),
            [
                'istio-mesh:ambientNamespaces: "default" is also in istio-mesh:injectionNamespaces: a namespace runs sidecars or ambient, not both; remove it from one of the two (moving it to ambient is removing it from istio-mesh:injectionNamespaces in the same change)',
            ],
        );
        assert.deepStrictEqual(
            problemsOf(
                stackConfig("dev", {
                    "istio-mesh:ambientNamespaces": ["shop"],
                    "istio-mesh:waypointNamespaces": ["shop"],
                }),
            ),
            [
                'istio-mesh:ambientNamespaces: lists "shop", but istio-mesh:ambient is false, so no ztunnel would capture them; set istio-mesh:ambient: true or empty this list',
                'istio-mesh:waypointNamespaces: lists "shop", but istio-mesh:ambient is false, so no ztunnel would capture them; set istio-mesh:ambient: true or empty this list',
            ],
        );
        assert.deepStrictEqual(
            problemsOf(stackConfig("dev", { "istio-mesh:ambient": true, "istio-mesh:waypointNamespaces": ["shop"] })),
            [
                'istio-mesh:waypointNamespaces: "shop" is not in istio-mesh:ambientNamespaces: a waypoint serves ambient workloads only (a sidecar is its own L7 proxy); add it there, or remove it here',
            ],
        );
        const [platform] = problemsOf(
            stackConfig("dev", { "istio-mesh:ambient": true, "istio-mesh:platform": "kind" }),
        );
        assert.match(platform, /^istio-mesh:platform: "kind" .*minikube.*openshift/);
        assert.deepStrictEqual(problemsOf(stackConfig("dev", { "istio-mesh:ambient": true, "istio-mesh:nodes": 0 })), [
            "istio-mesh:nodes: 0 is out of range; use a number from 1 to 5000 (nodes)",
        ]);
    });

    it("warns of platform and gatewayApiCrds without ambient, which they wait for (nodes counts for availability too)", () => {
        const raw = stackConfig("dev", {
            "istio-mesh:platform": "minikube",
            "istio-mesh:nodes": 3,
            "istio-mesh:gatewayApiCrds": "cluster",
        });
        const uses =
            "ambient's data plane uses it once istio-mesh:ambient is true. Keep it for then, or remove it to silence this warning";
        assert.deepStrictEqual(problemsOf(raw), []);
        assert.deepStrictEqual(warningsOf(raw), [
            `istio-mesh:platform: "minikube" has no effect here: istio-mesh:ambient is false, so no CNI agent is installed to use its paths (sidecars need one on OpenShift only); ${uses}`,
            `istio-mesh:gatewayApiCrds: "cluster" has no effect here: istio-mesh:ambient is false, so no waypoint needs the Gateway API CRDs; ${uses}`,
        ]);
    });

    it("refuses turning ambient off while the last deployment had ambient namespaces", () => {
        assert.throws(
            () => parseMeshSettings(stackConfig("dev"), { ambientNamespaces: ["shop"] }),
            (error: Error) =>
                error.message.includes(
                    'istio-mesh:ambient: false would remove ztunnel while "shop" was labelled ambient at the last deployment (its ambientNamespaces and capturedNamespaces outputs), leaving their unrestarted pods outside the mesh; move them back to istio-mesh:injectionNamespaces first with istio-mesh:ambient still true, restart them, list them in istio-mesh:ambientReleasedNamespaces (which drops their ambient label), and turn ambient off after that',
                ),
        );
        // The step after a move back: shop is no longer ambient, but still labelled so.
        assert.throws(
            () => parseMeshSettings(stackConfig("dev"), { ambientNamespaces: [], capturedNamespaces: ["shop"] }),
            /istio-mesh:ambient: false would remove ztunnel while "shop" was labelled ambient/,
        );
        assert.strictEqual(
            parseMeshSettings(stackConfig("dev"), { ambientNamespaces: [], capturedNamespaces: [] }).ambient,
            undefined,
        );
    });

    it("releases no ambient namespace's label, and only with ambient on", () => {
        const on = { "istio-mesh:ambient": true, "istio-mesh:platform": "minikube" };
        assert.deepStrictEqual(
            problemsOf(
                stackConfig("dev", {
                    ...on,
                    "istio-mesh:ambientNamespaces": ["shop"],
                    "istio-mesh:ambientReleasedNamespaces": ["shop", "cart"],
                }),
            ),
            [
                'istio-mesh:ambientReleasedNamespaces: "shop" is also in istio-mesh:ambientNamespaces, which labels it ambient: a release drops that label, for a namespace moved back to sidecars or taken out of the mesh; remove it here (a namespace moving to ambient again must not be released at its move back before its pods restart)',
            ],
        );
        assert.deepStrictEqual(
            problemsOf(stackConfig("dev", { "istio-mesh:ambientReleasedNamespaces": ["default"] })),
            [
                'istio-mesh:ambientReleasedNamespaces: lists "default", but istio-mesh:ambient is false, so no ztunnel would capture them; set istio-mesh:ambient: true or empty this list',
            ],
        );
    });

    it("keeps ztunnel under pods that have nothing else: no release in the move back's step, no captured namespace dropped from every list", () => {
        const on = { "istio-mesh:ambient": true, "istio-mesh:platform": "minikube" };
        const refusals = (config: Record<string, unknown>, last: { ambient: string[]; captured: string[] }) => {
            try {
                parseMeshSettings(stackConfig("dev", { ...on, ...config }), {
                    ambientNamespaces: last.ambient,
                    capturedNamespaces: last.captured,
                });
                return [];
            } catch (error) {
                return (error as { problems: string[] }).problems;
            }
        };
        const ambientShop = { ambient: ["shop"], captured: ["shop"] };
        // The move back and the release in one step: shop's pods still have no sidecar.
        assert.deepStrictEqual(
            refusals(
                {
                    "istio-mesh:injectionNamespaces": ["default", "shop"],
                    "istio-mesh:ambientReleasedNamespaces": ["shop"],
                },
                ambientShop,
            ),
            [
                'istio-mesh:ambientReleasedNamespaces: "shop" ran in ambient at the last deployment (its ambientNamespaces output): its pods have no sidecar until they restart, and the release would take them out of ztunnel at once; move it back to istio-mesh:injectionNamespaces without releasing it, restart what restartCommands lists, then release it in the next step',
            ],
        );
        // The step after the move back may release it.
        assert.deepStrictEqual(
            refusals(
                {
                    "istio-mesh:injectionNamespaces": ["default", "shop"],
                    "istio-mesh:ambientReleasedNamespaces": ["shop"],
                },
                { ambient: [], captured: ["shop"] },
            ),
            [],
        );
        // shop dropped from every list: its label would go under its pods.
        const dropped =
            'istio-mesh:ambientNamespaces: "shop" is labelled ambient (the last deployment\'s capturedNamespaces output) and in no list now, which would drop the label under pods that may have no sidecar; keep it in istio-mesh:ambientNamespaces, move it to istio-mesh:injectionNamespaces, or, to take it out of the mesh, list it in istio-mesh:ambientReleasedNamespaces';
        assert.deepStrictEqual(refusals({}, ambientShop), [dropped]);
        assert.deepStrictEqual(refusals({}, { ambient: [], captured: ["shop"] }), [dropped]);
        // Taken out of the mesh on purpose, once it no longer runs in ambient: a release.
        assert.deepStrictEqual(
            refusals({ "istio-mesh:ambientReleasedNamespaces": ["shop"] }, { ambient: [], captured: ["shop"] }),
            [],
        );
    });

    it("runs the agents in a privileged namespace of their own, and in kube-system on OpenShift", () => {
        const agents = (platform: string): string | undefined =>
            parseMeshSettings(stackConfig("dev", { "istio-mesh:ambient": true, "istio-mesh:platform": platform }))
                .ambient?.agentNamespace;
        assert.deepStrictEqual(
            [agents("minikube"), agents("none"), agents("openshift")],
            ["istio-ambient", "istio-ambient", "kube-system"],
        );
    });
});

describe("ambient: chart values", () => {
    const plan = planSizing(parseMeshSettings(stackConfig("dev")));
    it("gives the CNI agent and ztunnel the ambient profile, the platform, the default's revision, Docker Hub and their sizes", () => {
        assert.deepStrictEqual(agentValues("cni", { platform: "minikube" }, plan, "1-31-4"), {
            profile: "ambient",
            platform: "minikube",
            revision: "1-31-4",
            hub: "docker.io/istio",
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        });
        assert.deepStrictEqual(agentValues("ztunnel", { platform: "none" }, plan, "1-31-4"), {
            profile: "ambient",
            revision: "1-31-4",
            hub: "docker.io/istio",
            // One core: one worker thread on the small tier.
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1000m", memory: "512Mi" } },
        });
        assert.deepStrictEqual(istiodAmbientValues({ platform: "openshift", agentNamespace: "kube-system" }), {
            profile: "ambient",
            platform: "openshift",
            trustedZtunnelNamespace: "kube-system",
        });
    });

    it("writes a waypoint as istioctl does: class istio-waypoint, HBONE on 15008, for services", () => {
        const crds = gatewayApiObjects().filter((o) => o.kind === "CustomResourceDefinition") as unknown as Crd[];
        const gateway = waypointGateway("shop") as { apiVersion: string; kind: string; spec: unknown };
        assert.deepStrictEqual(crdSchemaErrors(gateway, crds), []);
        // Pulumi waits for istiod to program it before the namespace label points at it.
        assert.deepStrictEqual((gateway as unknown as { metadata: { annotations: unknown } }).metadata.annotations, {
            "pulumi.com/waitFor": "condition=Programmed",
        });
        assert.deepStrictEqual(gateway.spec, {
            gatewayClassName: "istio-waypoint",
            listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }],
        });
    });
});

describe("ambient: the budget counts the DaemonSets once per node", () => {
    it("lists ztunnel and the CNI agent times istio-mesh:nodes", () => {
        const settings = parseMeshSettings(stackConfig("dev", { ...AMBIENT_DEV, "istio-mesh:nodes": 3 }));
        const lines = memoryBudget(settings).lines.filter((l) => l.component === "ztunnel" || l.component === "cni");
        assert.deepStrictEqual(lines, [
            { component: "ztunnel", label: "ztunnel (3 nodes)", replicas: 3, requestMi: 384 },
            { component: "cni", label: "cni (3 nodes)", replicas: 3, requestMi: 192 },
        ]);
    });

    it("names istio-mesh:nodes in the refusal when fewer nodes would fit", () => {
        const raw = stackConfig("dev", { ...AMBIENT_DEV, "istio-mesh:memory": "4Gi", "istio-mesh:nodes": 12 });
        const message = problemsOf(raw).join("\n");
        assert.match(message, /ztunnel \(12 nodes\)\s+12x\s+1536Mi/);
        assert.match(
            message,
            /spread this memory over at most \d+ nodes \(istio-mesh:nodes is 12\): ztunnel and the CNI agent request 192Mi on every node/,
        );
        const settings = parseMeshSettings(stackConfig("dev", AMBIENT_DEV));
        assert.strictEqual(budgetRefusal(settings, planSizing(settings), configKey), undefined);
    });
});

describe("ambient: the dev stack with ambient on, rendered", () => {
    let render: StackRender;
    before(async function () {
        this.timeout(120000);
        render = await renderStack("dev", AMBIENT_DEV, { namespaces: ["shop"] });
        assert.strictEqual(render.run.error, undefined);
    });
    const objects = (kind: string): ReturnType<typeof allObjects> =>
        allObjects(render.releases).filter(({ object }) => object.kind === kind);

    it("bounds every container, starts offline, and passes the Kubernetes and Istio schemas", async () => {
        assert.deepStrictEqual(containerResourceProblems(render.releases), []);
        assert.deepStrictEqual(offlineStartProblems(render), []);
        assert.deepStrictEqual(istioCrdProblems(render), []);
        assert.deepStrictEqual(await kubernetesSchemaProblems(render.releases), []);
    });

    it("requests what the budget counts, the DaemonSets once per node", () => {
        const settings = parseMeshSettings(stackConfig("dev", AMBIENT_DEV));
        assert.strictEqual(renderedMemoryRequest(render.releases, 2).totalMi, memoryBudget(settings).totalMi);
    });

    it("mounts minikube's netns directory, and points ztunnel at the default's istiod, which trusts it", () => {
        const daemonSets = objects("DaemonSet").map(({ object }) => object);
        assert.deepStrictEqual(daemonSets.map(label), [
            "DaemonSet istio-ambient/istio-cni-node",
            "DaemonSet istio-ambient/ztunnel",
        ]);
        const cni = podSpecOf(daemonSets[0]) as unknown as { volumes: { name: string; hostPath?: { path: string } }[] };
        assert.strictEqual(
            cni.volumes.find((v) => v.name === "cni-netns-dir")?.hostPath?.path,
            "/var/run/docker/netns",
        );
        const ztunnel = podSpecOf(daemonSets[1]) as unknown as {
            containers: { env: { name: string; value?: string }[] }[];
        };
        const env = Object.fromEntries(ztunnel.containers[0].env.map((e) => [e.name, e.value]));
        assert.strictEqual(env.CA_ADDRESS, "istiod-1-31-4.istio-system.svc:15012");
        assert.strictEqual(env.XDS_ADDRESS, "istiod-1-31-4.istio-system.svc:15012");
        const istiod = objects("Deployment").find(({ object }) => object.metadata.name === "istiod-1-31-4")?.object;
        const istiodEnv = (
            podSpecOf(istiod!) as unknown as { containers: { env: { name: string; value?: string }[] }[] }
        ).containers[0].env;
        const trusted = istiodEnv.find((e) => e.name === "CA_TRUSTED_NODE_ACCOUNTS")?.value;
        assert.strictEqual(trusted, "istio-ambient/ztunnel");
        assert.strictEqual(istiodEnv.find((e) => e.name === "PILOT_ENABLE_AMBIENT")?.value, "true");
    });

    it("lets Prometheus scrape both agents on ports their containers declare", () => {
        for (const { object } of objects("DaemonSet")) {
            const template = (object.spec as { template: { metadata: { annotations: Record<string, string> } } })
                .template;
            const pod = podSpecOf(object) as { containers: { ports?: { containerPort: number }[] }[] };
            const port = Number(template.metadata.annotations["prometheus.io/port"]);
            assert.strictEqual(template.metadata.annotations["prometheus.io/scrape"], "true", label(object));
            assert.ok(
                pod.containers.some((c) => (c.ports ?? []).some((p) => p.containerPort === port)),
                label(object),
            );
        }
    });

    it("orders istiod, the CNI agent, ztunnel, the waypoint, then the namespace labels; destroy runs it backwards", () => {
        const graph = new Graph(render.run.registrations);
        const cni = graph.get(CHART, "ambient-cni");
        const ztunnel = graph.get(CHART, "ambient-ztunnel");
        const istiod = graph.get(CHART, "istiod-1-31-4");
        const waypoint = graph.get("kubernetes:gateway.networking.k8s.io/v1:Gateway", "waypoints-shop");
        const shop = graph.get(PATCH, "sidecar-injection-shop");
        assert.ok(graph.waitsFor(cni, istiod));
        assert.ok(graph.waitsFor(ztunnel, cni));
        assert.ok(graph.waitsFor(waypoint, ztunnel));
        assert.ok(graph.waitsFor(shop, waypoint));
        assert.ok(graph.waitsFor(shop, ztunnel));
        // Nothing else waits for the agents' readiness.
        const waiting = render.run.registrations.filter((r) => graph.waitsFor(r, ztunnel)).map((r) => r.name);
        assert.deepStrictEqual(waiting.sort(), [
            "mesh-record",
            "mesh-sidecar-injection",
            "mesh-sidecar-injection-default",
            "mesh-sidecar-injection-shop",
            "mesh-waypoints",
            "mesh-waypoints-shop",
        ]);
        // The Gateway API CRDs are kept by destroy.
        const crds = graph.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        assert.strictEqual(crds.length, 10);
        assert.ok(crds.every((crd) => crd.retainOnDelete === true));
    });
});

describe("ambient: the move from sidecars and back, step by step", () => {
    const renders = new Map<string, StackRender>();
    before(async function () {
        this.timeout(180000);
        for (const step of AMBIENT_STEPS) {
            renders.set(step.id, await renderUpgradeStep(step));
        }
    });
    const labelsOf = (id: string): Record<string, Record<string, string>> =>
        appliedLabels((renders.get(id) as StackRender).run.registrations);

    it("labels shop for sidecars or ambient, never for a sidecar and capture at once but while it moves back", () => {
        const sidecar = { "istio-injection": "enabled" };
        const ambient = { "istio.io/dataplane-mode": "ambient" };
        // The ingress gateway goes through the waypoint too, as ambient pods do; sidecars never do.
        const waypoint = { "istio.io/use-waypoint": "waypoint", "istio.io/ingress-use-waypoint": "true" };
        assert.deepStrictEqual(Object.fromEntries(AMBIENT_STEPS.map((step) => [step.id, labelsOf(step.id).shop])), {
            "ambient-1-enable": sidecar,
            "ambient-2-move": ambient,
            "ambient-3-waypoint": { ...ambient, ...waypoint },
            "ambient-4-canary": { ...ambient, ...waypoint },
            "ambient-5-promote": { ...ambient, ...waypoint },
            "ambient-rollback-1-remove-waypoint": ambient,
            // New pods get a sidecar, and the CNI agent never captures a pod with one.
            "ambient-rollback-2-move-back": { ...sidecar, ...ambient },
            // An up the operator did not mean as a release leaves the unrestarted pods captured.
            "ambient-rollback-3-next-up": { ...sidecar, ...ambient },
            "ambient-rollback-4-release": sidecar,
        });
        for (const step of AMBIENT_STEPS) {
            assert.deepStrictEqual(labelsOf(step.id).default, sidecar, step.id);
        }
    });

    it("embedded in a program that passes no last deployment, labels every step's namespaces as the program does", async () => {
        for (const step of AMBIENT_STEPS) {
            const { args } = translateStackConfig(stackConfig("dev", step.config));
            const cluster = await clusterBefore(step);
            const embedded = await runUnderMocks(
                async () => {
                    new IstioMesh("mesh", args);
                    return {};
                },
                { project: "platform", stack: "prod", cluster: { ...cluster, lastOutputs: undefined } },
            );
            assert.strictEqual(embedded.error, undefined, step.id);
            assert.deepStrictEqual(appliedLabels(embedded.registrations), labelsOf(step.id), step.id);
        }
    });

    it("lists the restarts each step owes", async () => {
        const restarts = async (id: string): Promise<unknown> =>
            await new Promise((resolve) =>
                (
                    (renders.get(id) as StackRender).run.outputs.restartCommands as {
                        apply: (f: (v: unknown) => void) => void;
                    }
                ).apply(resolve),
            );
        const all = ["kubectl rollout restart deployment -n default", "kubectl rollout restart deployment -n shop"];
        const kept = keepsAmbientNote("shop", "istio-mesh:ambientReleasedNamespaces");
        assert.deepStrictEqual(
            Object.fromEntries(await Promise.all(AMBIENT_STEPS.map(async (s) => [s.id, await restarts(s.id)]))),
            {
                // Sidecars started before ambient speak no HBONE to ambient pods.
                "ambient-1-enable": all,
                "ambient-2-move": [all[1], joinsAmbientNote("shop")],
                "ambient-3-waypoint": [],
                "ambient-4-canary": [],
                // default's sidecars may still be 1.31.4's; shop's pods have none to restart.
                "ambient-5-promote": [
                    all[0],
                    "# istio-ingress/istio-ingressgateway, istio-egress/istio-egressgateway: roll from revision 1-31-4 onto 1-31-5 by themselves (their pod template changes); nothing to run",
                ],
                "ambient-rollback-1-remove-waypoint": [],
                "ambient-rollback-2-move-back": [all[1], kept],
                "ambient-rollback-3-next-up": [kept],
                "ambient-rollback-4-release": [releasesAmbientNote("shop")],
            },
        );
    });

    it("warns in each preview what a step deploys but may not mean: a move's dropped policies, sidecars past the waypoint, a release", () => {
        const waypointWarning =
            'istio-mesh:waypointNamespaces: the sidecars of "default" (istio-mesh:injectionNamespaces) never pass through a waypoint: their requests to "shop" skip its L7 policies, which see only ambient pods and the ingress gateway; keep L4 AuthorizationPolicies (by identity) on those workloads until no sidecar namespace calls them (docs/ambient.md, who passes through a waypoint)';
        const unhashed = (note: string): string => note.replace(/^# /, "");
        assert.deepStrictEqual(
            Object.fromEntries(
                AMBIENT_STEPS.map((step) => [step.id, (renders.get(step.id) as StackRender).run.warnings]),
            ),
            {
                "ambient-1-enable": [],
                "ambient-2-move": [unhashed(joinsAmbientNote("shop"))],
                "ambient-3-waypoint": [waypointWarning],
                "ambient-4-canary": [waypointWarning],
                "ambient-5-promote": [waypointWarning],
                "ambient-rollback-1-remove-waypoint": [],
                "ambient-rollback-2-move-back": [],
                "ambient-rollback-3-next-up": [],
                "ambient-rollback-4-release": [unhashed(releasesAmbientNote("shop"))],
            },
        );
    });

    it("a step whose ztunnel never becomes ready saves no outputs: the move it did not finish is not recorded", async () => {
        const move = upgradeStep("ambient-2-move");
        const before = clusterAfter(renders.get("ambient-1-enable") as StackRender);
        const stuck = await runProgram(stackConfig("dev", move.config), "dev", {
            ...before,
            failing: ["mesh-ambient-ztunnel"],
        });
        assert.match(stuck.error?.message ?? "", /mesh-ambient-ztunnel failed: the step stops here/);
        assert.strictEqual(stuck.savedOutputs, undefined);
        const done = (renders.get(move.id) as StackRender).run.savedOutputs;
        assert.deepStrictEqual([done?.ambientNamespaces, done?.capturedNamespaces], [["shop"], ["shop"]]);
    });

    it("warns that a release left in place after the release changes nothing", async () => {
        const release = upgradeStep("ambient-rollback-4-release");
        const after = clusterAfter(renders.get(release.id) as StackRender);
        const run = await runProgram(stackConfig("dev", release.config), "dev", after);
        assert.deepStrictEqual(run.warnings, [
            'istio-mesh:ambientReleasedNamespaces: "shop" was not labelled ambient at the last deployment, so releasing changes nothing; remove it from this list',
        ]);
    });

    it("runs ztunnel and the CNI agent on the default tag's release: the canary leaves them, the promotion moves them", () => {
        const agents = (id: string): string[] => {
            const graph = new Graph((renders.get(id) as StackRender).run.registrations);
            return ["ambient-cni", "ambient-ztunnel"].map((name) => {
                const inputs = graph.get(CHART, name).inputs as { version: string; values: { revision: string } };
                return `${name} ${inputs.version} rev ${inputs.values.revision}`;
            });
        };
        const old = ["ambient-cni 1.31.4 rev 1-31-4", "ambient-ztunnel 1.31.4 rev 1-31-4"];
        assert.deepStrictEqual(
            Object.fromEntries(AMBIENT_STEPS.map((step) => [step.id, agents(step.id)])),
            Object.fromEntries(
                AMBIENT_STEPS.map((step) => [
                    step.id,
                    step.id === "ambient-5-promote"
                        ? ["ambient-cni 1.31.5 rev 1-31-5", "ambient-ztunnel 1.31.5 rev 1-31-5"]
                        : old,
                ]),
            ),
        );
    });

    it("keeps mesh-wide STRICT mTLS in every step, over sidecar and ambient namespaces alike", () => {
        for (const step of AMBIENT_STEPS) {
            const graph = new Graph((renders.get(step.id) as StackRender).run.registrations);
            const [peer] = graph.ofType("kubernetes:security.istio.io/v1:PeerAuthentication");
            const inputs = peer.inputs as {
                metadata: { namespace: string };
                spec: { mtls: { mode: string }; selector?: unknown };
            };
            assert.deepStrictEqual(
                [inputs.metadata.namespace, inputs.spec.mtls.mode, inputs.spec.selector],
                ["istio-system", "STRICT", undefined],
                step.id,
            );
        }
    });
});

describe("ambient: a promotion upgrades ztunnel and the CNI agent in place, after the control plane", () => {
    it("moves both charts to the promoted release and revision, each waiting for the one before", async () => {
        const config = stackConfig("dev", {
            ...AMBIENT_DEV,
            "istio-mesh:istioVersion": "1.31.5",
            "istio-mesh:previousVersion": "1.31.4",
        });
        const run = await runProgram(config, "dev", {
            namespaces: ["shop"],
            deployments: ["istio-system/istiod-1-31-4"],
            lastOutputs: {
                controlPlanes: {
                    "istiod-1-31-4": { version: "1.31.4", tag: "default", ambient: true },
                    "istiod-1-31-5": { version: "1.31.5", tag: "canary", ambient: true },
                },
                ambientNamespaces: ["shop"],
            },
        });
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        const chart = (name: string): { version: unknown; revision: unknown } => {
            const inputs = graph.get(CHART, name).inputs as { version: unknown; values: { revision: unknown } };
            return { version: inputs.version, revision: inputs.values.revision };
        };
        assert.deepStrictEqual(
            [chart("ambient-cni"), chart("ambient-ztunnel")],
            [
                { version: "1.31.5", revision: "1-31-5" },
                { version: "1.31.5", revision: "1-31-5" },
            ],
        );
        assert.ok(graph.waitsFor(graph.get(CHART, "ambient-cni"), graph.get(CHART, "istiod-1-31-5")));
        assert.ok(graph.waitsFor(graph.get(CHART, "ambient-ztunnel"), graph.get(CHART, "ambient-cni")));
    });
});
