import * as assert from "assert";
import { releaseOf } from "./support/manifests";
import { evaluateStack } from "./support/program";
import { KIALI_SERVER_RULES } from "../components/values/kiali-rights";
import { GrantedRule, PolicyRule, registeredRbac, rulesBoundTo, writeGrants } from "./support/rbac";
import { K8sObject, renderChart, RenderedRelease, renderStack } from "./support/render";

/**
 * What Kiali's own ServiceAccount may do: the rules the program binds to it, with whatever
 * the kiali-server chart renders. An anonymous Kiali acts with its own rights for every
 * visitor, so those rights must not change the cluster, open pods' ports or read their logs.
 */

const KIALI_ACCOUNT = { namespace: "istio-system", name: "kiali" };

/** Everything that binds roles in a stack: the program's registrations and the charts' objects. */
async function clusterRbac(
    overrides: Record<string, unknown> = {},
): Promise<{ objects: K8sObject[]; kiali: RenderedRelease }> {
    const { run, releases } = await renderStack("dev", overrides);
    return {
        objects: [...registeredRbac(run), ...releases.flatMap((release) => release.objects)],
        kiali: releaseOf(releases, "kiali"),
    };
}

const roles = (objects: readonly K8sObject[]): string[] => [
    ...new Set(rulesBoundTo(objects, KIALI_ACCOUNT).map((granted) => granted.role)),
];

/** Where each granted rule reaches the core `resource`: a namespace, or "*" for every one. */
const scopesOf = (granted: GrantedRule[], resource: string): string[] =>
    granted
        .filter(({ rule }) => (rule.apiGroups ?? [""]).some((group) => group === "" || group === "*"))
        .filter(({ rule }) => (rule.resources ?? []).some((r) => r === resource || r === "*"))
        .map(({ scope }) => scope);

/** The chart's own viewer ClusterRole, rendered as the chart would bind it without our values. */
async function chartViewerRules(kiali: RenderedRelease): Promise<PolicyRule[]> {
    const values = JSON.parse(JSON.stringify(kiali.values)) as Record<string, unknown>;
    delete values.skipResources;
    const rendered = await renderChart({ ...kiali, values });
    const role = rendered.objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === "kiali-viewer");
    assert.ok(role, "the chart renders no kiali-viewer ClusterRole");
    return role.rules as PolicyRule[];
}

describe("Kiali's rights in the cluster", () => {
    for (const anonymous of [true, false]) {
        const mode = anonymous ? "an anonymous Kiali" : "a Kiali with a token login";
        it(`${mode}: read-only, port-forwards only in istio-system, reads no pod's log`, async () => {
            const { objects } = await clusterRbac({ "istio-mesh:kialiAnonymous": anonymous });
            const granted = rulesBoundTo(objects, KIALI_ACCOUNT);
            assert.deepStrictEqual(roles(objects), [
                "ClusterRole kiali-server-viewer",
                "Role istio-system/kiali-server-port-forward",
            ]);
            assert.deepStrictEqual(writeGrants(granted), []);
            assert.deepStrictEqual(scopesOf(granted, "pods/portforward"), ["istio-system"]);
            assert.deepStrictEqual(scopesOf(granted, "pods/log"), []);
            assert.deepStrictEqual(scopesOf(granted, "secrets"), []);
        });

        it(`${mode}: its rules are the chart's viewer role's, less port-forward, pod logs and OpenShift's (fails when a chart bump changes them)`, async () => {
            const { kiali } = await clusterRbac({ "istio-mesh:kialiAnonymous": anonymous });
            const chart = (await chartViewerRules(kiali))
                .filter((rule) => !(rule.resources ?? []).includes("pods/portforward"))
                .filter((rule) => !(rule.apiGroups ?? []).some((group) => group.endsWith(".openshift.io")))
                .map((rule) => ({ ...rule, resources: (rule.resources ?? []).filter((r) => r !== "pods/log") }));
            assert.deepStrictEqual(KIALI_SERVER_RULES, chart);
        });
    }

    it("the chart alone would let Kiali port-forward to every pod: the check sees that grant", async () => {
        const { kiali } = await clusterRbac();
        const values = JSON.parse(JSON.stringify(kiali.values)) as Record<string, unknown>;
        delete values.skipResources;
        const chart = await renderChart({ ...kiali, values });
        assert.deepStrictEqual(scopesOf(rulesBoundTo(chart.objects, KIALI_ACCOUNT), "pods/portforward"), ["*"]);
    });

    it("an anonymous Kiali is view-only: without it the chart would bind its write role", async () => {
        const { kiali } = await clusterRbac({ "istio-mesh:kialiAnonymous": true });
        const config = kiali.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "kiali");
        assert.match(String((config?.data as Record<string, string>)["config.yaml"]), /^ {2}view_only_mode: true$/m);
        const values = JSON.parse(JSON.stringify(kiali.values)) as {
            deployment: Record<string, unknown>;
            skipResources?: unknown;
        };
        delete values.deployment.view_only_mode;
        delete values.skipResources;
        const writable = await renderChart({ ...kiali, values });
        assert.deepStrictEqual(roles(writable.objects), ["ClusterRole kiali"]);
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

    it("reads ConfigMaps in istio-system only, no pod's log, and writes nothing", async () => {
        const granted = rulesBoundTo(registeredRbac(await evaluateStack("dev")), LOGIN);
        assert.deepStrictEqual(scopesOf(granted, "configmaps"), ["istio-system"]);
        assert.deepStrictEqual(scopesOf(granted, "pods/log"), []);
        assert.deepStrictEqual(scopesOf(granted, "pods"), ["*"]);
        assert.deepStrictEqual(writeGrants(granted), []);
    });
});
