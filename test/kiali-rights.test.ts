import * as assert from "assert";
import { releaseOf } from "./support/manifests";
import { evaluateStack } from "./support/program";
import { GrantedRule, rulesBoundTo, writeGrants } from "./support/rbac";
import { K8sObject, renderChart, RenderedRelease, renderStack } from "./support/render";

/**
 * What Kiali's own ServiceAccount may do, read from the kiali-server chart as rendered: an
 * anonymous Kiali acts with its own rights for every visitor, so those rights must not
 * change the cluster.
 */

const KIALI_ACCOUNT = { namespace: "istio-system", name: "kiali" };

const roles = (release: RenderedRelease): string[] => [
    ...new Set(rulesBoundTo(release.objects, KIALI_ACCOUNT).map((granted) => granted.role)),
];

describe("Kiali's rights in the cluster", () => {
    it("an anonymous Kiali is view-only: its ServiceAccount is bound kiali-viewer, which changes nothing", async () => {
        const render = await renderStack("dev", { "istio-mesh:kialiAnonymous": true });
        const kiali = releaseOf(render.releases, "kiali");
        const config = kiali.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "kiali");
        assert.match(String((config?.data as Record<string, string>)["config.yaml"]), /^ {2}view_only_mode: true$/m);
        assert.deepStrictEqual(roles(kiali), ["ClusterRole kiali-viewer"]);
        assert.deepStrictEqual(writeGrants(rulesBoundTo(kiali.objects, KIALI_ACCOUNT)), []);
    });

    it("a Kiali with a token login is bound kiali-viewer too: it acts with each user's token", async () => {
        const kiali = releaseOf((await renderStack("dev")).releases, "kiali");
        assert.deepStrictEqual(roles(kiali), ["ClusterRole kiali-viewer"]);
        assert.deepStrictEqual(writeGrants(rulesBoundTo(kiali.objects, KIALI_ACCOUNT)), []);
    });

    it("the check finds the write role the chart binds to an anonymous Kiali that is not view-only", async () => {
        const anonymous = releaseOf(
            (await renderStack("dev", { "istio-mesh:kialiAnonymous": true })).releases,
            "kiali",
        );
        const values = JSON.parse(JSON.stringify(anonymous.values)) as { deployment: Record<string, unknown> };
        delete values.deployment.view_only_mode;
        const writable = await renderChart({ ...anonymous, values });
        assert.deepStrictEqual(roles(writable), ["ClusterRole kiali"]);
        const grants = writeGrants(rulesBoundTo(writable.objects, KIALI_ACCOUNT));
        const istio = "networking.istio.io/*, security.istio.io/*, extensions.istio.io/*, telemetry.istio.io/*";
        for (const expected of [
            `ClusterRole kiali: patch ${istio}, inference.networking.k8s.io/*`,
            `ClusterRole kiali: delete ${istio}, inference.networking.k8s.io/*`,
            "ClusterRole kiali: patch apps/daemonsets, apps/deployments, apps/replicasets, apps/statefulsets",
        ]) {
            assert.ok(grants.includes(expected), `${expected} not in:\n${grants.join("\n")}`);
        }
    });

    it("counts a role it cannot see as a grant, and create on a stored resource as a write", () => {
        const binding = {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "b" },
            roleRef: { kind: "ClusterRole", name: "elsewhere" },
            subjects: [{ kind: "ServiceAccount", ...KIALI_ACCOUNT }],
        };
        const role = {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "mixed" },
            rules: [
                { apiGroups: [""], resources: ["pods/portforward", "secrets"], verbs: ["create"] },
                { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
            ],
        };
        const toMixed = { ...binding, metadata: { name: "c" }, roleRef: { kind: "ClusterRole", name: "mixed" } };
        assert.deepStrictEqual(writeGrants(rulesBoundTo([binding, role, toMixed], KIALI_ACCOUNT)), [
            "ClusterRole elsewhere: <role not rendered>",
            "ClusterRole mixed: create /secrets",
        ]);
    });
});

describe("the Kiali login token's rights (every user shares it)", () => {
    const LOGIN = { namespace: "istio-system", name: "kiali-login" };

    /** The RBAC objects the program registers, as the API server would hold them. */
    async function rbacObjects(): Promise<K8sObject[]> {
        const run = await evaluateStack("dev");
        return run.registrations
            .filter((r) => /^kubernetes:rbac\.authorization\.k8s\.io\/v1:(Cluster)?Role(Binding)?$/.test(r.type))
            .map((r) => ({ kind: r.type.slice(r.type.lastIndexOf(":") + 1), ...r.inputs }) as unknown as K8sObject);
    }

    /** Where each granted rule reads the core `resource`: a namespace, or "*" for every one. */
    const scopesOf = (granted: GrantedRule[], resource: string): string[] =>
        granted
            .filter(({ rule }) => (rule.apiGroups ?? [""]).some((group) => group === "" || group === "*"))
            .filter(({ rule }) => (rule.resources ?? []).some((r) => r === resource || r === "*"))
            .map(({ scope }) => scope);

    it("reads ConfigMaps in istio-system only, no pod's log, and writes nothing", async () => {
        const granted = rulesBoundTo(await rbacObjects(), LOGIN);
        assert.deepStrictEqual(scopesOf(granted, "configmaps"), ["istio-system"]);
        assert.deepStrictEqual(scopesOf(granted, "pods/log"), []);
        assert.deepStrictEqual(scopesOf(granted, "pods"), ["*"]);
        assert.deepStrictEqual(writeGrants(granted), []);
    });
});
