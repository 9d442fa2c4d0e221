import * as assert from "assert";
import { baselineViolations, pods, unlockedContainers } from "./support/pod-security";
import { K8sObject, renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * What a compromised pod of the mesh starts with, read from every rendered workload: no
 * container may gain privileges or capabilities or run as root, and a pod that never calls
 * the Kubernetes API gets no ServiceAccount token. The mesh's namespaces enforce Pod
 * Security's `baseline` profile, which every rendered pod must pass.
 */

describe("pod security", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: every container drops its capabilities, cannot escalate and runs as a user`, async () => {
            const objects = (await renderStack(stack)).releases.flatMap((release) => release.objects);
            assert.deepStrictEqual(unlockedContainers(objects), []);
        });

        it(`${stack}: every pod passes Pod Security's baseline, which the mesh's namespaces enforce`, async () => {
            const { run, releases } = await renderStack(stack);
            assert.deepStrictEqual(baselineViolations(releases.flatMap((release) => release.objects)), []);
            const labels = run.registrations
                .filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.readId === undefined)
                .map((r) => [r.name, (r.inputs.metadata as { labels?: Record<string, string> }).labels]);
            const psa = {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            };
            assert.deepStrictEqual(labels, [
                ["mesh-istio-egress", psa],
                ["mesh-istio-ingress", psa],
                ["mesh-istio-system", psa],
            ]);
        });
    }

    it("Grafana and Jaeger, which never call the Kubernetes API, get no ServiceAccount token", async () => {
        const objects = (await renderStack("dev")).releases.flatMap((release) => release.objects);
        const tokenless = (name: string): boolean => {
            const [, spec] = pods(objects).find(([pod]) => pod === `Deployment istio-system/${name}`) ?? [];
            const account = objects.find(
                (o) => o.kind === "ServiceAccount" && o.metadata.name === (spec?.serviceAccountName ?? name),
            ) as { automountServiceAccountToken?: boolean } | undefined;
            return (spec?.automountServiceAccountToken ?? account?.automountServiceAccountToken) === false;
        };
        assert.deepStrictEqual([tokenless("grafana"), tokenless("jaeger")], [true, true]);
    });

    it("the checks name what they find", () => {
        const pod: K8sObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "x", namespace: "n" },
            spec: {
                template: {
                    spec: {
                        hostNetwork: true,
                        securityContext: { sysctls: [{ name: "kernel.msgmax" }] },
                        containers: [
                            { name: "c", securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } } },
                        ],
                    },
                },
            },
        };
        assert.deepStrictEqual(unlockedContainers([pod]), [
            "Deployment n/x c: allowPrivilegeEscalation is not false",
            "Deployment n/x c: capabilities do not drop ALL",
            "Deployment n/x c: may run as root",
        ]);
        assert.deepStrictEqual(baselineViolations([pod]), [
            "Deployment n/x: host namespaces",
            "Deployment n/x: sysctl kernel.msgmax",
            "Deployment n/x c: privileged",
            "Deployment n/x c: adds NET_ADMIN",
        ]);
    });
});
