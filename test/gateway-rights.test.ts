import * as assert from "assert";
import { GrantedRule, rulesBoundTo } from "./support/rbac";
import { K8sObject, renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * What the gateways' ServiceAccounts may read, from every rendered object: the gateway chart
 * gives each a Role that reads every Secret of its namespace (for TLS credentials), so a
 * gateway must not live where istiod keeps the root CA key (`istio-ca-secret`).
 */

const CA_NAMESPACE = "istio-system";
const READS = ["get", "list", "watch"];

/** The rules among `granted` that read Secrets in `namespace`, as `role: verbs`. */
export function secretReadsIn(granted: readonly GrantedRule[], namespace: string): string[] {
    return granted
        .filter(({ scope }) => scope === "*" || scope === namespace)
        .filter(({ rule }) => (rule.apiGroups ?? [""]).some((group) => group === "" || group === "*"))
        .filter(({ rule }) => (rule.resources ?? []).some((resource) => resource === "secrets" || resource === "*"))
        .filter(({ rule }) => rule.verbs.some((verb) => READS.includes(verb) || verb === "*"))
        .map(({ role, rule }) => `${role}: ${rule.verbs.join(",")}`);
}

/** The gateways' ServiceAccounts among `objects`, as `namespace/name`. */
function gatewayAccounts(objects: readonly K8sObject[]): { namespace: string; name: string }[] {
    return objects
        .filter((o) => o.kind === "ServiceAccount" && /^istio-(ingress|egress)gateway$/.test(o.metadata.name))
        .map((o) => ({ namespace: o.metadata.namespace ?? "", name: o.metadata.name }));
}

describe("the gateways' rights", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: no role bound to a gateway reads a Secret in istio-system, where the root CA key is`, async () => {
            const objects = (await renderStack(stack)).releases.flatMap((release) => release.objects);
            const accounts = gatewayAccounts(objects);
            assert.deepStrictEqual(
                accounts.map((a) => `${a.namespace}/${a.name}`),
                ["istio-egress/istio-egressgateway", "istio-ingress/istio-ingressgateway"],
            );
            assert.deepStrictEqual(
                accounts.flatMap((account) => secretReadsIn(rulesBoundTo(objects, account), CA_NAMESPACE)),
                [],
            );
            // Each still reads its own namespace's Secrets: the check sees the grant it guards against.
            assert.deepStrictEqual(
                accounts.map((account) => secretReadsIn(rulesBoundTo(objects, account), account.namespace).length),
                [1, 1],
            );
        });
    }

    it("the check finds the gateways' Secret reads in istio-system when they are installed there", async () => {
        const render = await renderStack(
            "dev",
            {
                "istio-mesh:ingressNamespace": "istio-system",
                "istio-mesh:egressNamespace": "istio-system",
            },
            // A mesh deployed before, whose gateways were there; a new one is refused.
            { lastOutputs: { controlPlanes: { "istiod-1-31-4": { version: "1.31.4", tag: "default" } } } },
        );
        const objects = render.releases.flatMap((release) => release.objects);
        assert.deepStrictEqual(
            gatewayAccounts(objects).flatMap((account) => secretReadsIn(rulesBoundTo(objects, account), CA_NAMESPACE)),
            [
                "Role istio-system/istio-egressgateway: get,watch,list",
                "Role istio-system/istio-ingressgateway: get,watch,list",
            ],
        );
        // Which every preview of such a stack says, gateway by gateway.
        assert.deepStrictEqual(render.run.warnings, [
            "istio-mesh:ingressNamespace: \"istio-system\" puts the gateway beside the root CA: its role reads every Secret of its namespace, cacerts and istio-ca-secret included, so whoever takes the gateway's pod takes the mesh's identity; give it a namespace of its own, e.g. istio-ingress (docs/upgrades.md, gateways in their own namespaces)",
            "istio-mesh:egressNamespace: \"istio-system\" puts the gateway beside the root CA: its role reads every Secret of its namespace, cacerts and istio-ca-secret included, so whoever takes the gateway's pod takes the mesh's identity; give it a namespace of its own, e.g. istio-egress (docs/upgrades.md, gateways in their own namespaces)",
        ]);
    });
});
