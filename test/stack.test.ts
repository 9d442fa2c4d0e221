// `npm run up` and `npm run preview` (test/tools/stack.ts): the personal stack made from dev's
// settings, committed stacks only with their salt, the preflight before Pulumi, and the CLI
// run with the stack. Stand-ins: a project folder, fake `pulumi` and `kubectl` on a PATH.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { MeshConfigError } from "../components/config/config-reader";
import { ROOT, runProgram, projectDefaults } from "./support/program";
import { personalStackFile, splitOptions, stackCommand, stackFileProblem } from "./tools/stack";

const DEV = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");

/** Wire-form config of a stack file's text over Pulumi.yaml's defaults, as the CLI gives it. */
function configOf(text: string): Record<string, string> {
    const config = projectDefaults();
    for (const [key, value] of Object.entries((yaml.load(text) as { config: Record<string, unknown> }).config)) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

describe("npm run up and npm run preview", () => {
    describe("the personal stack", () => {
        it("is dev's settings, comments and all, without dev's cluster and salt, under a header", () => {
            const dev = [
                "# dev's header",
                "encryptionsalt: v1:abc",
                "config:",
                "  # The dev cluster: ...",
                "  # ... (docs/ci.md).",
                "  kubernetes:context: istio-mesh-dev",
                "  # Pinned.",
                "  istio-mesh:istioVersion: 1.31.4",
                "  istio-mesh:memory: 4Gi",
                "",
            ].join("\n");
            assert.strictEqual(
                personalStackFile("local", dev, { "istio-mesh:sample": true }),
                [
                    "# Your personal stack local, made by `npm run up` from Pulumi.dev.yaml's settings; git ignores",
                    "# this file. It deploys to your current kubectl context (docs/getting-started.md). Change it",
                    "# with `npm run pulumi -- config set <key> <value> --stack local`; delete it to start again",
                    "# from dev's settings.",
                    "config:",
                    "  # Pinned.",
                    "  istio-mesh:istioVersion: 1.31.4",
                    "  istio-mesh:memory: 4Gi",
                    "  istio-mesh:sample: true",
                    "",
                ].join("\n"),
            );
        });

        it("made from the committed dev stack, is what the program deploys to the current context", async () => {
            const text = personalStackFile("local", DEV);
            // dev's settings, the sample application on, and no cluster: the current context's.
            const expected: Record<string, string> = { ...configOf(DEV), "istio-mesh:sampleApp": "true" };
            delete expected["kubernetes:context"];
            assert.deepStrictEqual(configOf(text), expected);
            assert.doesNotMatch(text, /kubernetes:|The dev cluster|encryptionsalt/);
            const run = await runProgram(configOf(text), "local");
            assert.strictEqual(run.error, undefined);
            // The same stack file under a committed stack's name is refused: it names no cluster.
            const refused = await runProgram(configOf(text), "qa");
            assert.ok(refused.error instanceof MeshConfigError);
        });
    });

    it("runs a committed stack only from a file with its salt, saying what to do otherwise", () => {
        assert.strictEqual(
            stackFileProblem("qa", undefined),
            "no stack file Pulumi.qa.yaml: create the environment as docs/ci.md#adding-an-environment says, or run your personal stack with `npm run up` (STACK=local)",
        );
        assert.strictEqual(
            stackFileProblem("prod", "config:\n  kubernetes:context: istio-mesh-prod\n"),
            "Pulumi.prod.yaml has no encryptionsalt, so creating the stack would write one into this committed file, made from your passphrase rather than the one CI holds for prod. Try the mesh in your personal stack instead (`npm run up`), or, holding prod's own passphrase (docs/ci.md#secrets), create the stack once with `PULUMI_CONFIG_PASSPHRASE=<prod's> npm run pulumi -- stack init prod --secrets-provider passphrase` and commit the salt it writes (docs/getting-started.md#a-clean-repository)",
        );
        assert.strictEqual(stackFileProblem("prod", "encryptionsalt: v1:c2FsdA==:v1:abc:def\nconfig: {}\n"), undefined);
    });

    it("takes --skip-preflight for itself and passes the rest to Pulumi", () => {
        assert.deepStrictEqual(splitOptions(["--yes", "--skip-preflight", "--diff"]), {
            skipPreflight: true,
            pulumiArgs: ["--yes", "--diff"],
        });
        assert.deepStrictEqual(splitOptions([]), { skipPreflight: false, pulumiArgs: [] });
    });

    describe("end to end, in a project folder of its own", () => {
        let dir: string;
        let calls: string;
        let out: string[];
        let err: string[];
        const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };

        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-command-"));
            for (const file of ["package.json", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
                fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
            }
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            calls = path.join(dir, "calls");
            // A CLI that records each call, and a kubectl whose cluster has 4Gi on its one node
            // and a fresh cluster's namespaces.
            fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$* | $PULUMI_BACKEND_URL" >> "${calls}"\n`, {
                mode: 0o755,
            });
            fs.writeFileSync(
                path.join(bin, "kubectl"),
                `#!/bin/sh\ncase "$*" in\n*" get namespaces "*) echo '{"items":[{"metadata":{"name":"default"}}]}' ;;\n*) echo '{"items":[{"status":{"allocatable":{"memory":"4Gi"}}}]}' ;;\nesac\n`,
                { mode: 0o755 },
            );
            fs.writeFileSync(
                path.join(dir, "kubeconfig"),
                yaml.dump({
                    "current-context": "minikube",
                    contexts: [{ name: "minikube", context: { cluster: "minikube", user: "minikube" } }],
                    clusters: [{ name: "minikube", cluster: { server: "https://192.168.49.2:8443" } }],
                }),
            );
            out = [];
            err = [];
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        const env = (extra: Record<string, string> = {}) => ({
            PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
            HOME: dir,
            KUBECONFIG: path.join(dir, "kubeconfig"),
            ...extra,
        });
        const called = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "");

        it("makes the personal stack's file, checks the cluster, selects the stack and runs up on it", async () => {
            assert.strictEqual(await stackCommand("up", ["--yes"], io, env(), dir), 0);
            assert.strictEqual(
                fs.readFileSync(path.join(dir, "Pulumi.local.yaml"), "utf8"),
                personalStackFile("local", DEV),
            );
            assert.strictEqual(called(), "stack select --create local | file://~\nup --stack local --yes | file://~\n");
            assert.deepStrictEqual(out, [
                "Made your personal stack's file Pulumi.local.yaml from dev's settings (git ignores it).",
                "preflight: stack local deploys to the context minikube (the current one)",
                `Using the Pulumi CLI on your PATH, ${path.join(dir, "bin", "pulumi")}.`,
            ]);
            assert.deepStrictEqual(err, []);
            // A second run keeps the file the first made, and what you changed in it.
            fs.appendFileSync(path.join(dir, "Pulumi.local.yaml"), "  istio-mesh:memoryBudgetPercent: '60'\n");
            assert.strictEqual(await stackCommand("preview", [], io, env(), dir), 0);
            assert.match(fs.readFileSync(path.join(dir, "Pulumi.local.yaml"), "utf8"), /memoryBudgetPercent: '60'\n$/);
            assert.match(called(), /preview --stack local \| file:\/\/~\n$/);
        });

        it("starts no Pulumi when the preflight finds something missing, and says how to skip it", async () => {
            assert.strictEqual(
                await stackCommand("up", [], io, env({ STACK: "local-ana", KUBECONFIG: "/nowhere" }), dir),
                1,
            );
            assert.strictEqual(called(), "");
            assert.deepStrictEqual(err, [
                "preflight: no kubeconfig: /nowhere does not exist; start a cluster (`minikube start --memory 4g` writes ~/.kube/config) or point KUBECONFIG at one",
                "preflight: 1 thing is missing, so Pulumi was not started (`npm run up -- --skip-preflight` runs it anyway)",
            ]);
            assert.strictEqual(
                await stackCommand(
                    "up",
                    ["--skip-preflight"],
                    io,
                    env({ STACK: "local-ana", KUBECONFIG: "/nowhere" }),
                    dir,
                ),
                0,
            );
            assert.strictEqual(
                called(),
                "stack select --create local-ana | file://~\nup --stack local-ana | file://~\n",
            );
        });

        it("runs no committed stack without its salt, and writes no committed file", async () => {
            const before = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
            assert.strictEqual(await stackCommand("up", [], io, env({ STACK: "prod" }), dir), 1);
            assert.deepStrictEqual(
                [called(), err.length, fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8")],
                ["", 1, before],
            );
            assert.match(err[0], /^Pulumi\.prod\.yaml has no encryptionsalt/);
            // With its salt, it runs on the cluster it names, which this kubeconfig does not have.
            fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), `encryptionsalt: v1:c2FsdA==:v1:abc:def\n${before}`);
            err = [];
            assert.strictEqual(await stackCommand("preview", [], io, env({ STACK: "prod" }), dir), 1);
            assert.match(
                err[0],
                /^preflight: kubernetes:context: stack prod deploys to the context istio-mesh-prod, which .*kubeconfig does not have \(its contexts: minikube\)/,
            );
        });
    });

    it("are the scripts package.json runs", () => {
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
        ).scripts;
        assert.deepStrictEqual(
            [scripts.up, scripts.preview, scripts.pulumi],
            [
                "ts-node --transpile-only test/tools/stack.ts up",
                "ts-node --transpile-only test/tools/stack.ts preview",
                "ts-node --transpile-only test/tools/pulumi-cli.ts",
            ],
        );
    });
});
