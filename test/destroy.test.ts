import * as assert from "assert";
import { parseMeshSettings } from "../components/config/stack-config";
import { Graph } from "./support/graph";
import { stackConfig } from "./support/program";
import { renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * What `pulumi destroy` leaves: whatever holds data nobody can recreate. The engine keeps a
 * resource registered with `retainOnDelete`; Chart v4 gives that option to every object
 * annotated `helm.sh/resource-policy: keep` (the Istio CRDs).
 */

const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

describe("what pulumi destroy keeps", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: istio-system (istiod's root CA), the gateways' namespaces (the TLS Secret) and, with storage, Prometheus's data`, async () => {
            const { run } = await renderStack(stack);
            const kept = run.registrations.filter((r) => r.retainOnDelete).map((r) => `${r.type}::${r.name}`);
            const storage = parseMeshSettings(stackConfig(stack)).prometheusStorage !== undefined;
            assert.deepStrictEqual(kept, [
                ...(storage ? [`${PVC}::mesh-prometheus-data`] : []),
                "kubernetes:core/v1:Namespace::mesh-istio-egress",
                "kubernetes:core/v1:Namespace::mesh-istio-ingress",
                "kubernetes:core/v1:Namespace::mesh-istio-system",
            ]);
        });
    }

    it("keeps every Istio CRD: each carries helm.sh/resource-policy: keep", async () => {
        const { releases } = await renderStack("dev");
        const crds = releases.flatMap((release) =>
            release.objects.filter((object) => object.kind === "CustomResourceDefinition"),
        );
        assert.ok(crds.length >= 14, `only ${crds.length} CRDs`);
        assert.deepStrictEqual(
            crds
                .filter((crd) => crd.metadata.annotations?.["helm.sh/resource-policy"] !== "keep")
                .map((crd) => crd.metadata.name),
            [],
        );
    });

    it("Prometheus's data claim: owned by the program, adopted after a destroy, the same resource the chart made", async () => {
        const { run, releases } = await renderStack("staging");
        const graph = new Graph(run.registrations);
        const claim = graph.get(PVC, "prometheus-data");
        assert.deepStrictEqual(claim.inputs.metadata, {
            name: "prometheus",
            namespace: "istio-system",
            labels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server" },
            annotations: { "pulumi.com/skipAwait": "true" },
        });
        assert.deepStrictEqual(claim.inputs.spec, {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "20Gi" } },
        });
        // The next `up` after a destroy finds the claim: the adopting provider takes it over.
        const [adopter] = graph.ofType("pulumi:providers:kubernetes");
        assert.strictEqual(claim.provider, `${adopter.urn}::${adopter.name}-id`);
        // A stack whose chart made the claim moves it, not deletes it: Chart v4's child, under
        // the chart of the root-level component the program had then.
        const chart = graph.get("kubernetes:helm.sh/v4:Chart", "prometheus");
        assert.deepStrictEqual(claim.aliases, [
            {
                urn: "urn:pulumi:staging::istio-mesh::istio-mesh:addons:Prometheus$kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:PersistentVolumeClaim::prometheus:istio-system/prometheus",
            },
        ]);
        assert.ok(chart.dependencies.includes(claim.urn), "the chart's Deployment would start before its volume");
        // The chart renders no claim of its own and mounts this one.
        const prometheus = releases.find((release) => release.release === "prometheus");
        assert.ok(prometheus !== undefined);
        assert.deepStrictEqual(
            prometheus.objects.filter((object) => object.kind === "PersistentVolumeClaim").map((o) => o.metadata.name),
            [],
        );
        const deployment = prometheus.objects.find((object) => object.kind === "Deployment") as unknown as {
            spec: {
                template: { spec: { volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] } };
            };
        };
        assert.deepStrictEqual(
            deployment.spec.template.spec.volumes.filter((volume) => volume.persistentVolumeClaim !== undefined),
            [{ name: "storage-volume", persistentVolumeClaim: { claimName: "prometheus" } }],
        );
    });
});
