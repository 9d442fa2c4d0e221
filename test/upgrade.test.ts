import * as assert from "assert";
import { engineUrns, matchOlds } from "./support/aliases";
import * as yaml from "js-yaml";
import { memoryBudget } from "../components/sizing/budget";
import { parseMeshSettings } from "../components/config/stack-config";
import { selfReferenceName } from "../components/mesh/last-deployment";
import { istioRevision } from "../components/versions";
import { Graph } from "./support/graph";
import { runProgram, runUnderMocks, stackConfig } from "./support/program";
import { IstioMesh } from "../components";
import { translateStackConfig } from "../components/config/stack-config";
import {
    addressProblems,
    containerResourceProblems,
    istioCrdProblems,
    kubernetesSchemaProblems,
    renderedMemoryRequest,
} from "./support/rendered-checks";
import { configFile, configuredAddresses } from "./support/configured";
import { renderChart, RenderedRelease, StackRender } from "./support/render";
import {
    appliedLabels,
    canarySteps,
    clusterAfter,
    collisions,
    MINOR_FLOW,
    movedObjects,
    ownedObjects,
    PATCH_FLOW,
    registrationChanges,
    renderUpgradeStep,
    UpgradeFlow,
    UPGRADE_STEPS,
    upgradeStep,
} from "./support/upgrade-flow";
import { valueOf } from "./support/values";
import { injectionWebhooks, matches, overlappingWebhooks } from "./support/webhooks";

/**
 * Canary upgrades of the dev stack, one pull request per step (test/support/upgrade-flow.ts):
 * across patches (1.31.4 to 1.31.5) and across minors (1.30.3 to 1.31.4), each install,
 * canary, move a namespace, promote, retire, and a rollback from the move in two steps; and
 * the move of a stack deployed before revisions. Each step is evaluated under mocks on the
 * cluster the step before left, and rendered with the real charts of its minors; the checks
 * compare consecutive steps the way the engine would diff them.
 */

const CHART = "kubernetes:helm.sh/v4:Chart";
const TAG_WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";

const renders = new Map<string, StackRender>();
const stepRender = (id: string): StackRender => renders.get(id) as StackRender;
const graphOf = (id: string): Graph => new Graph(stepRender(id).run.registrations);
const restart = (namespace: string): string => `kubectl rollout restart deployment -n ${namespace}`;
const onDefault = { "istio-injection": "enabled" };
const onCanary = { "istio.io/rev": "canary" };
/** What the validating webhook of a step's base chart calls. */
const validator = (id: string): unknown =>
    (
        ownedObjects(stepRender(id)).find(
            (o) => o.identity === "ValidatingWebhookConfiguration istiod-default-validator",
        )?.object.webhooks as { clientConfig: { service: { name: string } } }[]
    )[0].clientConfig.service.name;
const tagTargets = (id: string): Record<string, string> =>
    Object.fromEntries(
        graphOf(id)
            .ofType(TAG_WEBHOOK)
            .map((r) => [
                (r.inputs.metadata as { name: string }).name,
                (r.inputs.metadata as { labels: Record<string, string> }).labels["istio.io/rev"],
            ]),
    );
/** The mesh's record of what it applied, as registrationChanges names it. */
const RECORD = "DeploymentRecord::record";

const istioCharts = (id: string): string[] =>
    graphOf(id)
        .ofType(CHART)
        .filter((r) => r.inputs.chart !== undefined && ["base", "istiod", "gateway"].includes(String(r.inputs.chart)))
        .map((r) => {
            const values = r.inputs.values as { revision?: string; compatibilityVersion?: string };
            return [
                // The Chart's name within the mesh: every name of the program starts with `mesh-`.
                `${r.name.replace(/^mesh-/, "")} ${String(r.inputs.version)} ${String(r.inputs.name)}`,
                values.revision ? ` rev ${values.revision}` : "",
                values.compatibilityVersion ? ` as ${values.compatibilityVersion}` : "",
            ].join("");
        });
const overlaps = (id: string): string[] =>
    overlappingWebhooks(injectionWebhooks(ownedObjects(stepRender(id)).map((o) => o.object)));

before(async function () {
    this.timeout(180000);
    for (const step of UPGRADE_STEPS) {
        renders.set(step.id, await renderUpgradeStep(step));
    }
});

