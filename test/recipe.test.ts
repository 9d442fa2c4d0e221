// docs/ci.md's "Adding an environment" recipe, run as far as it runs without a CLI: its
// `config set` lines applied as the CLI applies them, then the checks its plan step runs.
// The recipe used to stop there (a host without TLS; no cluster named).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MeshConfigError } from "../components/config/config-reader";
import { stackMesh } from "../components/config/stack-config";
import { projectDefaults, ROOT } from "./support/program";

/** The recipe's shell lines, from the code block under "## Adding an environment". */
function recipe(): string[] {
    const text = fs.readFileSync(path.join(ROOT, "docs", "ci.md"), "utf8");
    const section = text.slice(text.indexOf("## Adding an environment"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    return block
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter(Boolean);
}

/** `config set [--path] KEY VALUE --stack qa` lines applied to a stack's config, as the CLI stores them. */
function applyConfigSets(lines: readonly string[]): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const line of lines) {
        const match = /^npm run pulumi -- config set (--path )?'?([^' ]+)'? (\S+) --stack qa$/.exec(line);
        if (match === null) continue;
        const [, byPath, target, value] = match;
        if (byPath === undefined) {
            config[target] = value;
            continue;
        }
        const [key, ...steps] = target.split(/\.|(?=\[)/);
        let node = config as Record<string, unknown>;
        let at: string | number = key;
        for (const step of steps) {
            const index = /^\[(\d+)\]$/.exec(step);
            const next: string | number = index === null ? step : Number(index[1]);
            node[at] ??= typeof next === "number" ? [] : {};
            node = node[at] as Record<string, unknown>;
            at = next;
        }
        node[at] = value;
    }
    return config;
}

/** The stack's config as the program gets it: Pulumi.yaml's defaults under the keys set. */
function wire(config: Record<string, unknown>): Record<string, string> {
    const entries = Object.entries(config).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
    ]);
    return { ...projectDefaults(), ...Object.fromEntries(entries) };
}

describe("docs/ci.md, adding an environment", () => {
    const lines = recipe();

    it("creates the stack with its own passphrase, names its cluster, checks it with the plan, and previews it", () => {
        assert.ok(lines.includes("npm run pulumi -- stack init qa --secrets-provider passphrase"), lines.join("\n"));
        assert.ok(lines.includes("npm run plan -- qa && npm run plan -- --write"));
        assert.strictEqual(lines[lines.length - 1], "STACK=qa npm run preview");
        assert.deepStrictEqual(applyConfigSets(lines), {
            "kubernetes:context": "istio-mesh-qa",
            "istio-mesh:memory": "8Gi",
            "istio-mesh:dashboards": "ingress",
            "istio-mesh:dashboardHost": "mesh.qa.example.com",
            "istio-mesh:dashboardTlsSecret": "mesh-qa-tls",
            "istio-mesh:injectionNamespaces": ["shop"],
            "istio-mesh:resources": { prometheus: { requests: { memory: "1Gi" } } },
        });
    });

    it("passes its plan step: every check the program runs on stack qa", () => {
        assert.doesNotThrow(() => stackMesh(wire(applyConfigSets(lines)), undefined, "qa"));
    });

    it("stopped there without the TLS Secret, or without its cluster (the check can fail)", () => {
        const problems = (without: string): readonly string[] => {
            try {
                stackMesh(wire(applyConfigSets(lines.filter((line) => !line.includes(without)))), undefined, "qa");
                return [];
            } catch (error) {
                return (error as MeshConfigError).problems;
            }
        };
        assert.deepStrictEqual(problems("dashboardTlsSecret"), [
            "istio-mesh:dashboardHost: \"mesh.qa.example.com\" is served over plain HTTP, so Kiali's token and Grafana's password would cross the network readable; name a kubernetes.io/tls Secret of the ingress gateway's namespace (istio-mesh:ingressNamespace) in istio-mesh:dashboardTlsSecret (e.g. one cert-manager fills), or set istio-mesh:dashboardPlainHttp: true to accept plain HTTP",
        ]);
        assert.match(problems("kubernetes:context")[0] ?? "", /^kubernetes:context: stack qa names no cluster/);
    });
});
