import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import { allows, lookupServer, PREVIEW_READER_FILE, previewReaderRules } from "./support/lookup-server";
import { chartRequests, renderChart, renderStack } from "./support/render";
import { renderUpgradeStep, UPGRADE_STEPS } from "./support/upgrade-flow";
import { committedStacks } from "./tools/snapshot";

/**
 * Pull-request previews hold a credential that can read what the program reads and write
 * nothing (docs/preview-reader.yaml). A preview then still works: pulumi-kubernetes turns a
 * 403 on a create or patch dry-run into a preview from inputs
 * (provider/pkg/provider/provider.go, Create and Update with `req.GetPreview()`), while a
 * failed `Resource.get` or a chart `lookup` that is refused fails the preview. So every
 * read the program makes, and every lookup a chart makes under our values, must be allowed.
 */

/** The API group and resource of each kind the program reads with `Resource.get`. */
const READ_KINDS: Record<string, { group: string; resource: string }> = {
    "kubernetes:core/v1:Namespace": { group: "", resource: "namespaces" },
    "kubernetes:apps/v1:Deployment": { group: "apps", resource: "deployments" },
};

/** Every `Resource.get` of every committed stack and every upgrade step, as each evaluates. */
/** The program's reads of the cluster; the read of the stack's own outputs goes to the backend. */
async function programReads(): Promise<{ where: string; type: string; id: string }[]> {
    const renders = [
        ...(await Promise.all(committedStacks().map((stack) => renderStack(stack)))).map((render) => ({
            where: render.stack,
            render,
        })),
        ...(await Promise.all(
            UPGRADE_STEPS.map(async (step) => ({ where: step.id, render: await renderUpgradeStep(step) })),
        )),
    ];
    return renders.flatMap(({ where, render }) =>
        render.run.registrations
            .filter((r) => r.readId !== undefined && r.type !== "pulumi:pulumi:StackReference")
            .map((r) => ({ where, type: r.type, id: r.readId as string })),
    );
}

describe("preview credentials", () => {
    it("the preview reader reads only, no Secret, bound to its own ServiceAccount", () => {
        const documents = yaml.loadAll(fs.readFileSync(PREVIEW_READER_FILE, "utf8")) as {
            kind: string;
            metadata: { name: string; namespace?: string };
            roleRef?: { kind: string; name: string };
            subjects?: unknown[];
        }[];
        assert.deepStrictEqual(
            documents.map((d) => `${d.kind} ${d.metadata.namespace ?? ""}/${d.metadata.name}`),
            [
                "Namespace /istio-mesh-preview",
                "Namespace /istio-system",
                "ServiceAccount istio-mesh-preview/preview",
                "ClusterRole /istio-mesh-preview",
                "ClusterRoleBinding /istio-mesh-preview",
                "Role istio-system/istio-mesh-preview",
                "RoleBinding istio-system/istio-mesh-preview",
            ],
        );
        for (const binding of documents.filter((d) => d.kind.endsWith("Binding"))) {
            assert.deepStrictEqual(binding.roleRef, {
                apiGroup: "rbac.authorization.k8s.io",
                kind: binding.kind.replace(/Binding$/, ""),
                name: "istio-mesh-preview",
            });
            assert.deepStrictEqual(binding.subjects, [
                { kind: "ServiceAccount", name: "preview", namespace: "istio-mesh-preview" },
            ]);
        }
        for (const rule of previewReaderRules()) {
            assert.deepStrictEqual(
                rule.verbs.filter((verb) => !["get", "list", "watch"].includes(verb)),
                [],
                JSON.stringify(rule),
            );
            assert.ok(![...rule.apiGroups, ...rule.resources].includes("*"), JSON.stringify(rule));
            assert.ok(!rule.resources.includes("secrets"), JSON.stringify(rule));
        }
    });

    it("may make every read of every stack and upgrade step, and grants nothing they do not read", async () => {
        const reads = await programReads();
        assert.ok(reads.length >= 12, `only ${reads.length} reads`);
        const rules = previewReaderRules();
        const refused = reads.filter(({ type, id }) => {
            const kind = READ_KINDS[type];
            if (kind === undefined) {
                return true;
            }
            const [namespace, name] = id.includes("/") ? id.split("/") : [undefined, id];
            return !allows(rules, { verb: "get", ...kind, name, ...(namespace !== undefined && { namespace }) });
        });
        assert.deepStrictEqual(refused, []);
        const granted = rules.flatMap((rule) =>
            rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`)),
        );
        const used = new Set(reads.map(({ type }) => `${READ_KINDS[type].group}/${READ_KINDS[type].resource}`));
        assert.deepStrictEqual(granted.sort(), [...used].sort());
    });

    it("reads Deployments in istio-system only, where the kept istiods run", () => {
        const rules = previewReaderRules();
        const get = (namespace: string): boolean =>
            allows(rules, { verb: "get", group: "apps", resource: "deployments", namespace, name: "istiod" });
        assert.deepStrictEqual([get("istio-system"), get("shop"), get("kube-system")], [true, false, false]);
        assert.strictEqual(allows(rules, { verb: "get", group: "", resource: "namespaces", name: "shop" }), true);
    });

    it("every committed stack and upgrade step renders with the reader's rights: no chart lookup is refused", async () => {
        await programReads();
        const { requests } = await lookupServer();
        assert.deepStrictEqual(
            requests.filter(({ status }) => status === 403),
            [],
        );
    });

    it("a lookup the reader may not make fails the render, as it fails the preview (Kiali's Secret autodetection)", async () => {
        const { run } = await renderStack("dev");
        const kiali = chartRequests(run.registrations).find((request) => request.release === "kiali");
        assert.ok(kiali !== undefined);
        const values = kiali.values as { clustering: { autodetect_secrets: { enabled: boolean } } };
        assert.deepStrictEqual(values.clustering, { autodetect_secrets: { enabled: false } });
        await assert.rejects(
            renderChart({ ...kiali, values: { ...values, clustering: { autodetect_secrets: { enabled: true } } } }),
            /error calling lookup: secrets is forbidden: User "system:serviceaccount:istio-mesh-preview:preview" cannot list resource "secrets" in API group "" in the namespace "istio-system"/,
        );
    });
});
