import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseMeshSettings } from "../components/config/stack-config";
import { planSizing } from "../components/sizing/sizing";
import { Graph } from "./support/graph";
import { problemsOf } from "./support/problems";
import { chartValueProblems, crdSchemaErrors } from "./support/reference";
import { evaluateStack, readStackFile, ROOT, stackConfig } from "./support/program";
import { plan, USAGE } from "./tools/plan";
import { forgetRender } from "./support/render";
import {
    committedStacks,
    hasStackFile,
    PLANS_DIR,
    REFRESH_COMMAND,
    renderSnapshot,
    staleSnapshots,
} from "./tools/snapshot";
import { AMBIENT_STEPS, UPGRADE_STEPS } from "./support/upgrade-flow";

/** A line diff (longest common subsequence), as a reviewer's diff shows it. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
    const [a, b] = [before.split("\n"), after.split("\n")];
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
        }
    }
    const diff = { removed: [] as string[], added: [] as string[] };
    let [i, j] = [0, 0];
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            [i, j] = [i + 1, j + 1];
        } else if (j < b.length && (i === a.length || common[i][j + 1] >= common[i + 1][j])) {
            diff.added.push(b[j++]);
        } else {
            diff.removed.push(a[i++]);
        }
    }
    return diff;
}

describe("stacks", () => {
    it("commits dev, staging and prod", () => {
        assert.deepStrictEqual(
            ["dev", "prod", "staging"].filter((stack) => !committedStacks().includes(stack)),
            [],
        );
    });

    for (const stack of committedStacks()) {
        it(`${stack} deploys on a fresh cluster: every read finds its object; STRICT, with Kiali behind a login`, async () => {
            // A fresh cluster (the mock's default): what a new user's first `up` meets.
            const run = await evaluateStack(stack);
            assert.strictEqual(run.error, undefined);
            // A failed read stops the real deployment, though the program itself does not throw.
            const reads = run.registrations
                .filter((r) => r.readId !== undefined)
                .map((r) => [r.type, r.readId, r.readError ?? "found"]);
            assert.deepStrictEqual(reads, [
                ["kubernetes:core/v1:Namespace", "default", "found"],
                // The stack's own last outputs: a stack with no deployment reads none, and fails nothing.
                ["pulumi:pulumi:StackReference", stack, "found"],
            ]);
            const graph = new Graph(run.registrations);
            const [mtls] = graph.ofType("kubernetes:security.istio.io/v1:PeerAuthentication");
            assert.deepStrictEqual(mtls.inputs.spec, { mtls: { mode: "STRICT" } });
            const kiali = graph.get("kubernetes:helm.sh/v4:Chart", "kiali").inputs.values as {
                auth: { strategy: string };
            };
            assert.strictEqual(kiali.auth.strategy, "token");
        });
    }

    // What a stack file may hold besides config: the CLI's own fields.
    const STACK_FILE_FIELDS = ["config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider"];

    for (const stack of committedStacks()) {
        it(`Pulumi.${stack}.yaml holds only known fields and keys`, () => {
            const file = readStackFile(stack) as Record<string, unknown>;
            assert.deepStrictEqual(
                Object.keys(file).filter((field) => !STACK_FILE_FIELDS.includes(field)),
                [],
                `Pulumi.${stack}.yaml`,
            );
            assert.doesNotThrow(() => parseMeshSettings(stackConfig(stack)));
        });
    }

    it("a stack file's unknown key is reported by name; another namespace's key is left alone", () => {
        assert.deepStrictEqual(
            problemsOf(stackConfig("staging", { "istio-mesh:dashbaords": "none", "aws:region": "eu-west-1" })).map(
                (problem) => problem.slice(0, problem.indexOf(". ")),
            ),
            ["istio-mesh:dashbaords: unknown key, so its value would be ignored"],
        );
    });

    for (const stack of committedStacks()) {
        it(`${stack}: every chart value is one its chart reads, every Istio resource matches its CRD`, async () => {
            const { registrations } = await evaluateStack(stack);
            const problems = registrations.flatMap((r) => {
                if (r.type === "kubernetes:helm.sh/v4:Chart") {
                    return chartValueProblems(String(r.inputs.chart), String(r.inputs.version), r.inputs.values);
                }
                return /^kubernetes:[a-z]+\.istio\.io\//.test(r.type)
                    ? crdSchemaErrors(r.inputs as Parameters<typeof crdSchemaErrors>[0]).map((e) => `${r.name}: ${e}`)
                    : [];
            });
            assert.deepStrictEqual(problems, []);
        });
    }

    it("the chart check catches a value no chart reads", () => {
        assert.deepStrictEqual(chartValueProblems("gateway", "1.31.4", { service: { typo: 1 } }), [
            "istio-1.31/gateway: service.typo is not read by the chart",
        ]);
        assert.deepStrictEqual(chartValueProblems("kiali-server", "2.29.0", { deployment: { replica: 2 } }), [
            "kiali-server-2.29.0: deployment.replica is not read by the chart",
        ]);
    });

    it("sizes each environment for its cluster: dev small, staging and prod production-shaped", () => {
        const tiers = ["dev", "staging", "prod"].map((stack) => planSizing(parseMeshSettings(stackConfig(stack))).tier);
        assert.deepStrictEqual(tiers, ["small", "large", "large"]);
    });

    it("routes the dashboards with a login (Kiali, Grafana) through the ingress gateway in dev and staging, none in prod", async () => {
        const routes = async (stack: string): Promise<number> =>
            new Graph((await evaluateStack(stack)).registrations).ofType(
                "kubernetes:networking.istio.io/v1:VirtualService",
            ).length;
        assert.deepStrictEqual([await routes("dev"), await routes("staging"), await routes("prod")], [2, 2, 0]);
    });
});

describe("plan snapshots (plans/)", () => {
    it("plans/ is up to date: one current snapshot per stack file, no other", async () => {
        const stale = await staleSnapshots();
        // The message says how to refresh rather than dumping 800 lines of diff.
        assert.ok(stale.length === 0, `${stale.join("\n")}\nRefresh with \`${REFRESH_COMMAND}\` and commit plans/.`);
    });

    it("renders the same text from two evaluations and renders, with no paths and no generated values", async () => {
        const first = await renderSnapshot("dev");
        forgetRender("dev");
        const second = await renderSnapshot("dev");
        assert.strictEqual(first, second);
        assert.ok(!first.includes(ROOT), "snapshot contains an absolute path");
        // The mocks generate `generated-<name>` passwords and `token-of-<name>` tokens.
        assert.doesNotMatch(first, /generated-|token-of-|dG9rZW4tb2Yt/);
        // A whole file in an input shows as its size and digest, not 100KB of JSON.
        assert.match(first, /^ {8}istio-service-dashboard\.json: '\[115856 bytes, sha256 [0-9a-f]{12}\]'$/m);
        assert.match(first, /^ {4}reads: default$/m);
    });

    it("shows a config change as exactly the lines it changes", async () => {
        const diff = changedLines(
            await renderSnapshot("dev"),
            await renderSnapshot("dev", { "istio-mesh:tracingSampling": 25 }),
        );
        assert.deepStrictEqual(diff, {
            removed: ["  istio-mesh:tracingSampling: '100'", "            randomSamplingPercentage: 100"],
            added: ["  istio-mesh:tracingSampling: '25'", "            randomSamplingPercentage: 25"],
        });
    });

    it("shows a sizing change in the table, in the chart values and in the objects the chart renders", async () => {
        const diff = changedLines(
            await renderSnapshot("dev"),
            await renderSnapshot("dev", { "istio-mesh:resources": { kiali: { requests: { memory: "192Mi" } } } }),
        );
        // A digest line names the object that changed; its value is a hash, not a contract.
        const named = (lines: string[]): string[] => lines.map((line) => line.replace(/ [0-9a-f]{12}$/, " <digest>"));
        assert.deepStrictEqual(
            { removed: named(diff.removed), added: named(diff.added) },
            {
                removed: [
                    "# kiali                   1          20m       500m           128Mi         384Mi      128Mi",
                    "# total requested 1024Mi of the 2048Mi budget; sidecars are per pod and not counted",
                    "  istio-mesh:resources: {}",
                    "    - ConfigMap istio-system/kiali <digest>",
                    "    - Deployment istio-system/kiali <digest>",
                    "              memory: 128Mi",
                ],
                added: [
                    "# kiali                   1          20m       500m          192Mi*         384Mi      192Mi",
                    "# total requested 1088Mi of the 2048Mi budget; sidecars are per pod and not counted (* set in istio-mesh:resources or istio-mesh:replicas)",
                    "  istio-mesh:resources:",
                    "    kiali:",
                    "      requests:",
                    "        memory: 192Mi",
                    "    - ConfigMap istio-system/kiali <digest>",
                    "    - Deployment istio-system/kiali <digest>",
                    "              memory: 192Mi",
                ],
            },
        );
    });
});

describe("npm run plan", () => {
    async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
        const io = { out: [] as string[], err: [] as string[] };
        const code = await plan(args, { out: (text) => io.out.push(text), err: (text) => io.err.push(text) });
        return { code, out: io.out.join("\n"), err: io.err.join("\n") };
    }

    it("prints the dev stack's table by default, another stack's on request, Markdown with --markdown", async () => {
        const dev = await run();
        assert.deepStrictEqual(
            [dev.code, dev.out.split("\n")[0]],
            [0, "Stack dev: memory 4Gi, tier small, budget 2048Mi (50% of memory)"],
        );
        const prod = await run("prod", "--markdown");
        assert.strictEqual(prod.code, 0);
        assert.ok(prod.out.includes("| prometheus | 1 | 500m | 4000m | 6144Mi* | 12288Mi* | 6144Mi |"), prod.out);
    });

    it("reads a personal stack's file too, as the README's `npm run plan -- local` does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
            fs.writeFileSync(path.join(dir, "Pulumi.local.yaml"), "config: {}\n");
            const err: string[] = [];
            const io = { out: () => undefined, err: (line: string) => err.push(line) };
            assert.deepStrictEqual(
                ["local", "dev", "qa"].map((stack) => hasStackFile(stack, io, dir)),
                [true, true, false],
            );
            assert.deepStrictEqual(err, ["no stack file Pulumi.qa.yaml; stacks: dev"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses misuse with exit code 2 and the usage", async () => {
        for (const args of [
            ["--bogus"],
            ["--write", "--check"],
            ["--check", "dev"],
            ["--markdown", "--markdown"],
            ["dev", "prod"],
        ]) {
            const result = await run(...args);
            assert.strictEqual(result.code, 2, args.join(" "));
            assert.ok(result.err.endsWith(USAGE), result.err);
        }
        assert.deepStrictEqual(await run("nope"), {
            code: 2,
            out: "",
            err: "no stack file Pulumi.nope.yaml; stacks: dev, prod, staging",
        });
    });

    it("--check passes on the committed plans/", async () => {
        assert.deepStrictEqual(await run("--check"), {
            code: 0,
            out: "plans/ is up to date for dev, prod, staging",
            err: "",
        });
    });

    it("--write rewrites the same bytes and removes only snapshots of stacks that are gone (in a copy of plans/)", async () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "plans-"));
        try {
            fs.cpSync(PLANS_DIR, copy, { recursive: true });
            fs.writeFileSync(path.join(copy, "gone.yaml"), "stack: gone\n");
            fs.writeFileSync(path.join(copy, "NOTES.md"), "kept\n");
            fs.writeFileSync(path.join(copy, "upgrade", "0-gone.yaml"), "step: gone\n");
            const written = [
                "dev.yaml",
                "prod.yaml",
                "staging.yaml",
                ...UPGRADE_STEPS.map((step) => `upgrade/${step.id}.yaml`),
                ...AMBIENT_STEPS.map((step) => `ambient/${step.id}.yaml`),
            ];
            const io = { out: [] as string[], err: [] as string[] };
            const code = await plan(
                ["--write"],
                { out: (text) => io.out.push(text), err: (text) => io.err.push(text) },
                copy,
            );
            assert.deepStrictEqual(
                { code, out: io.out, err: io.err },
                { code: 0, out: written.map((file) => `wrote ${path.join(copy, file)}`), err: [] },
            );
            const files = (dir: string): string[] =>
                fs
                    .readdirSync(dir, { recursive: true, encoding: "utf8" })
                    .filter((f) => f.endsWith(".yaml"))
                    .sort();
            assert.deepStrictEqual(files(copy), files(PLANS_DIR));
            for (const file of files(PLANS_DIR)) {
                assert.strictEqual(
                    fs.readFileSync(path.join(copy, file), "utf8"),
                    fs.readFileSync(path.join(PLANS_DIR, file), "utf8"),
                    file,
                );
            }
            assert.ok(fs.existsSync(path.join(copy, "NOTES.md")), "a file that is no snapshot is left alone");
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });
});