/** The checks of a canary upgrade, from `flow.from` to `flow.to`. */
function canaryFlowChecks(flow: UpgradeFlow): void {
    const { from, to } = flow;
    const [oldRev, newRev] = [istioRevision(from), istioRevision(to)];
    const [oldIstiod, newIstiod] = [`istiod-${oldRev}`, `istiod-${newRev}`];
    const minor = flow === MINOR_FLOW;
    /** The new minor's istiod keeps the old one's behaviour while the old one runs. */
    const keeps = minor ? ` as ${from.split(".").slice(0, 2).join(".")}` : "";
    const id = (step: string): string => `${flow.prefix}${step}`;
    const steps = canarySteps(flow).map((step) => step.id);
    const perStep = <T>(f: (step: string) => T): Record<string, T> =>
        Object.fromEntries(steps.map((step) => [step, f(step)]));
    const expect = <T>(byStep: Record<string, T>): Record<string, T> =>
        Object.fromEntries(Object.entries(byStep).map(([step, value]) => [id(step), value]));
    const transitions: [string, string][] = [
        ["1-install", "2-canary"],
        ["2-canary", "3-move"],
        ["3-move", "4-promote"],
        ["4-promote", "5-retire"],
        ["3-move", "rollback-1-move-back"],
        ["rollback-1-move-back", "rollback-2-remove-canary"],
    ];

    describe(`a canary upgrade from ${from} to ${to}, step by step (dev stack, mocks and rendered charts)`, () => {
        it("installs the Istio charts of each step, each istiod named from its revision, the gateways on the default's", () => {
            const gateways = (version: string, revision: string): string[] => [
                `egress-gateway ${version} istio-egressgateway rev ${revision}`,
                `ingress-gateway ${version} istio-ingressgateway rev ${revision}`,
            ];
            const [old, promoted] = [gateways(from, oldRev), gateways(to, newRev)];
            const stable = `${oldIstiod} ${from} ${oldIstiod} rev ${oldRev}`;
            const canary = `${newIstiod} ${to} ${newIstiod} rev ${newRev}${keeps}`;
            const [baseOld, baseNew] = [`istio-base ${from} istio-base`, `istio-base ${to} istio-base`];
            assert.deepStrictEqual(
                perStep(istioCharts),
                expect({
                    "1-install": [stable, ...old, baseOld],
                    "2-canary": [stable, canary, ...old, baseNew],
                    "3-move": [stable, canary, ...old, baseNew],
                    "4-promote": [stable, canary, ...promoted, baseNew],
                    "5-retire": [`${newIstiod} ${to} ${newIstiod} rev ${newRev}`, ...promoted, baseNew],
                    "rollback-1-move-back": [stable, canary, ...old, baseNew],
                    "rollback-2-remove-canary": [stable, ...old, baseOld],
                }),
            );
        });

        it("points the revision tags, and the base chart's default validator, at the right revision in each step", () => {
            const old = { "istio-revision-tag-default": oldRev };
            const both = { "istio-revision-tag-canary": newRev, "istio-revision-tag-default": oldRev };
            const promoted = { "istio-revision-tag-default": newRev };
            assert.deepStrictEqual(
                perStep(tagTargets),
                expect({
                    "1-install": old,
                    "2-canary": both,
                    "3-move": both,
                    "4-promote": promoted,
                    "5-retire": promoted,
                    "rollback-1-move-back": both,
                    "rollback-2-remove-canary": old,
                }),
            );
            assert.deepStrictEqual(
                perStep(validator),
                expect({
                    "1-install": oldIstiod,
                    "2-canary": oldIstiod,
                    "3-move": oldIstiod,
                    "4-promote": newIstiod,
                    "5-retire": newIstiod,
                    "rollback-1-move-back": oldIstiod,
                    "rollback-2-remove-canary": oldIstiod,
                }),
            );
        });

        it("labels each namespace for one tag only: istio-injection=enabled for default, istio.io/rev=canary for the canary", () => {
            const same = { default: onDefault, shop: onDefault };
            assert.deepStrictEqual(
                perStep((step) => appliedLabels(stepRender(step).run.registrations)),
                expect({
                    "1-install": same,
                    "2-canary": same,
                    "3-move": { default: onDefault, shop: onCanary },
                    "4-promote": same,
                    "5-retire": same,
                    "rollback-1-move-back": same,
                    "rollback-2-remove-canary": same,
                }),
            );
        });

        it("lists the restarts each step owes: labelled or moved namespaces, and every default namespace while the previous revision runs", async () => {
            const owed: Record<string, unknown> = {};
            for (const step of steps) {
                owed[step] = await valueOf(stepRender(step).run.outputs.restartCommands as string[]);
            }
            assert.deepStrictEqual(
                owed,
                expect({
                    "1-install": [restart("default"), restart("shop")],
                    "2-canary": [],
                    "3-move": [restart("shop")],
                    "4-promote": [
                        restart("default"),
                        restart("shop"),
                        `# istio-ingress/istio-ingressgateway, istio-egress/istio-egressgateway: roll from revision ${oldRev} onto ${newRev} by themselves (their pod template changes); nothing to run`,
                    ],
                    "5-retire": [],
                    "rollback-1-move-back": [restart("shop")],
                    "rollback-2-remove-canary": [],
                }),
            );
        });

        it("injects the gateways from the default tag's revision in each step: they move in the promotion, by their pod template", () => {
            const injectingRevision = (step: string): Record<string, string | undefined> =>
                Object.fromEntries(
                    ownedObjects(stepRender(step))
                        .filter((o) => /^Deployment istio-(ingress|egress)\//.test(o.identity))
                        .map((o) => [
                            o.identity,
                            (o.object.spec as { template: { metadata: { labels: Record<string, string> } } }).template
                                .metadata.labels["istio.io/rev"],
                        ]),
                );
            const on = (revision: string) => ({
                "Deployment istio-egress/istio-egressgateway": revision,
                "Deployment istio-ingress/istio-ingressgateway": revision,
            });
            assert.deepStrictEqual(
                perStep(injectingRevision),
                expect({
                    "1-install": on(oldRev),
                    "2-canary": on(oldRev),
                    "3-move": on(oldRev),
                    "4-promote": on(newRev),
                    "5-retire": on(newRev),
                    "rollback-1-move-back": on(oldRev),
                    "rollback-2-remove-canary": on(oldRev),
                }),
            );
        });

        it("reports every control plane with its version and tag", () => {
            const plane = (version: string, tag: string) => ({ version, tag });
            const both = { [oldIstiod]: plane(from, "default"), [newIstiod]: plane(to, "canary") };
            assert.deepStrictEqual(
                perStep((step) => stepRender(step).run.savedOutputs?.controlPlanes),
                expect({
                    "1-install": { [oldIstiod]: plane(from, "default") },
                    "2-canary": both,
                    "3-move": both,
                    "4-promote": { [oldIstiod]: plane(from, ""), [newIstiod]: plane(to, "default") },
                    "5-retire": { [newIstiod]: plane(to, "default") },
                    "rollback-1-move-back": both,
                    "rollback-2-remove-canary": { [oldIstiod]: plane(from, "default") },
                }),
            );
        });

        it("adds, updates and deletes whole revisions: no Chart is replaced, the running istiod is never touched by a promotion", () => {
            // The mesh's record of what it applied changes with every step.
            const canaryTag = ["MutatingWebhookConfiguration::revision-tags-canary", "Service::revision-tags-canary"];
            const canaryIstiod = [`Chart::${newIstiod}`];
            assert.deepStrictEqual(
                Object.fromEntries(
                    transitions.map(([a, b]) => [
                        `${a} -> ${b}`,
                        registrationChanges(stepRender(id(a)), stepRender(id(b))),
                    ]),
                ),
                {
                    "1-install -> 2-canary": {
                        created: [...canaryIstiod, ...canaryTag].sort(),
                        deleted: [],
                        updated: ["Chart::istio-base", RECORD],
                    },
                    "2-canary -> 3-move": {
                        created: [],
                        deleted: [],
                        updated: [RECORD, "NamespacePatch::sidecar-injection-shop"],
                    },
                    "3-move -> 4-promote": {
                        created: [],
                        deleted: canaryTag,
                        updated: [
                            "Chart::egress-gateway",
                            "Chart::ingress-gateway",
                            "Chart::istio-base",
                            RECORD,
                            "MutatingWebhookConfiguration::revision-tags-default",
                            "NamespacePatch::sidecar-injection-shop",
                            "Service::revision-tags-default",
                        ],
                    },
                    // Across minors, the retirement is also when the new minor's own behaviour arrives.
                    "4-promote -> 5-retire": {
                        created: [],
                        deleted: [`Chart::${oldIstiod}`],
                        updated: minor ? [`Chart::${newIstiod}`, RECORD] : [RECORD],
                    },
                    "3-move -> rollback-1-move-back": {
                        created: [],
                        deleted: [],
                        updated: [RECORD, "NamespacePatch::sidecar-injection-shop"],
                    },
                    "rollback-1-move-back -> rollback-2-remove-canary": {
                        created: [],
                        deleted: [...canaryIstiod, ...canaryTag].sort(),
                        updated: ["Chart::istio-base", RECORD],
                    },
                },
            );
        });

        it("never moves an object from one owner to another between two steps, and keeps every selector of what stays", () => {
            for (const [a, b] of transitions) {
                const [before, after] = [ownedObjects(stepRender(id(a))), ownedObjects(stepRender(id(b)))];
                assert.deepStrictEqual(movedObjects(before, after), [], `${a} -> ${b}`);
                const kept = new Map(before.map((o) => [o.identity, o.object]));
                for (const { identity, object } of after) {
                    const selector = (o: unknown): unknown => (o as { spec?: { selector?: unknown } }).spec?.selector;
                    if (kept.has(identity) && ["Deployment", "StatefulSet", "DaemonSet"].includes(object.kind)) {
                        assert.deepStrictEqual(
                            selector(object),
                            selector(kept.get(identity)),
                            `${a} -> ${b}: ${identity} would be replaced`,
                        );
                    }
                }
            }
        });

        it("orders the canary: its istiod after the base chart, its tag after its istiod, the namespace's label after its tag", () => {
            const graph = graphOf(id("3-move"));
            const canary = graph.get(CHART, newIstiod);
            assert.ok(
                canary.dependencies.includes(graph.get(CHART, "istio-base").urn),
                "the canary istiod does not wait for the CRDs",
            );
            const tag = graph.get(TAG_WEBHOOK, "revision-tags-canary");
            assert.ok(tag.dependencies.includes(canary.urn), "the canary tag does not wait for the canary istiod");
            const shop = graph.get("kubernetes:core/v1:NamespacePatch", "sidecar-injection-shop");
            assert.ok(
                shop.dependencies.includes(tag.urn) && graph.waitsFor(shop, canary),
                "relabelling shop does not wait for the canary",
            );
        });

        it("renders no object twice and gives no pod two injection webhooks in any step; each revision's cluster-scoped objects carry its name", () => {
            assert.deepStrictEqual(
                perStep((step) => collisions(ownedObjects(stepRender(step)))),
                perStep(() => []),
            );
            assert.deepStrictEqual(
                perStep(overlaps),
                perStep(() => []),
            );
            const clusterScoped = ownedObjects(stepRender(id("2-canary")))
                .filter((o) => o.owner === `Chart ${newIstiod}` && o.object.metadata.namespace === undefined)
                .map((o) => o.identity);
            assert.deepStrictEqual(clusterScoped, [
                `ClusterRole istio-reader-clusterrole-${newRev}-istio-system`,
                `ClusterRole istiod-clusterrole-${newRev}-istio-system`,
                `ClusterRole istiod-gateway-controller-${newRev}-istio-system`,
                `ClusterRoleBinding istio-reader-clusterrole-${newRev}-istio-system`,
                `ClusterRoleBinding istiod-clusterrole-${newRev}-istio-system`,
                `ClusterRoleBinding istiod-gateway-controller-${newRev}-istio-system`,
                `MutatingWebhookConfiguration istio-sidecar-injector-${newRev}`,
                `ValidatingWebhookConfiguration istio-validator-${newRev}-istio-system`,
            ]);
        });

        it("injects each pod from the revision its namespace or its labels name (step 3: shop on the canary)", () => {
            const objects = ownedObjects(stepRender(id("3-move")));
            const webhooks = injectionWebhooks(objects.map((o) => o.object));
            // The ingress gateway's pods as the gateway chart renders them, in istio-ingress (no injection labels).
            const gateway = objects.find((o) => o.identity === "Deployment istio-ingress/istio-ingressgateway")
                ?.object as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
            const injector = (namespace: Record<string, string>, pod: Record<string, string>): string[] =>
                webhooks.filter((w) => matches(w, namespace, pod)).map((w) => w.name.slice(0, w.name.indexOf("/")));
            assert.deepStrictEqual(
                {
                    default: injector(onDefault, {}),
                    shop: injector(onCanary, {}),
                    gateway: injector({}, gateway.spec.template.metadata.labels),
                    unlabelled: injector({}, {}),
                    optedOut: injector(onDefault, { "sidecar.istio.io/inject": "false" }),
                },
                {
                    default: ["istio-revision-tag-default"],
                    shop: ["istio-revision-tag-canary"],
                    gateway: [`istio-sidecar-injector-${oldRev}`],
                    unlabelled: [],
                    optedOut: [],
                },
            );
            const service = (tag: string): unknown =>
                (
                    objects.find((o) => o.identity === `MutatingWebhookConfiguration istio-revision-tag-${tag}`)?.object
                        .webhooks as { clientConfig: { service: { name: string } } }[]
                )[0].clientConfig.service.name;
            assert.deepStrictEqual([service("default"), service("canary")], [oldIstiod, newIstiod]);
        });

        it("gives both revisions the same mesh config, tracing provider included", () => {
            const mesh = (release: string): { defaultConfig: { discoveryAddress: string } } => {
                const configMap = stepRender(id("2-canary"))
                    .releases.find((r) => r.release === release)
                    ?.objects.find(
                        (o) => o.kind === "ConfigMap" && o.metadata.name === release.replace(/^istiod/, "istio"),
                    );
                return yaml.load((configMap?.data as Record<string, string>).mesh) as {
                    defaultConfig: { discoveryAddress: string };
                };
            };
            const [stable, canary] = [mesh(oldIstiod), mesh(newIstiod)];
            // Each revision's proxies connect to their own istiod; everything else is the same.
            assert.deepStrictEqual(
                [stable.defaultConfig.discoveryAddress, canary.defaultConfig.discoveryAddress],
                [`${oldIstiod}.istio-system.svc:15012`, `${newIstiod}.istio-system.svc:15012`],
            );
            canary.defaultConfig.discoveryAddress = stable.defaultConfig.discoveryAddress;
            assert.deepStrictEqual(canary, stable);
            assert.deepStrictEqual((stable as unknown as { extensionProviders: unknown }).extensionProviders, [
                { name: "jaeger", opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 } },
            ]);
        });

        it("has Prometheus scrape both istiods and Kiali find both by label: app=istiod and istio.io/rev on each, istio.io/tag on each tag", () => {
            const render = stepRender(id("2-canary"));
            const objects = ownedObjects(render).map((o) => o.object);
            const istiods = objects
                .filter((o) => o.kind === "Deployment" && o.metadata.labels?.app === "istiod")
                .map((o) => {
                    const pod = (o.spec as { template: { metadata: { annotations: Record<string, string> } } }).template
                        .metadata.annotations;
                    return `${o.metadata.name} rev ${o.metadata.labels?.["istio.io/rev"]} scrape ${pod["prometheus.io/scrape"]}:${pod["prometheus.io/port"]}`;
                });
            assert.deepStrictEqual(istiods, [
                `${oldIstiod} rev ${oldRev} scrape true:15014`,
                `${newIstiod} rev ${newRev} scrape true:15014`,
            ]);
            const jobs = configFile(render, "prometheus", "prometheus", "prometheus.yml").scrape_configs as {
                job_name: string;
                relabel_configs?: { action: string; source_labels?: string[] }[];
            }[];
            assert.deepStrictEqual(jobs.find((job) => job.job_name === "kubernetes-pods")?.relabel_configs?.[0], {
                action: "keep",
                regex: true,
                source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
            });
            const tags = objects
                .filter(
                    (o) =>
                        o.kind === "MutatingWebhookConfiguration" && o.metadata.labels?.["istio.io/tag"] !== undefined,
                )
                .map((o) => `${o.metadata.labels?.["istio.io/tag"]} -> ${o.metadata.labels?.["istio.io/rev"]}`);
            assert.deepStrictEqual(tags, [`canary -> ${newRev}`, `default -> ${oldRev}`]);
        });

        it("reads the Deployment of the previous istiod after the promotion, and nothing waits for the read", () => {
            const reads = (step: string): string[] =>
                stepRender(step)
                    .run.registrations.filter(
                        (r) => r.readId !== undefined && r.type === "kubernetes:apps/v1:Deployment",
                    )
                    .map((r) => r.readId as string);
            assert.deepStrictEqual(perStep(reads), {
                ...perStep(() => []),
                [id("4-promote")]: [`istio-system/${oldIstiod}`],
            });
            const graph = graphOf(id("4-promote"));
            const read = graph.get("kubernetes:apps/v1:Deployment", `running-control-planes-${oldIstiod}`);
            assert.deepStrictEqual(
                graph.registrations.filter((r) => r.dependencies.includes(read.urn)).map((r) => r.name),
                [],
            );
        });

        it("passes the render checks with two control planes: resources, addresses, schemas, Istio objects against the newest CRDs, and the memory the budget counts", async () => {
            const render = stepRender(id("2-canary"));
            assert.deepStrictEqual(containerResourceProblems(render.releases), []);
            const addresses = configuredAddresses(
                render,
                await valueOf(render.run.outputs.portForwardCommands as Record<string, string>),
            );
            assert.deepStrictEqual(addressProblems(render.releases, addresses), []);
            assert.deepStrictEqual(await kubernetesSchemaProblems(render.releases), []);
            assert.deepStrictEqual(
                perStep((step) => istioCrdProblems(stepRender(step))),
                perStep(() => []),
            );
            const settings = parseMeshSettings(stackConfig("dev", upgradeStep(id("2-canary")).config));
            assert.deepStrictEqual(
                [renderedMemoryRequest(render.releases).totalMi, memoryBudget(settings).totalMi],
                [1280, 1280],
            );
        });
    });
}

