import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ROOT } from "../support/program";
import { KubeObject, Refusal } from "./client";
import { ControlPlane } from "./control-plane";
import { sharedFields } from "./field-owners";
import { startControlPlane } from "./hooks";
import { gatewayApiObjects } from "../../components/mesh/gateway-api-crds";
import { waypointGateway } from "../../components/values/ambient-values";

/** The suite's own field manager, for objects that no Pulumi resource stands for. */
const SUITE = { fieldManager: "apiserver-suite", force: false };

function istioCrds(): KubeObject[] {
    const file = path.join(ROOT, "test/reference/istio-1.31/crd-all.gen.yaml");
    return (yaml.loadAll(fs.readFileSync(file, "utf8")) as (KubeObject | null)[]).filter(
        (object): object is KubeObject => object?.kind === "CustomResourceDefinition",
    );
}

function peerAuthentication(name: string, spec: Record<string, unknown>): KubeObject {
    return {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name, namespace: "smoke" },
        spec,
    };
}

describe("apiserver smoke: a real kube-apiserver on etcd, on loopback", () => {
    let plane: ControlPlane;
    before(async () => {
        plane = await startControlPlane();
    });
    after(async () => {
        await plane?.stop();
    });

    it("reports v1.36.3, the version the wrapper module pins", async () => {
        const reply = await plane.client.raw("GET", "/version");
        assert.strictEqual((JSON.parse(reply.body) as { gitVersion: string }).gitVersion, "v1.36.3");
    });

    it("applies a Namespace and Istio's 15 CRDs, each Established", async () => {
        await plane.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "smoke" } }, SUITE);
        const crds = istioCrds();
        assert.strictEqual(crds.length, 15);
        for (const crd of crds) await plane.client.apply(crd, SUITE);
        for (const crd of crds) await plane.client.waitEstablished(crd.metadata.name);
        plane.client.forgetDiscovery();
        assert.deepStrictEqual(await plane.client.resourceFor("security.istio.io/v1", "PeerAuthentication"), {
            plural: "peerauthentications",
            namespaced: true,
        });
    });

    it("accepts a PeerAuthentication, and a second identical apply leaves its resourceVersion", async () => {
        const strict = peerAuthentication("default", { mtls: { mode: "STRICT" } });
        const first = await plane.client.apply(strict, SUITE);
        const second = await plane.client.apply(strict, SUITE);
        assert.ok(first.metadata.resourceVersion);
        assert.strictEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);
    });

    it("refuses a PeerAuthentication that a CEL rule of Istio's CRD refuses, with the server's message", async () => {
        // portLevelMtls applies to the ports of selected workloads: the CRD requires a selector.
        const invalid = peerAuthentication("ports-without-selector", {
            portLevelMtls: { "8080": { mode: "DISABLE" } },
        });
        await assert.rejects(plane.client.apply(invalid, SUITE), (error: unknown) => {
            assert.ok(error instanceof Refusal, String(error));
            assert.strictEqual(error.object, "PeerAuthentication smoke/ports-without-selector");
            assert.strictEqual(error.reason, "Invalid");
            assert.deepStrictEqual(error.causes, ["spec: Invalid value: portLevelMtls requires selector"]);
            return true;
        });
    });

    it("writes a PersistentVolumeClaim on every apply, even an unchanged one (why the stack checks let a claim's resourceVersion move)", async () => {
        const claim: KubeObject = {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "data", namespace: "smoke" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        };
        const first = await plane.client.apply(claim, SUITE);
        const second = await plane.client.apply(claim, SUITE);
        assert.notStrictEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);
    });

    it("writes a Gateway API Gateway on every apply, even an unchanged one, but not a kind without status (why the step checks let a waypoint's resourceVersion move)", async () => {
        for (const crd of gatewayApiObjects().filter((o) => o.kind === "CustomResourceDefinition")) {
            await plane.client.apply(crd as unknown as KubeObject, SUITE);
            await plane.client.waitEstablished(crd.metadata.name);
        }
        const gateway = waypointGateway("smoke") as unknown as KubeObject;
        const first = await plane.client.apply(gateway, SUITE);
        const second = await plane.client.apply(gateway, SUITE);
        assert.notStrictEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);
        const grant: KubeObject = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "ReferenceGrant",
            metadata: { name: "grant", namespace: "smoke" },
            spec: {
                from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "other" }],
                to: [{ group: "", kind: "Service" }],
            },
        };
        const once = await plane.client.apply(grant, SUITE);
        const twice = await plane.client.apply(grant, SUITE);
        assert.strictEqual(twice.metadata.resourceVersion, once.metadata.resourceVersion);
    });

    it("names a field that two appliers own, with both managers", async () => {
        const settings = (value: string): KubeObject => ({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "settings", namespace: "smoke" },
            data: { mode: value },
        });
        await plane.client.apply(settings("a"), { fieldManager: "first", force: false });
        const live = await plane.client.apply(settings("a"), { fieldManager: "second", force: false });
        assert.deepStrictEqual(sharedFields(live.metadata.managedFields ?? []), ["f:data.f:mode: first, second"]);
        // The first to change it alone meets the other: a conflict, unless forced.
        await assert.rejects(plane.client.apply(settings("b"), { fieldManager: "first", force: false }), /Conflict/);
    });
});
