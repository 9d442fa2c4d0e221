import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ambientPolicyAudit, podsWithoutSidecar } from "../components/values/ambient-notes";

/**
 * The commands the ambient notes hand the operator, run here with the real jq over what
 * kubectl would print: each lists exactly what the step risks, and nothing else.
 */

/** The jq program of a `kubectl ... -o json | jq -r '<program>'` command. */
function jqProgram(command: string): string {
    const match = /\| jq -r '(.*)'$/.exec(command);
    assert.ok(match, command);
    return match[1];
}

function jq(command: string, input: unknown): string[] {
    return execFileSync("jq", ["-r", jqProgram(command)], { input: JSON.stringify(input), encoding: "utf8" })
        .split("\n")
        .filter((line) => line !== "");
}

const policy = (namespace: string, name: string, spec: Record<string, unknown>) => ({
    metadata: { namespace, name },
    spec,
});

describe("ambient notes: the commands they give", () => {
    it("lists the policies a namespace's move to ambient stops enforcing as written, in it and mesh-wide", () => {
        const items = [
            policy("shop", "ext-authz", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] }),
            policy("shop", "audit", { action: "AUDIT", rules: [{}] }),
            policy("shop", "by-path", { rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] }),
            policy("shop", "deny-method", {
                action: "DENY",
                rules: [{ to: [{ operation: { notMethods: ["GET"] } }] }],
            }),
            policy("shop", "by-jwt", { rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] }),
            policy("shop", "by-header", { rules: [{ when: [{ key: "request.headers[x-user]", values: ["a"] }] }] }),
            policy("shop", "by-sni", {
                action: "DENY",
                rules: [{ when: [{ key: "connection.sni", values: ["a.b"] }] }],
            }),
            policy("shop", "by-remote-ip", { rules: [{ when: [{ key: "remote.ip", values: ["10.0.0.1"] }] }] }),
            policy("istio-system", "mesh-ext-authz", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] }),
            // What ztunnel enforces as written, or what a waypoint enforces: not listed.
            policy("shop", "by-identity", {
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/a/sa/b"] } }] }],
            }),
            policy("shop", "by-port", { action: "DENY", rules: [{ to: [{ operation: { ports: ["9000"] } }] }] }),
            policy("shop", "by-l4-conditions", {
                rules: [
                    {
                        when: [
                            { key: "source.ip", values: ["10.0.0.0/8"] },
                            { key: "source.namespace", values: ["a"] },
                            { key: "source.principal", values: ["cluster.local/ns/a/sa/b"] },
                            { key: "destination.ip", values: ["10.0.0.1"] },
                            { key: "destination.port", values: ["80"] },
                        ],
                    },
                ],
            }),
            policy("shop", "waypoint", { targetRefs: [{ kind: "Gateway", name: "waypoint" }], action: "CUSTOM" }),
            policy("other", "elsewhere", { action: "CUSTOM", rules: [{}] }),
        ];
        assert.deepStrictEqual(jq(ambientPolicyAudit("shop"), { items }), [
            "shop/ext-authz CUSTOM",
            "shop/audit AUDIT",
            "shop/by-path ALLOW",
            "shop/deny-method DENY",
            "shop/by-jwt ALLOW",
            "shop/by-header ALLOW",
            "shop/by-sni DENY",
            "shop/by-remote-ip ALLOW",
            "istio-system/mesh-ext-authz CUSTOM",
        ]);
    });

    it("docs/ambient.md shows the very command the move step gives", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "ambient.md"), "utf8");
        assert.ok(doc.includes(`\n${ambientPolicyAudit("shop")}\n`));
    });

    it("lists the pods that still run without a sidecar, classic or native", () => {
        const pod = (name: string, containers: string[], initContainers: string[] = [], more: object = {}) => ({
            metadata: { name },
            spec: {
                containers: containers.map((c) => ({ name: c })),
                ...(initContainers.length > 0 && { initContainers: initContainers.map((c) => ({ name: c })) }),
            },
            status: { phase: "Running" },
            ...more,
        });
        const optedOut = { labels: { "sidecar.istio.io/inject": "false" } };
        const items = [
            pod("old", ["app"]),
            pod("classic", ["app", "istio-proxy"]),
            pod("native", ["app"], ["istio-init", "istio-proxy"]),
            pod("init-only", ["app"], ["migrate"]),
            pod("opted-out", ["app"], [], { metadata: { name: "opted-out", ...optedOut } }),
            pod("opted-out-by-annotation", ["app"], [], {
                metadata: { name: "opted-out-by-annotation", annotations: { "sidecar.istio.io/inject": "false" } },
            }),
            pod("opted-in", ["app"], [], {
                metadata: { name: "opted-in", labels: { "sidecar.istio.io/inject": "true" } },
            }),
            pod("job-done", ["app"], [], { status: { phase: "Succeeded" } }),
            pod("job-failed", ["app"], [], { status: { phase: "Failed" } }),
            pod("pending", ["app"], [], { status: { phase: "Pending" } }),
        ];
        assert.deepStrictEqual(jq(podsWithoutSidecar("shop"), { items }), ["old", "init-only", "opted-in", "pending"]);
    });
});