canaryFlowChecks(PATCH_FLOW);
canaryFlowChecks(MINOR_FLOW);

describe("upgrade mechanics the flows rely on (the patch flow's renders)", () => {
    it("the move check finds what revision tags rendered by the istiod chart would do at promotion", async () => {
        // The design this program avoids: each istiod release renders its tags (`revisionTags`).
        const istiod = (revision: string, revisionTags: string[]): Promise<RenderedRelease> =>
            renderChart({
                resourceName: `istiod-${revision}`,
                release: `istiod-${revision}`,
                namespace: "istio-system",
                chart: "istiod",
                version: revision.replace(/-/g, "."),
                skipCrds: false,
                values: { revision, revisionTags },
            });
        const step = (releases: RenderedRelease[]): StackRender => ({
            stack: "dev",
            run: { registrations: [], warnings: [], outputs: {} },
            releases,
        });
        const before = step([await istiod("1-31-4", ["default"]), await istiod("1-31-5", ["canary"])]);
        const after = step([await istiod("1-31-4", []), await istiod("1-31-5", ["default"])]);
        assert.deepStrictEqual(movedObjects(ownedObjects(before), ownedObjects(after)), [
            "MutatingWebhookConfiguration istio-revision-tag-default: Chart istiod-1-31-4 -> Chart istiod-1-31-5",
            "Service istio-system/istiod-revision-tag-default: Chart istiod-1-31-4 -> Chart istiod-1-31-5",
        ]);
    });

    it("an update of the stable istiod's values is an in-place update of the same Chart and objects", async () => {
        // The canary step, on a bigger cluster: istiod's size changes.
        const resized = await renderUpgradeStep({
            ...upgradeStep("2-canary"),
            config: { ...upgradeStep("2-canary").config, "istio-mesh:memory": "8Gi" },
        });
        const urn = (render: StackRender): string =>
            new Graph(render.run.registrations).get(CHART, "istiod-1-31-4").urn;
        assert.strictEqual(urn(resized), urn(stepRender("2-canary")));
        assert.deepStrictEqual(movedObjects(ownedObjects(stepRender("2-canary")), ownedObjects(resized)), []);
        // A Deployment's selector cannot change in place: the same selector, a new pod template.
        const deployment = (render: StackRender): { spec: { selector: unknown; template: unknown } } =>
            ownedObjects(render).find((o) => o.identity === "Deployment istio-system/istiod-1-31-4")
                ?.object as unknown as { spec: { selector: unknown; template: unknown } };
        assert.deepStrictEqual(deployment(resized).spec.selector, deployment(stepRender("2-canary")).spec.selector);
        assert.notDeepStrictEqual(deployment(resized).spec.template, deployment(stepRender("2-canary")).spec.template);
    });

    it("the collision check finds an object two owners render", () => {
        const objects = ownedObjects(stepRender("1-install"));
        const copy = {
            ...objects.find((o) => o.identity === "MutatingWebhookConfiguration istio-sidecar-injector-1-31-4")!,
            owner: "Chart other",
        };
        assert.deepStrictEqual(collisions([...objects, copy]), [
            "MutatingWebhookConfiguration istio-sidecar-injector-1-31-4: Chart istiod-1-31-4, Chart other",
        ]);
    });

    it("the overlap check finds two webhooks for one pod: an istiod without a revision beside the default tag", async () => {
        const legacy = await renderChart({
            resourceName: "istiod",
            release: "istiod",
            namespace: "istio-system",
            chart: "istiod",
            version: "1.31.4",
            skipCrds: false,
            values: {},
        });
        const webhooks = injectionWebhooks([
            ...legacy.objects,
            ...ownedObjects(stepRender("1-install")).map((o) => o.object),
        ]);
        assert.ok(
            overlappingWebhooks(webhooks).includes(
                "istio-sidecar-injector/namespace.sidecar-injector.istio.io & istio-revision-tag-default/namespace.sidecar-injector.istio.io",
            ),
        );
    });

    it("a mistyped previousVersion stops the preview: the last deployment shows what it deletes, and the read of a kept istiod that does not run fails", async () => {
        // On the cluster step 3 left, no istiod-1-31-3 runs; istiod-1-31-4 does, on the default tag.
        const config = stackConfig("dev", {
            ...upgradeStep("4-promote").config,
            "istio-mesh:previousVersion": "1.31.3",
        });
        const refused = await runProgram(config, "dev", clusterAfter(stepRender("3-move")));
        assert.match(refused.error?.message ?? "", /"1\.31\.5" would delete istiod-1-31-4 \(Istio 1\.31\.4\)/);
        // Without the last deployment's outputs (a stack that never reported them), the read catches it.
        const typo = await runProgram(config, "dev", { ...clusterAfter(stepRender("3-move")), lastOutputs: {} });
        const reads = typo.registrations
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
            .map((r) => [r.readId, r.readError !== undefined]);
        assert.deepStrictEqual(reads, [["istio-system/istiod-1-31-3", true]]);
    });

    it("refuses a version change that would delete the istiod the default tag points to, naming the keys that do what was meant", async () => {
        for (const [installed, next] of [
            ["1-install", "1.31.5"],
            ["minor-1-install", "1.31.4"],
        ]) {
            const running = upgradeStep(installed).config["istio-mesh:istioVersion"] as string;
            const run = await runProgram(
                stackConfig("dev", { ...upgradeStep(installed).config, "istio-mesh:istioVersion": next }),
                "dev",
                clusterAfter(stepRender(installed)),
            );
            const istiod = `istiod-${istioRevision(running)}`;
            assert.strictEqual(
                run.error?.message,
                `istio-mesh configuration has 1 problem; nothing was deployed:\n  - istio-mesh:istioVersion: "${next}" would delete ${istiod} (Istio ${running}), which the default tag points to and every proxy on it uses (the last deployment's controlPlanes output); to upgrade, start a canary: istio-mesh:istioVersion: ${running} and istio-mesh:canaryVersion: ${next}; or promote in one step and keep it running for its proxies: istio-mesh:previousVersion: ${running} (docs/upgrades.md)`,
            );
            assert.deepStrictEqual(
                run.registrations.map((r) => r.type),
                ["pulumi:pulumi:StackReference"],
            );
        }
        // Going back to an older release is refused the same way.
        const back = await runProgram(
            stackConfig("dev", { ...upgradeStep("5-retire").config, "istio-mesh:istioVersion": "1.31.4" }),
            "dev",
            clusterAfter(stepRender("5-retire")),
        );
        assert.strictEqual(
            back.error?.message,
            'istio-mesh configuration has 1 problem; nothing was deployed:\n  - istio-mesh:istioVersion: "1.31.4" would delete istiod-1-31-5 (Istio 1.31.5), which the default tag points to and every proxy on it uses (the last deployment\'s controlPlanes output); to go back, keep it as the canary while the older release takes the default tag: istio-mesh:istioVersion: 1.31.4 and istio-mesh:canaryVersion: 1.31.5 (docs/upgrades.md)',
        );
        // Which is accepted: the way back it names.
        const suggested = await runProgram(
            stackConfig("dev", {
                ...upgradeStep("5-retire").config,
                "istio-mesh:istioVersion": "1.31.4",
                "istio-mesh:canaryVersion": "1.31.5",
            }),
            "dev",
            clusterAfter(stepRender("5-retire")),
        );
        assert.strictEqual(suggested.error, undefined);
    });

    it("a step that fails half way leaves the last deployment's outputs, so the next step is checked against what ran", async () => {
        const moved = clusterAfter(stepRender("3-move"));
        // The move back of shop fails at shop's label patch (a refused object, an outage of the API server).
        const failed = await runProgram(stackConfig("dev", upgradeStep("rollback-1-move-back").config), "dev", {
            ...moved,
            failing: ["mesh-sidecar-injection-shop"],
        });
        assert.match(
            failed.error?.message ?? "",
            /NamespacePatch mesh-sidecar-injection-shop failed: the step stops here/,
        );
        assert.strictEqual(failed.savedOutputs, undefined, "no stack outputs are registered");
        // So the stack still says shop runs on the canary, and removing the canary is refused.
        const next = await runProgram(stackConfig("dev", upgradeStep("rollback-2-remove-canary").config), "dev", {
            ...moved,
            namespaceLabels: { ...moved.namespaceLabels },
        });
        assert.match(
            next.error?.message ?? "",
            /would delete istiod-1-31-5 \(Istio 1\.31\.5\) while "shop" runs on it/,
        );
        // The same step applied in full saves what it applied: shop is back on the default tag.
        const applied = stepRender("rollback-1-move-back").run.savedOutputs;
        assert.deepStrictEqual(applied?.canaryNamespaces, []);
    });

    it("refuses deleting the canary while namespaces run on it, and a previous istiod in a step that does more than retire it", async () => {
        const refusal = async (after: string, config: Record<string, unknown>): Promise<string | undefined> =>
            (await runProgram(stackConfig("dev", config), "dev", clusterAfter(stepRender(after)))).error?.message.split(
                "\n",
            )[1];
        const moved = upgradeStep("3-move").config;
        const withoutCanary = Object.fromEntries(
            Object.entries(moved).filter(([key]) => !/^istio-mesh:canary/.test(key)),
        );
        const canaryGone =
            '  - istio-mesh:canaryVersion: would delete istiod-1-31-5 (Istio 1.31.5) while "shop" runs on it (the last deployment\'s canaryNamespaces output); move them back first: empty istio-mesh:canaryNamespaces and keep istio-mesh:canaryVersion: 1.31.5 in that step, restart what restartCommands lists, then change istio-mesh:canaryVersion';
        assert.deepStrictEqual(
            [
                await refusal("3-move", withoutCanary),
                await refusal("3-move", { ...moved, "istio-mesh:canaryVersion": "1.31.6" }),
                await refusal("4-promote", {
                    ...upgradeStep("4-promote").config,
                    "istio-mesh:istioVersion": "1.31.6",
                    "istio-mesh:previousVersion": "1.31.5",
                }),
            ],
            [
                canaryGone,
                canaryGone,
                "  - istio-mesh:previousVersion: would delete istiod-1-31-4 (Istio 1.31.4), which proxies that have not restarted may still use, in a step that also changes istio-mesh:istioVersion; retire it on its own first: remove istio-mesh:previousVersion and change nothing else, once restartCommands has run",
            ],
        );
    });

    it("as a component in another program, the mesh's record refuses the same steps, naming argument paths", async () => {
        // A consumer hands its own arguments (here the dev stack's, translated) and knows nothing
        // of the stack outputs: the guard reads the record the last step stored.
        const embedded = async (after: string, config: Record<string, unknown>) => {
            const { args } = translateStackConfig(stackConfig("dev", config));
            const cluster = clusterAfter(stepRender(after));
            const run = await runUnderMocks(
                async () => {
                    new IstioMesh("mesh", args);
                    return {};
                },
                { project: "platform", stack: "prod", cluster: { ...cluster, lastOutputs: undefined } },
            );
            // The engine reports a refused check as the record's registration failing.
            return run.error?.message.replace(/^.*failed to register new resource mesh-record \[[^\]]+\]: /, "");
        };
        const moved = upgradeStep("3-move").config;
        const withoutCanary = Object.fromEntries(
            Object.entries(moved).filter(([key]) => !/^istio-mesh:canary/.test(key)),
        );
        assert.deepStrictEqual(
            [
                await embedded("1-install", {
                    ...upgradeStep("1-install").config,
                    "istio-mesh:istioVersion": "1.31.5",
                }),
                await embedded("3-move", withoutCanary),
                await embedded("3-move", moved),
            ],
            [
                'controlPlane.version: "1.31.5" would delete istiod-1-31-4 (Istio 1.31.4), which the default tag points to and every proxy on it uses (the last deployment\'s controlPlanes output); to upgrade, start a canary: controlPlane.version: 1.31.4 and controlPlane.canaryVersion: 1.31.5; or promote in one step and keep it running for its proxies: controlPlane.previousVersion: 1.31.4 (docs/upgrades.md)',
                'controlPlane.canaryVersion: would delete istiod-1-31-5 (Istio 1.31.5) while "shop" runs on it (the last deployment\'s canaryNamespaces output); move them back first: empty sidecars.canaryNamespaces and keep controlPlane.canaryVersion: 1.31.5 in that step, restart what restartCommands lists, then change controlPlane.canaryVersion',
                undefined,
            ],
        );
    });

    it("a promotion without a canary first: the validator stays on the running istiod, the tag and the gateways wait for the new one", async () => {
        const run = await runProgram(
            stackConfig("dev", { ...upgradeStep("4-promote").config }),
            "dev",
            clusterAfter(stepRender("1-install")),
        );
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        const base = graph.get(CHART, "istio-base");
        assert.strictEqual((base.inputs.values as { defaultRevision: string }).defaultRevision, "1-31-4");
        const created = graph.get(CHART, "istiod-1-31-5");
        for (const [type, name] of [
            [TAG_WEBHOOK, "revision-tags-default"],
            [CHART, "ingress-gateway"],
            [CHART, "egress-gateway"],
            ["kubernetes:core/v1:NamespacePatch", "sidecar-injection-default"],
        ]) {
            assert.ok(graph.waitsFor(graph.get(type, name), created), `${name} does not wait for istiod-1-31-5`);
        }
        // The base chart comes first: had it pointed at istiod-1-31-5, every Istio write would
        // fail (failurePolicy Fail) until that istiod ran.
        assert.ok(graph.waitsFor(created, base));
    });

    it("Kiali's configuration pins no istiod name: Kiali 2 discovers each control plane by its labels", () => {
        const kiali = stepRender("2-canary")
            .releases.find((r) => r.release === "kiali")
            ?.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "kiali");
        const config = String((kiali?.data as Record<string, string>)["config.yaml"]);
        for (const pinned of [
            "istiod_deployment_name",
            "config_map_name",
            "istio_sidecar_injector_config_map_name",
            "url_service_version",
            "istiod_pod_monitoring_port",
        ]) {
            assert.ok(!config.includes(pinned), `Kiali's config sets ${pinned}`);
        }
    });
});

