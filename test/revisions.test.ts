import * as assert from "assert";
import { compareVersions, newestVersion, revisionProblems, upgradeStepProblem } from "../components/args/revisions";
import { parseMeshSettings } from "../components/config/stack-config";
import { memoryBudget } from "../components/sizing/budget";
import { revisionTagService, revisionTagWebhook } from "../components/values/revision-tags";
import { istioRevision } from "../components/versions";
import { kubernetesSchemaErrors } from "./support/kubernetes-schema";
import { problemsOf } from "./support/problems";
import { K8sObject, renderChart } from "./support/render";

/** The keys of a canary upgrade: how versions become revisions, what is refused, what the budget counts. */

const keys = (values: Record<string, string | string[]>): Record<string, string> =>
    Object.fromEntries(
        Object.entries(values).map(([key, value]) => [
            `istio-mesh:${key}`,
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );

describe("Istio versions as revisions", () => {
    it("names a revision from its version, and orders versions numerically", () => {
        assert.deepStrictEqual([istioRevision("1.31.4"), istioRevision("1.31.10")], ["1-31-4", "1-31-10"]);
        assert.deepStrictEqual(["1.31.10", "1.31.9", "1.31.4"].sort(compareVersions), ["1.31.4", "1.31.9", "1.31.10"]);
    });

    it("reads a canary and a previous version into tagged and untagged revisions; the CRDs follow the newest", () => {
        const canary = parseMeshSettings(
            keys({ canaryVersion: "1.31.5", injectionNamespaces: ["default", "shop"], canaryNamespaces: ["shop"] }),
        );
        assert.deepStrictEqual(canary.revisions, {
            stable: { version: "1.31.4", revision: "1-31-4", tag: "default" },
            canary: { version: "1.31.5", revision: "1-31-5", tag: "canary" },
        });
        assert.deepStrictEqual(canary.canaryNamespaces, ["shop"]);
        const moving = parseMeshSettings(keys({ unrevisionedVersion: "1.31.4" }));
        assert.deepStrictEqual(moving.revisions.unrevisioned, { version: "1.31.4" });
        const promoted = parseMeshSettings(keys({ istioVersion: "1.31.10", previousVersion: "1.31.9" }));
        assert.deepStrictEqual(promoted.revisions, {
            stable: { version: "1.31.10", revision: "1-31-10", tag: "default" },
            previous: { version: "1.31.9", revision: "1-31-9" },
        });
        assert.deepStrictEqual(
            [newestVersion(canary.revisions), newestVersion(promoted.revisions)],
            ["1.31.5", "1.31.10"],
        );
    });

    it("allows a step of at most one minor release, and only forward", () => {
        assert.deepStrictEqual(
            [
                upgradeStepProblem("1.31.4", "1.31.5"),
                upgradeStepProblem("1.31.4", "1.32.0"),
                upgradeStepProblem("1.31.4", "1.33.0"),
                upgradeStepProblem("1.31.4", "2.0.0"),
                upgradeStepProblem("1.31.4", "1.31.4"),
                upgradeStepProblem("1.31.4", "1.30.9"),
            ],
            [undefined, undefined, { ahead: "2 minor releases" }, { ahead: "a major release" }, "same", "older"],
        );
    });

    it("keeps a previous revision within one minor of a canary's CRDs (a next minor, checked on the pure rule)", () => {
        const keys = {
            istioVersion: "1.31.2",
            canaryVersion: "1.32.0",
            previousVersion: "1.30.9",
            unrevisionedVersion: "",
            canaryNamespaces: [],
            injectionNamespaces: ["default"],
        };
        assert.deepStrictEqual(
            revisionProblems(keys, (name) => `istio-mesh:${name}`),
            [
                [
                    "previousVersion",
                    '"1.30.9" is more than one minor behind istio-mesh:canaryVersion "1.32.0", whose CRDs it would have to read; retire it (remove the key) before starting this canary',
                ],
            ],
        );
        assert.deepStrictEqual(
            revisionProblems({ ...keys, previousVersion: "1.31.1" }, (name) => `istio-mesh:${name}`),
            [],
        );
    });

    const refused: [string, Record<string, string | string[]>, string][] = [
        [
            "a canary equal to the stable version",
            { canaryVersion: "1.31.4" },
            'istio-mesh:canaryVersion: "1.31.4" is the same version as istio-mesh:istioVersion "1.31.4"; set the newer release to try, or remove the key to run one control plane',
        ],
        [
            "a canary older than the stable version",
            { istioVersion: "1.31.4", canaryVersion: "1.31.3" },
            'istio-mesh:canaryVersion: "1.31.3" is older than istio-mesh:istioVersion "1.31.4"; a canary must be a newer release (to go back to an older one, roll back: remove the canary before promoting it)',
        ],
        [
            "an unsupported canary version",
            { canaryVersion: "1.33.0" },
            'istio-mesh:canaryVersion: "1.33.0" is not supported: the pinned chart values are written for Istio 1.30, 1.31; use 1.30.x or 1.31.x (default 1.31.4)',
        ],
        [
            "canary namespaces without a canary",
            { injectionNamespaces: ["default", "shop"], canaryNamespaces: ["shop"] },
            'istio-mesh:canaryNamespaces: ["shop"] is set, but there is no canary (istio-mesh:canaryVersion is unset); set istio-mesh:canaryVersion, or remove istio-mesh:canaryNamespaces to keep every namespace on "1.31.4"',
        ],
        [
            "a canary namespace outside the injection namespaces",
            { canaryVersion: "1.31.5", canaryNamespaces: ["shop"] },
            'istio-mesh:canaryNamespaces: ["shop"] is not in istio-mesh:injectionNamespaces ["default"]; a namespace moves to the canary from the mesh, so add it there too',
        ],
        [
            "a namespace listed twice for the canary",
            { canaryVersion: "1.31.5", canaryNamespaces: ["default", "default"] },
            'istio-mesh:canaryNamespaces: item 1 "default" is a duplicate; list each value once',
        ],
        [
            "a previous version equal to the stable one",
            { previousVersion: "1.31.4" },
            'istio-mesh:previousVersion: "1.31.4" is the same as istio-mesh:istioVersion "1.31.4"; it names the release a promotion replaced, which is older: set it to that release, or remove it once nothing runs on it',
        ],
        [
            "a previous version newer than the stable one",
            { previousVersion: "1.31.5" },
            'istio-mesh:previousVersion: "1.31.5" is newer than istio-mesh:istioVersion "1.31.4"; it names the release a promotion replaced, which is older: set it to that release, or remove it once nothing runs on it',
        ],
        [
            "an unrevisioned version newer than the stable one",
            { unrevisionedVersion: "1.31.5" },
            'istio-mesh:unrevisionedVersion: "1.31.5" is newer than istio-mesh:istioVersion "1.31.4"; it names the release the stack ran before revisions, which istioVersion keeps or upgrades',
        ],
        [
            "a canary before the move to revisions is finished",
            { unrevisionedVersion: "1.31.4", canaryVersion: "1.31.5" },
            "istio-mesh:unrevisionedVersion: is set with istio-mesh:canaryVersion; finish the move to revisions first: restart what restartCommands lists, then remove istio-mesh:unrevisionedVersion",
        ],
        [
            "an unrevisioned version with a previous one",
            { istioVersion: "1.31.5", unrevisionedVersion: "1.31.4", previousVersion: "1.31.4" },
            "istio-mesh:unrevisionedVersion: is set with istio-mesh:previousVersion; finish the move to revisions first: restart what restartCommands lists, then remove istio-mesh:unrevisionedVersion",
        ],
        [
            "an unsupported previous version",
            { previousVersion: "1.29.2" },
            'istio-mesh:previousVersion: "1.29.2" is not supported: the pinned chart values are written for Istio 1.30, 1.31; use 1.30.x or 1.31.x (default 1.31.4)',
        ],
    ];
    for (const [what, values, message] of refused) {
        it(`refuses ${what}, naming the key`, () => {
            assert.deepStrictEqual(problemsOf(keys(values)), [message]);
        });
    }

    it("counts every istiod revision in the memory budget, and refuses a canary the cluster cannot hold", () => {
        const line = (values: Record<string, string | string[]>): unknown =>
            memoryBudget(parseMeshSettings(keys(values))).lines[0];
        assert.deepStrictEqual(line({ canaryVersion: "1.31.5" }), {
            component: "istiod",
            label: "istiod (2 revisions)",
            replicas: 2,
            requestMi: 512,
        });
        assert.deepStrictEqual(line({ istioVersion: "1.31.5", previousVersion: "1.31.4" }), {
            component: "istiod",
            label: "istiod (2 revisions)",
            replicas: 2,
            requestMi: 512,
        });
        // 2Gi at 35% is 716Mi: one istiod fits (624Mi), two do not (752Mi).
        const tight = { memory: "2Gi", memoryBudgetPercent: "35" };
        assert.deepStrictEqual(problemsOf(keys(tight)), []);
        const [problem] = problemsOf(keys({ ...tight, canaryVersion: "1.31.5" }));
        assert.deepStrictEqual(problem.split("\n").slice(0, 2), [
            "istio-mesh:memory: the components request 752Mi of memory, over the budget of 716Mi (35% of istio-mesh:memory):",
            "      istiod (2 revisions) 2x      256Mi",
        ]);
    });
});

describe("revision tags written by this program", () => {
    // What the istiod chart renders for `revisionTags`, less Helm's release bookkeeping.
    const HELM_LABELS = [
        "release",
        "helm.sh/chart",
        "app.kubernetes.io/managed-by",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/version",
    ];
    const withoutHelm = (object: K8sObject): K8sObject => ({
        ...object,
        metadata: {
            ...object.metadata,
            labels: Object.fromEntries(
                Object.entries(object.metadata.labels ?? {}).filter(([key]) => !HELM_LABELS.includes(key)),
            ),
        },
    });

    for (const [tag, revision] of [
        ["default", "1-31-4"],
        ["canary", "1-31-5"],
    ] as const) {
        it(`equal what the pinned istiod chart renders for tag ${tag} on revision ${revision}`, async () => {
            const release = await renderChart({
                resourceName: "tags",
                release: `istiod-${revision}`,
                namespace: "istio-system",
                chart: "istiod",
                version: "1.31.4",
                skipCrds: false,
                values: { revision, revisionTags: [tag] },
            });
            const byKind = (a: K8sObject, b: K8sObject): number => (a.kind < b.kind ? -1 : 1);
            const rendered = release.objects
                .filter((o) => o.metadata.labels?.["istio.io/tag"] === tag)
                .map(withoutHelm)
                .sort(byKind);
            const ours = [
                {
                    apiVersion: "admissionregistration.k8s.io/v1",
                    kind: "MutatingWebhookConfiguration",
                    ...revisionTagWebhook(tag, revision, "istio-system"),
                },
                { apiVersion: "v1", kind: "Service", ...revisionTagService(tag, revision, "istio-system") },
            ];
            assert.deepStrictEqual(JSON.parse(JSON.stringify(ours)), rendered);
            for (const object of ours) {
                assert.deepStrictEqual(await kubernetesSchemaErrors(object as K8sObject), [], `${object.kind}`);
            }
        });
    }
});
