import * as assert from "assert";
import * as yaml from "js-yaml";
import { memoryBudget } from "../components/sizing/budget";
import { parseMeshSettings } from "../components/settings";
import { Graph } from "./support/graph";
import { runProgram, stackConfig } from "./support/program";
import {
    addressProblems,
    containerResourceProblems,
    kubernetesSchemaProblems,
    renderedMemoryRequest,
} from "./support/rendered-checks";
import { configFile, configuredAddresses } from "./support/configured";
import { renderChart, RenderedRelease, StackRender } from "./support/render";
import {
    appliedLabels,
    clusterAfter,
    collisions,
    movedObjects,
    ownedObjects,
    registrationChanges,
    renderUpgradeStep,
    UPGRADE_STEPS,
    upgradeStep,
} from "./support/upgrade-flow";
import { valueOf } from "./support/values";
import { injectionWebhooks, matches, overlappingWebhooks } from "./support/webhooks";

/**
 * A canary upgrade of the dev stack, 1.31.4 to 1.31.5, one pull request per step
 * (test/support/upgrade-flow.ts): install, canary, move a namespace, promote, retire, and a
 * rollback from the move in two steps. Each step is evaluated under mocks on the cluster the step before
 * left, and rendered; the checks compare consecutive steps the way the engine would diff them.
 */

const CHART = "kubernetes:helm.sh/v4:Chart";
const TAG_WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const TRANSITIONS: [from: string, to: string][] = [
    ["1-install", "2-canary"],
    ["2-canary", "3-move"],
    ["3-move", "4-promote"],
    ["4-promote", "5-retire"],
    ["3-move", "rollback-1-move-back"],
    ["rollback-1-move-back", "rollback-2-remove-canary"],
    ["migrate-1-keep-unrevisioned", "migrate-2-retire-unrevisioned"],
];

const renders = new Map<string, StackRender>();
const stepRender = (id: string): StackRender => renders.get(id) as StackRender;
const graphOf = (id: string): Graph => new Graph(stepRender(id).run.registrations);
const perStep = <T>(f: (id: string) => T): Record<string, T> =>
    Object.fromEntries(UPGRADE_STEPS.map((step) => [step.id, f(step.id)]));