describe("moving a stack deployed before revisions (dev stack, 1.31.4)", () => {
    const steps = ["migrate-1-keep-unrevisioned", "migrate-2-retire-unrevisioned"];
    const perStep = <T>(f: (step: string) => T): Record<string, T> =>
        Object.fromEntries(steps.map((step) => [step, f(step)]));
    const stable = "istiod-1-31-4 1.31.4 istiod-1-31-4 rev 1-31-4";
    const gateways = [
        "egress-gateway 1.31.4 istio-egressgateway rev 1-31-4",
        "ingress-gateway 1.31.4 istio-ingressgateway rev 1-31-4",
    ];

    it("keeps the istiod of before revisions beside revision 1-31-4, which its tag serves; the kept one validates until retired", () => {
        assert.deepStrictEqual(perStep(istioCharts), {
            "migrate-1-keep-unrevisioned": [
                "istiod 1.31.4 istiod",
                stable,
                ...gateways,
                "istio-base 1.31.4 istio-base",
            ],
            "migrate-2-retire-unrevisioned": [stable, ...gateways, "istio-base 1.31.4 istio-base"],
        });
        assert.deepStrictEqual(
            perStep(tagTargets),
            perStep(() => ({ "istio-revision-tag-default": "1-31-4" })),
        );
        assert.deepStrictEqual(perStep(validator), {
            "migrate-1-keep-unrevisioned": "istiod",
            "migrate-2-retire-unrevisioned": "istiod-1-31-4",
        });
        assert.deepStrictEqual(
            perStep((step) => appliedLabels(stepRender(step).run.registrations)),
            perStep(() => ({ default: onDefault, shop: onDefault })),
        );
        assert.deepStrictEqual(
            perStep((step) => stepRender(step).run.savedOutputs?.controlPlanes),
            {
                "migrate-1-keep-unrevisioned": {
                    istiod: { version: "1.31.4", tag: "" },
                    "istiod-1-31-4": { version: "1.31.4", tag: "default" },
                },
                "migrate-2-retire-unrevisioned": { "istiod-1-31-4": { version: "1.31.4", tag: "default" } },
            },
        );
        assert.deepStrictEqual(registrationChanges(stepRender(steps[0]), stepRender(steps[1])), {
            created: [],
            deleted: ["Chart::istiod"],
            updated: ["Chart::istio-base", RECORD],
        });
        assert.deepStrictEqual(
            movedObjects(ownedObjects(stepRender(steps[0])), ownedObjects(stepRender(steps[1]))),
            [],
        );
        assert.deepStrictEqual(
            perStep(overlaps),
            perStep(() => []),
        );
    });

    it("owes a restart of every namespace while the kept istiod runs, though no label changes; reads its Deployment", async () => {
        const owed: Record<string, unknown> = {};
        for (const step of steps) {
            owed[step] = await valueOf(stepRender(step).run.outputs.restartCommands as string[]);
        }
        assert.deepStrictEqual(owed, {
            "migrate-1-keep-unrevisioned": [restart("default"), restart("shop")],
            "migrate-2-retire-unrevisioned": [],
        });
        const reads = (step: string): string[] =>
            stepRender(step)
                .run.registrations.filter((r) => r.readId !== undefined && r.type === "kubernetes:apps/v1:Deployment")
                .map((r) => r.readId as string);
        assert.deepStrictEqual(perStep(reads), {
            "migrate-1-keep-unrevisioned": ["istio-system/istiod"],
            "migrate-2-retire-unrevisioned": [],
        });
    });

    it("moves a stack deployed before revisions without deleting its istiod: the same Chart, its values kept but its injection webhooks", () => {
        const graph = graphOf("migrate-1-keep-unrevisioned");
        const kept = graph.get(CHART, "istiod");
        // The URN the program gave istiod before revisions: the engine takes this Chart for it.
        const component = "urn:pulumi:dev::istio-mesh::istio-mesh:core:ControlPlane::istiod";
        const before = "urn:pulumi:dev::istio-mesh::istio-mesh:core:ControlPlane$kubernetes:helm.sh/v4:Chart::istiod";
        const match = matchOlds(graph.registrations, new Set([component, before])).find((m) => m.matched === before);
        assert.strictEqual(match?.type, kept.type);
        assert.strictEqual(match?.urn, engineUrns(graph.registrations).get(kept.urn));
        // The values the program gave it before revisions (plans/dev.yaml at that time), plus the
        // switch for its webhooks and the image hub, which is the chart's own for 1.31.
        const resources = (cpu: [string, string], memory: [string, string]): unknown => ({
            limits: { cpu: cpu[1], memory: memory[1] },
            requests: { cpu: cpu[0], memory: memory[0] },
        });
        assert.deepStrictEqual(kept.inputs.values, {
            autoscaleEnabled: false,
            base: { validationFailurePolicy: "Fail" },
            global: {
                defaultPodDisruptionBudget: { enabled: false },
                hub: "docker.io/istio",
                operatorManageWebhooks: true,
                proxy: { resources: resources(["20m", "1000m"], ["64Mi", "256Mi"]) },
            },
            meshConfig: {
                accessLogFile: "/dev/stdout",
                extensionProviders: [
                    { name: "jaeger", opentelemetry: { port: 4317, service: "jaeger.istio-system.svc.cluster.local" } },
                ],
                pathNormalization: { normalization: "DECODE_AND_MERGE_SLASHES" },
            },
            replicaCount: 1,
            resources: resources(["100m", "1000m"], ["256Mi", "768Mi"]),
        });
        assert.deepStrictEqual([kept.inputs.name, kept.inputs.version], ["istiod", "1.31.4"]);
        const objects = ownedObjects(stepRender("migrate-1-keep-unrevisioned"))
            .filter((o) => o.owner === "Chart istiod")
            .map((o) => o.identity);
        // Its Service and Deployment stay for the proxies it started; no webhook of its own injects anything.
        assert.ok(
            objects.includes("Service istio-system/istiod") && objects.includes("Deployment istio-system/istiod"),
        );
        assert.deepStrictEqual(
            objects.filter((id) => id.startsWith("MutatingWebhookConfiguration")),
            [],
        );
    });
});

describe("the stack reference to the last deployment", () => {
    it("names the stack bare on a DIY backend, which reports organization 'organization'", () => {
        assert.strictEqual(selfReferenceName("organization", "istio-mesh", "dev"), "dev");
    });
    it("names org/project/stack on Pulumi Cloud", () => {
        assert.strictEqual(selfReferenceName("acme", "istio-mesh", "prod"), "acme/istio-mesh/prod");
    });
});