describe("a canary upgrade, step by step (dev stack, mocks and rendered charts)", () => {
    before(async function () {
        this.timeout(120000);
        for (const step of UPGRADE_STEPS) {
            renders.set(step.id, await renderUpgradeStep(step));
        }
    });

    it("installs the Istio charts of each step, each istiod named from its revision, the gateways on the default's", () => {
        const charts = (id: string): string[] =>
            graphOf(id)
                .ofType(CHART)
                .filter(
                    (r) =>
                        r.inputs.chart !== undefined && ["base", "istiod", "gateway"].includes(String(r.inputs.chart)),
                )
                .map(
                    (r) =>
                        `${r.name} ${String(r.inputs.version)} ${String(r.inputs.name)}${(r.inputs.values as { revision?: string }).revision ? ` rev ${(r.inputs.values as { revision: string }).revision}` : ""}`,
                );
        const old = [
            "egress-gateway 1.31.4 istio-egressgateway rev 1-31-4",
            "ingress-gateway 1.31.4 istio-ingressgateway rev 1-31-4",
        ];
        const promoted = [
            "egress-gateway 1.31.5 istio-egressgateway rev 1-31-5",
            "ingress-gateway 1.31.5 istio-ingressgateway rev 1-31-5",
        ];
        const stable = "istiod-1-31-4 1.31.4 istiod-1-31-4 rev 1-31-4";
        const canary = "istiod-1-31-5 1.31.5 istiod-1-31-5 rev 1-31-5";
        assert.deepStrictEqual(perStep(charts), {
            "1-install": [stable, ...old, "istio-base 1.31.4 istio-base"],
            "2-canary": [stable, canary, ...old, "istio-base 1.31.5 istio-base"],
            "3-move": [stable, canary, ...old, "istio-base 1.31.5 istio-base"],
            "4-promote": [stable, canary, ...promoted, "istio-base 1.31.5 istio-base"],
            "5-retire": [canary, ...promoted, "istio-base 1.31.5 istio-base"],
            "rollback-1-move-back": [stable, canary, ...old, "istio-base 1.31.5 istio-base"],
            "rollback-2-remove-canary": [stable, ...old, "istio-base 1.31.4 istio-base"],
            "migrate-1-keep-unrevisioned": ["istiod 1.31.4 istiod", stable, ...old, "istio-base 1.31.4 istio-base"],
            "migrate-2-retire-unrevisioned": [stable, ...old, "istio-base 1.31.4 istio-base"],
        });
    });

    it("points the revision tags, and the base chart's default validator, at the right revision in each step", () => {
        const tags = (id: string): Record<string, string> =>
            Object.fromEntries(
                graphOf(id)
                    .ofType(TAG_WEBHOOK)
                    .map((r) => [
                        (r.inputs.metadata as { name: string }).name,
                        (r.inputs.metadata as { labels: Record<string, string> }).labels["istio.io/rev"],
                    ]),
            );
        const old = { "istio-revision-tag-default": "1-31-4" };
        const both = { "istio-revision-tag-canary": "1-31-5", "istio-revision-tag-default": "1-31-4" };
        const promoted = { "istio-revision-tag-default": "1-31-5" };
        assert.deepStrictEqual(perStep(tags), {
            "1-install": old,
            "2-canary": both,
            "3-move": both,
            "4-promote": promoted,
            "5-retire": promoted,
            "rollback-1-move-back": both,
            "rollback-2-remove-canary": old,
            "migrate-1-keep-unrevisioned": old,
            "migrate-2-retire-unrevisioned": old,
        });
        // The rendered default validator sends Istio resources to the default revision's istiod.
        const validator = (id: string): unknown =>
            (
                ownedObjects(stepRender(id)).find(
                    (o) => o.identity === "ValidatingWebhookConfiguration istiod-default-validator",
                )?.object.webhooks as { clientConfig: { service: { name: string } } }[]
            )[0].clientConfig.service.name;
        const [old4, new5] = ["istiod-1-31-4", "istiod-1-31-5"];
        assert.deepStrictEqual(perStep(validator), {
            "1-install": old4,
            "2-canary": old4,
            "3-move": old4,
            "4-promote": new5,
            "5-retire": new5,
            "rollback-1-move-back": old4,
            "rollback-2-remove-canary": old4,
            "migrate-1-keep-unrevisioned": "istiod",
            "migrate-2-retire-unrevisioned": old4,
        });
    });

    it("labels each namespace for one tag only: istio-injection=enabled for default, istio.io/rev=canary for the canary", () => {
        const onDefault = { "istio-injection": "enabled" };
        const onCanary = { "istio.io/rev": "canary" };
        assert.deepStrictEqual(
            perStep((id) => appliedLabels(stepRender(id).run.registrations)),
            {
                "1-install": { default: onDefault, shop: onDefault },
                "2-canary": { default: onDefault, shop: onDefault },
                "3-move": { default: onDefault, shop: onCanary },
                "4-promote": { default: onDefault, shop: onDefault },
                "5-retire": { default: onDefault, shop: onDefault },
                "rollback-1-move-back": { default: onDefault, shop: onDefault },
                "rollback-2-remove-canary": { default: onDefault, shop: onDefault },
                "migrate-1-keep-unrevisioned": { default: onDefault, shop: onDefault },
                "migrate-2-retire-unrevisioned": { default: onDefault, shop: onDefault },
            },
        );
    });

    it("lists the restarts each step owes: labelled or moved namespaces, and every default namespace while the previous revision runs", async () => {
        const restart = (namespace: string): string => `kubectl rollout restart deployment -n ${namespace}`;
        const owed: Record<string, unknown> = {};
        for (const step of UPGRADE_STEPS) {
            owed[step.id] = await valueOf(stepRender(step.id).run.outputs.restartCommands as string[]);
        }
        assert.deepStrictEqual(owed, {
            "1-install": [restart("default"), restart("shop")],
            "2-canary": [],
            "3-move": [restart("shop")],
            "4-promote": [restart("default"), restart("shop")],
            "5-retire": [],
            "rollback-1-move-back": [restart("shop")],
            "rollback-2-remove-canary": [],
            // The kept istiod's proxies owe a restart, though no label changes.
            "migrate-1-keep-unrevisioned": [restart("default"), restart("shop")],
            "migrate-2-retire-unrevisioned": [],
        });
    });

    it("reports every control plane with its version and tag", () => {
        assert.deepStrictEqual(
            perStep((id) => stepRender(id).run.outputs.controlPlanes),
            {
                "1-install": { "istiod-1-31-4": { version: "1.31.4", tag: "default" } },
                "2-canary": {
                    "istiod-1-31-4": { version: "1.31.4", tag: "default" },
                    "istiod-1-31-5": { version: "1.31.5", tag: "canary" },
                },
                "3-move": {
                    "istiod-1-31-4": { version: "1.31.4", tag: "default" },
                    "istiod-1-31-5": { version: "1.31.5", tag: "canary" },
                },
                "4-promote": {
                    "istiod-1-31-4": { version: "1.31.4", tag: "" },
                    "istiod-1-31-5": { version: "1.31.5", tag: "default" },
                },
                "5-retire": { "istiod-1-31-5": { version: "1.31.5", tag: "default" } },
                "rollback-1-move-back": {
                    "istiod-1-31-4": { version: "1.31.4", tag: "default" },
                    "istiod-1-31-5": { version: "1.31.5", tag: "canary" },
                },
                "rollback-2-remove-canary": { "istiod-1-31-4": { version: "1.31.4", tag: "default" } },
                "migrate-1-keep-unrevisioned": {
                    istiod: { version: "1.31.4", tag: "" },
                    "istiod-1-31-4": { version: "1.31.4", tag: "default" },
                },
                "migrate-2-retire-unrevisioned": { "istiod-1-31-4": { version: "1.31.4", tag: "default" } },
            },
        );
    });

    it("adds, updates and deletes whole revisions: no Chart is replaced, the running istiod is never touched by a promotion", () => {
        const canaryTag = ["MutatingWebhookConfiguration::revision-tags-canary", "Service::revision-tags-canary"];
        const canaryIstiod = ["Chart::istiod-1-31-5"];
        assert.deepStrictEqual(
            Object.fromEntries(
                TRANSITIONS.map(([from, to]) => [
                    `${from} -> ${to}`,
                    registrationChanges(stepRender(from), stepRender(to)),
                ]),
            ),
            {
                "1-install -> 2-canary": {
                    created: [...canaryIstiod, ...canaryTag].sort(),
                    deleted: [],
                    updated: ["Chart::istio-base"],
                },
                "2-canary -> 3-move": { created: [], deleted: [], updated: ["NamespacePatch::sidecar-injection-shop"] },
                "3-move -> 4-promote": {
                    created: [],
                    deleted: canaryTag,
                    updated: [
                        "Chart::egress-gateway",
                        "Chart::ingress-gateway",
                        "Chart::istio-base",
                        "MutatingWebhookConfiguration::revision-tags-default",
                        "NamespacePatch::sidecar-injection-shop",
                        "Service::revision-tags-default",
                    ],
                },
                "4-promote -> 5-retire": { created: [], deleted: ["Chart::istiod-1-31-4"], updated: [] },
                "3-move -> rollback-1-move-back": {
                    created: [],
                    deleted: [],
                    updated: ["NamespacePatch::sidecar-injection-shop"],
                },
                "rollback-1-move-back -> rollback-2-remove-canary": {
                    created: [],
                    deleted: [...canaryIstiod, ...canaryTag].sort(),
                    updated: ["Chart::istio-base"],
                },
                "migrate-1-keep-unrevisioned -> migrate-2-retire-unrevisioned": {
                    created: [],
                    deleted: ["Chart::istiod"],
                    updated: ["Chart::istio-base"],
                },
            },
        );
    });

    it("never moves an object from one owner to another between two steps", () => {
        const moves = TRANSITIONS.map(([from, to]) => [
            `${from} -> ${to}`,
            movedObjects(ownedObjects(stepRender(from)), ownedObjects(stepRender(to))),
        ]);
        assert.deepStrictEqual(
            moves,
            TRANSITIONS.map(([from, to]) => [`${from} -> ${to}`, []]),
        );
    });

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
            run: { registrations: [], outputs: {} },
            releases,
        });
        const before = step([await istiod("1-31-4", ["default"]), await istiod("1-31-5", ["canary"])]);
        const after = step([await istiod("1-31-4", []), await istiod("1-31-5", ["default"])]);
        assert.deepStrictEqual(movedObjects(ownedObjects(before), ownedObjects(after)), [
            "MutatingWebhookConfiguration istio-revision-tag-default: Chart istiod-1-31-4 -> Chart istiod-1-31-5",
            "Service istio-system/istiod-revision-tag-default: Chart istiod-1-31-4 -> Chart istiod-1-31-5",
        ]);
    });

    it("orders the canary: its istiod after the base chart, its tag after its istiod, the namespace's label after its tag", () => {
        const graph = graphOf("3-move");
        const canary = graph.get(CHART, "istiod-1-31-5");
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

    it("keeps every selector of every object that stays in place from one step to the next", () => {
        for (const [from, to] of TRANSITIONS) {
            const before = new Map(ownedObjects(stepRender(from)).map((o) => [o.identity, o.object]));
            for (const { identity, object } of ownedObjects(stepRender(to))) {
                const selector = (o: unknown): unknown => (o as { spec?: { selector?: unknown } }).spec?.selector;
                if (before.has(identity) && ["Deployment", "StatefulSet", "DaemonSet"].includes(object.kind)) {
                    assert.deepStrictEqual(
                        selector(object),
                        selector(before.get(identity)),
                        `${from} -> ${to}: ${identity} would be replaced`,
                    );
                }
            }
        }
    });

    it("renders no object twice in any step: two istiod releases share no cluster-scoped object", () => {
        assert.deepStrictEqual(
            perStep((id) => collisions(ownedObjects(stepRender(id)))),
            perStep(() => []),
        );
        const clusterScoped = (id: string, release: string): string[] =>
            ownedObjects(stepRender(id))
                .filter((o) => o.owner === `Chart ${release}` && o.object.metadata.namespace === undefined)
                .map((o) => o.identity);
        // Each revision's cluster-scoped objects carry its name.
        assert.deepStrictEqual(clusterScoped("2-canary", "istiod-1-31-5"), [
            "ClusterRole istio-reader-clusterrole-1-31-5-istio-system",
            "ClusterRole istiod-clusterrole-1-31-5-istio-system",
            "ClusterRole istiod-gateway-controller-1-31-5-istio-system",
            "ClusterRoleBinding istio-reader-clusterrole-1-31-5-istio-system",
            "ClusterRoleBinding istiod-clusterrole-1-31-5-istio-system",
            "ClusterRoleBinding istiod-gateway-controller-1-31-5-istio-system",
            "MutatingWebhookConfiguration istio-sidecar-injector-1-31-5",
            "ValidatingWebhookConfiguration istio-validator-1-31-5-istio-system",
        ]);
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

    it("gives no pod two injection webhooks in any step", () => {
        const overlaps = (id: string): string[] =>
            overlappingWebhooks(injectionWebhooks(ownedObjects(stepRender(id)).map((o) => o.object)));
        assert.deepStrictEqual(
            perStep(overlaps),
            perStep(() => []),
        );
    });

    it("injects each pod from the revision its namespace or its labels name (step 3: shop on the canary)", () => {
        const webhooks = injectionWebhooks(ownedObjects(stepRender("3-move")).map((o) => o.object));
        // The ingress gateway's pods as the gateway chart renders them, in istio-ingress (no injection labels).
        const gateway = ownedObjects(stepRender("3-move")).find(
            (o) => o.identity === "Deployment istio-ingress/istio-ingressgateway",
        )?.object as unknown as {
            spec: { template: { metadata: { labels: Record<string, string> } } };
        };
        const gatewayPodLabels = gateway.spec.template.metadata.labels;
        const injector = (namespace: Record<string, string>, pod: Record<string, string>): string[] =>
            webhooks.filter((w) => matches(w, namespace, pod)).map((w) => w.name.slice(0, w.name.indexOf("/")));
        assert.deepStrictEqual(
            {
                default: injector({ "istio-injection": "enabled" }, {}),
                shop: injector({ "istio.io/rev": "canary" }, {}),
                gateway: injector({}, gatewayPodLabels),
                unlabelled: injector({}, {}),
                optedOut: injector({ "istio-injection": "enabled" }, { "sidecar.istio.io/inject": "false" }),
            },
            {
                default: ["istio-revision-tag-default"],
                shop: ["istio-revision-tag-canary"],
                gateway: ["istio-sidecar-injector-1-31-4"],
                unlabelled: [],
                optedOut: [],
            },
        );
        const service = (tag: string): unknown =>
            (
                ownedObjects(stepRender("3-move")).find(
                    (o) => o.identity === `MutatingWebhookConfiguration istio-revision-tag-${tag}`,
                )?.object.webhooks as { clientConfig: { service: { name: string } } }[]
            )[0].clientConfig.service.name;
        assert.deepStrictEqual([service("default"), service("canary")], ["istiod-1-31-4", "istiod-1-31-5"]);
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

    it("gives both revisions the same mesh config, tracing provider included", () => {
        const mesh = (release: string): { defaultConfig: { discoveryAddress: string } } => {
            const configMap = stepRender("2-canary")
                .releases.find((r) => r.release === release)
                ?.objects.find(
                    (o) => o.kind === "ConfigMap" && o.metadata.name === release.replace(/^istiod/, "istio"),
                );
            return yaml.load((configMap?.data as Record<string, string>).mesh) as {
                defaultConfig: { discoveryAddress: string };
            };
        };
        const [stable, canary] = [mesh("istiod-1-31-4"), mesh("istiod-1-31-5")];
        // Each revision's proxies connect to their own istiod; everything else is the same.
        assert.deepStrictEqual(
            [stable.defaultConfig.discoveryAddress, canary.defaultConfig.discoveryAddress],
            ["istiod-1-31-4.istio-system.svc:15012", "istiod-1-31-5.istio-system.svc:15012"],
        );
        canary.defaultConfig.discoveryAddress = stable.defaultConfig.discoveryAddress;
        assert.deepStrictEqual(canary, stable);
        assert.deepStrictEqual((stable as unknown as { extensionProviders: unknown }).extensionProviders, [
            { name: "jaeger", opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 } },
        ]);
    });

    it("has Prometheus scrape both istiods: each pod is annotated for the pod job, which keeps annotated pods", () => {
        const render = stepRender("2-canary");
        const annotations = ownedObjects(render)
            .filter((o) => o.object.kind === "Deployment" && o.object.metadata.labels?.app === "istiod")
            .map((o) => {
                const pod = (o.object.spec as { template: { metadata: { annotations: Record<string, string> } } })
                    .template.metadata.annotations;
                return [o.object.metadata.name, pod["prometheus.io/scrape"], pod["prometheus.io/port"]];
            });
        assert.deepStrictEqual(annotations, [
            ["istiod-1-31-4", "true", "15014"],
            ["istiod-1-31-5", "true", "15014"],
        ]);
        const jobs = configFile(render, "prometheus", "prometheus", "prometheus.yml").scrape_configs as {
            job_name: string;
            relabel_configs?: { action: string; source_labels?: string[] }[];
        }[];
        const pods = jobs.find((job) => job.job_name === "kubernetes-pods");
        assert.deepStrictEqual(pods?.relabel_configs?.[0], {
            action: "keep",
            regex: true,
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
        });
    });

    it("lets Kiali find both revisions by label: app=istiod and istio.io/rev on each istiod, istio.io/tag on each tag, no fixed istiod name", () => {
        const objects = ownedObjects(stepRender("2-canary")).map((o) => o.object);
        const istiods = objects
            .filter((o) => o.kind === "Deployment" && o.metadata.labels?.app === "istiod")
            .map((o) => `${o.metadata.name} rev ${o.metadata.labels?.["istio.io/rev"]}`);
        assert.deepStrictEqual(istiods, ["istiod-1-31-4 rev 1-31-4", "istiod-1-31-5 rev 1-31-5"]);
        const tags = objects
            .filter(
                (o) => o.kind === "MutatingWebhookConfiguration" && o.metadata.labels?.["istio.io/tag"] !== undefined,
            )
            .map((o) => `${o.metadata.labels?.["istio.io/tag"]} -> ${o.metadata.labels?.["istio.io/rev"]}`);
        assert.deepStrictEqual(tags, ["canary -> 1-31-5", "default -> 1-31-4"]);
        const kiali = stepRender("2-canary")
            .releases.find((r) => r.release === "kiali")
            ?.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "kiali");
        const config = String((kiali?.data as Record<string, string>)["config.yaml"]);
        // Kiali 2 dropped these keys and discovers control planes; none may pin a name.
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

    it("moves a stack deployed before revisions without deleting its istiod: the same Chart, its values kept but its injection webhooks", () => {
        const graph = graphOf("migrate-1-keep-unrevisioned");
        const kept = graph.get(CHART, "istiod");
        // The URN the program gave istiod before revisions: the engine sees the same resource, updated.
        assert.strictEqual(
            kept.urn,
            "urn:pulumi:dev::istio-mesh::istio-mesh:core:ControlPlane$kubernetes:helm.sh/v4:Chart::istiod",
        );
        // The values the program gave it before revisions (plans/dev.yaml at that time), plus the switch for its webhooks.
        const resources = (cpu: [string, string], memory: [string, string]): unknown => ({
            limits: { cpu: cpu[1], memory: memory[1] },
            requests: { cpu: cpu[0], memory: memory[0] },
        });
        assert.deepStrictEqual(kept.inputs.values, {
            autoscaleEnabled: false,
            base: { validationFailurePolicy: "Fail" },
            global: {
                defaultPodDisruptionBudget: { enabled: false },
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

    it("reads the Deployment of each istiod kept for its proxies, and nothing waits for the read", () => {
        const reads = (id: string): string[] =>
            stepRender(id)
                .run.registrations.filter((r) => r.readId !== undefined && r.type === "kubernetes:apps/v1:Deployment")
                .map((r) => r.readId as string);
        assert.deepStrictEqual(perStep(reads), {
            ...perStep(() => []),
            "4-promote": ["istio-system/istiod-1-31-4"],
            "migrate-1-keep-unrevisioned": ["istio-system/istiod"],
        });
        const graph = graphOf("4-promote");
        // Nothing waits for the read: a resource that did would wait forever on a failed one.
        const read = graph.get("kubernetes:apps/v1:Deployment", "running-control-planes-istiod-1-31-4");
        assert.deepStrictEqual(
            graph.registrations.filter((r) => r.dependencies.includes(read.urn)).map((r) => r.name),
            [],
        );
    });

    it("a kept revision that does not run fails its read, naming the Deployment: a mistyped previousVersion stops the preview", async () => {
        // On the cluster step 3 left, no istiod-1-31-3 runs.
        const typo = await runProgram(
            stackConfig("dev", { ...upgradeStep("4-promote").config, "istio-mesh:previousVersion": "1.31.3" }),
            "dev",
            clusterAfter(stepRender("3-move")),
        );
        const reads = typo.registrations
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
            .map((r) => [r.readId, r.readError !== undefined]);
        assert.deepStrictEqual(reads, [["istio-system/istiod-1-31-3", true]]);
    });

    it("passes the render checks with two control planes: resources, addresses, schemas, and the memory the budget counts", async () => {
        const render = stepRender("2-canary");
        assert.deepStrictEqual(containerResourceProblems(render.releases), []);
        const addresses = configuredAddresses(
            render,
            await valueOf(render.run.outputs.portForwardCommands as Record<string, string>),
        );
        assert.deepStrictEqual(addressProblems(render.releases, addresses), []);
        assert.deepStrictEqual(await kubernetesSchemaProblems(render.releases), []);
        const settings = parseMeshSettings(stackConfig("dev", upgradeStep("2-canary").config));
        assert.deepStrictEqual(
            [renderedMemoryRequest(render.releases).totalMi, memoryBudget(settings).totalMi],
            [1280, 1280],
        );
    });
});
