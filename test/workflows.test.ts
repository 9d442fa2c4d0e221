// The GitHub Actions workflows: schema-valid, exactly four, every action pinned to an exact
// release, each doing what docs/ci.md says. The secrets checks are run with bash to prove
// that a preview skips (never fails) and a deploy fails by name when a secret is missing.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { validateWorkflow } from "@action-validator/core";
import { readStackFile } from "./support/program";
import { committedStacks } from "./tools/snapshot";

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    needs?: string;
    environment?: string;
    concurrency?: unknown;
    env?: Record<string, string>;
    strategy?: { matrix: unknown };
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    concurrency?: unknown;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

const root = path.resolve(__dirname, "..");
const dir = path.join(root, ".github", "workflows");
const files = ["ci.yml", "deploy.yml", "integration.yml", "preview.yml"];
const ready = "steps.secrets.outputs.ready == 'true'";
const source = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const load = (file: string) => yaml.load(source(file)) as Workflow;
// The stacks CI previews and deploys, in deploy order; a test ties them to the stack files.
const stacks = (load("preview.yml").jobs.preview.strategy?.matrix as { stack: string[] }).stack;
const kubeconfigSecret = (stack: string) => `KUBECONFIG_${stack.toUpperCase().replace(/[.-]/g, "_")}`;
// The read-only kubeconfig a preview gets (docs/preview-reader.yaml).
const previewKubeconfigSecret = (stack: string) => `${kubeconfigSecret(stack)}_PREVIEW`;
// The context a stack file names (kubernetes:context), which its CI kubeconfigs must have.
const stackContext = (stack: string) => String(readStackFile(stack).config?.["kubernetes:context"]);
// A kubeconfig as a secret holds it, with these contexts (credentials play no part here).
const kubeconfigWith = (...contexts: string[]) =>
    yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        "current-context": contexts[0],
        contexts: contexts.map((name) => ({ name, context: { cluster: "c", user: "u" } })),
    });
/**
 * The PULUMI_CONFIG_PASSPHRASE a $GITHUB_ENV file sets, read as the runner does: `NAME=value`
 * lines and `NAME<<DELIMITER` blocks; every other variable it would set is refused.
 */
function passphraseIn(githubEnv: string): string | undefined {
    const lines = githubEnv.split("\n");
    let value: string | undefined;
    for (let i = 0; i < lines.length; i++) {
        const block = /^([A-Z_]+)<<(.+)$/.exec(lines[i]);
        const [name, text] = block
            ? [block[1], lines.slice(i + 1, (i = lines.indexOf(block[2], i + 1))).join("\n")]
            : [lines[i].slice(0, lines[i].indexOf("=")), lines[i].slice(lines[i].indexOf("=") + 1)];
        if (name === "PULUMI_CONFIG_PASSPHRASE") value = text;
        else if (name !== "" && name !== "KUBECONFIG") throw new Error(`$GITHUB_ENV sets ${name}`);
    }
    return value;
}
// Each stack's own passphrase; a protected stack's lives in its environment only.
const passphraseSecret = (stack: string) => `PULUMI_CONFIG_PASSPHRASE_${stack.toUpperCase().replace(/[.-]/g, "_")}`;
const runs = (steps: Step[]) => steps.flatMap((s) => (s.run === undefined ? [] : [s.run.trim()]));
const names = (steps: Step[]) => steps.map((s) => s.name);
const action = (step: Step) => (step.uses ?? "").split("@")[0];
const lines = (step: Step) => (step.run ?? "").split("\n").map((l) => l.trim());

function named(steps: Step[], name: string): Step {
    const step = steps.find((s) => s.name === name);
    assert.ok(step, `no step named "${name}" in ${JSON.stringify(names(steps))}`);
    return step;
}

// Every `uses:` anywhere in a parsed workflow.
function uses(node: unknown): string[] {
    if (Array.isArray(node)) return node.flatMap(uses);
    if (node === null || typeof node !== "object") return [];
    return Object.entries(node).flatMap(([k, v]) => (k === "uses" && typeof v === "string" ? [v] : uses(v)));
}

// Runs a step's script as the runner does (bash -e), with files for GITHUB_OUTPUT and GITHUB_ENV.
function runStep(step: Step, env: Record<string, string>) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
    const [output, githubEnv, kubeconfig] = ["output", "env", "kubeconfig"].map((f) => path.join(tmp, f));
    [output, githubEnv].forEach((f) => fs.writeFileSync(f, ""));
    const r = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", step.run ?? "exit 99"], {
        cwd: root,
        encoding: "utf8",
        env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            RUNNER_TEMP: tmp,
            GITHUB_OUTPUT: output,
            GITHUB_ENV: githubEnv,
            ...env,
        },
    });
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
    const result = {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        output: read(output),
        githubEnv: read(githubEnv),
        kubeconfig: read(kubeconfig),
        tmp,
    };
    fs.rmSync(tmp, { recursive: true, force: true });
    return result;
}

describe("GitHub Actions workflows", () => {
    it("are exactly ci, deploy, integration and preview", () => {
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), files);
    });

    for (const file of files) {
        it(`${file} passes action-validator's workflow schema`, () => {
            const { errors } = validateWorkflow(source(file));
            assert.deepStrictEqual(errors, [], `${file}:\n${JSON.stringify(errors, null, 2)}`);
        });
    }

    it("action-validator rejects a misspelt key (it can fail)", () => {
        const { errors } = validateWorkflow(
            "on: push\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo\n",
        );
        assert.ok(
            JSON.stringify(errors).includes("Additional property 'runs-onn' is not allowed"),
            JSON.stringify(errors),
        );
    });

    it("pin every action by commit SHA with its release in a comment, one per action, and the CLI to package.json's", () => {
        // A tag can be moved to other code; a commit cannot. The comment is what Renovate
        // (helpers:pinGitHubActionDigests) and a reviewer read.
        const refs = new Map<string, Set<string>>();
        for (const file of files) {
            const lines = source(file)
                .split("\n")
                .filter((line) => /^\s*(- )?uses:/.test(line));
            // Every action the parsed workflow runs (an anchor's steps count once) is on a line checked here.
            assert.deepStrictEqual(
                [...new Set(lines.map((line) => line.replace(/^.*uses: (\S+).*$/, "$1")))].sort(),
                [...new Set(uses(load(file)))].sort(),
                `${file}: a uses: the line check missed`,
            );
            for (const line of lines) {
                const match = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
                assert.ok(match, `${file}: ${line.trim()} is not pinned by SHA with its release`);
                refs.set(match[1], (refs.get(match[1]) ?? new Set()).add(`${match[2]} ${match[3]}`));
            }
        }
        assert.deepStrictEqual([...refs.keys()].sort(), [
            "actions/checkout",
            "actions/setup-node",
            "helm/kind-action",
            "pulumi/actions",
        ]);
        for (const [name, versions] of refs)
            assert.strictEqual(versions.size, 1, `${name} at ${[...versions].join(", ")}`);
        const cli = (
            JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
                devDependencies: Record<string, string>;
            }
        ).devDependencies.pulumi;
        const pulumiSteps = files
            .flatMap((f) => Object.values(load(f).jobs).flatMap((j) => j.steps))
            .filter((s) => action(s) === "pulumi/actions");
        assert.strictEqual(
            pulumiSteps.length,
            2 + 2 * stacks.length + 1,
            "the PR previews (a person's, a bot's), a preview and an up per deployed stack, the integration run",
        );
        for (const s of pulumiSteps) assert.strictEqual(s.with?.["pulumi-version"], cli, s.name);
    });

    it("ask for minimal permissions", () => {
        for (const file of files) {
            const expected =
                file === "preview.yml" ? { contents: "read", "pull-requests": "write" } : { contents: "read" };
            assert.deepStrictEqual(load(file).permissions, expected, file);
            for (const [name, job] of Object.entries(load(file).jobs))
                assert.ok(!("permissions" in job), `${file}: ${name}`);
        }
    });

    it("ci: every push and pull request runs npm ci, npm test and the plan snapshot check", () => {
        const wf = load("ci.yml");
        assert.deepStrictEqual(wf.on, { push: null, pull_request: null });
        const steps = wf.jobs.test.steps;
        assert.deepStrictEqual(runs(steps).slice(0, 3), ["npm ci", "npm test", "npm run plan -- --check"]);
        const summary = named(steps, "Sizing of each stack, in the job summary");
        assert.ok(lines(summary).includes('npm run -s plan -- "${stack%.yaml}" --markdown >> "$GITHUB_STEP_SUMMARY"'));
        // Only committed stack files: a personal one in a developer's folder is git-ignored.
        assert.ok(lines(summary).includes("for file in $(git ls-files 'Pulumi.*.yaml'); do"));
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "summary-"));
        const result = spawnSync("bash", ["-e", "-c", summary.run ?? "exit 99"], {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md") },
        });
        assert.strictEqual(result.status, 0, result.stderr);
        const written = fs.readFileSync(path.join(tmp, "summary.md"), "utf8");
        fs.rmSync(tmp, { recursive: true, force: true });
        assert.deepStrictEqual(
            written.match(/^Stack \w+:/gm),
            committedStacks().map((stack) => `Stack ${stack}:`),
        );
        assert.strictEqual(named(steps, "Offline plan snapshots are current").run?.trim(), "npm run plan -- --check");
        assert.deepStrictEqual(steps.find((s) => action(s) === "actions/setup-node")?.with, {
            "node-version": "22",
            cache: "npm",
        });
    });

    describe("preview", () => {
        const job = load("preview.yml").jobs.preview;
        const check = named(job.steps, "Check secrets and write the kubeconfig");

        it("previews dev, staging and prod with pulumi/actions and comments on the PR", () => {
            assert.deepStrictEqual(load("preview.yml").on, { pull_request: null });
            assert.deepStrictEqual(
                stacks.filter((stack) => ["dev", "staging", "prod"].includes(stack)),
                ["dev", "staging", "prod"],
                "deploy order",
            );
            assert.deepStrictEqual(
                [...stacks].sort(),
                committedStacks(),
                "a stack file without a preview, or the reverse",
            );
            assert.strictEqual(job.environment, undefined, "an environment with reviewers would hold every PR");
            const { with: inputs } = named(job.steps, "pulumi preview");
            const picked = ["command", "stack-name", "comment-on-pr", "github-token", "policyPacks"].map(
                (k) => inputs?.[k],
            );
            assert.deepStrictEqual(picked, [
                "preview",
                "${{ matrix.stack }}",
                true,
                "${{ github.token }}",
                "components/policies",
            ]);
        });

        it("holds a bot's pull request, and with it every secret, until a person approves the run", () => {
            const workflow = load("preview.yml");
            assert.deepStrictEqual(Object.keys(workflow.jobs), ["preview", "preview-bot"]);
            const bot = workflow.jobs["preview-bot"];
            const isBot =
                "github.event.pull_request.user.type == 'Bot' || endsWith(github.actor, '[bot]') || startsWith(github.head_ref, 'renovate/')";
            assert.strictEqual(
                job.if,
                `\${{ github.event.pull_request.user.type != 'Bot' && !endsWith(github.actor, '[bot]') && !startsWith(github.head_ref, 'renovate/') }}`,
            );
            assert.strictEqual(bot.if, `\${{ ${isBot} }}`);
            assert.strictEqual(bot.environment, "bot-preview");
            assert.deepStrictEqual(bot.steps, job.steps, "the same preview, once approved");
            assert.deepStrictEqual(bot.strategy, job.strategy);
            assert.match(
                fs.readFileSync(path.join(root, "docs", "ci.md"), "utf8"),
                /`bot-preview`[\s\S]{0,120}\*\*Required reviewers\*\*/,
            );
        });

        it("installs without install scripts, then checks the secrets; previews only if the check found them", () => {
            assert.strictEqual(check.id, "secrets");
            assert.deepStrictEqual(names(job.steps), [
                "Check out",
                "Set up Node.js",
                "Install dependencies",
                "Check secrets and write the kubeconfig",
                "pulumi preview",
            ]);
            assert.strictEqual(named(job.steps, "Install dependencies").run?.trim(), "npm ci --ignore-scripts");
            assert.strictEqual(check.run?.trim(), "bash .github/scripts/stack-secrets.sh preview");
            assert.deepStrictEqual(
                job.steps.map((step) => step.if),
                [undefined, undefined, undefined, undefined, ready],
            );
            for (const stack of stacks) {
                const key = previewKubeconfigSecret(stack);
                assert.strictEqual(check.env?.[key], `\${{ matrix.stack == '${stack}' && secrets.${key} || '' }}`);
            }
        });

        it("never holds a credential that can write to a cluster: only the read-only preview kubeconfigs", () => {
            const read = [...source("preview.yml").matchAll(/secrets\.(KUBECONFIG_[A-Z0-9_]*)/g)].map((m) => m[1]);
            assert.deepStrictEqual([...new Set(read)].sort(), stacks.map(previewKubeconfigSecret).sort());
            assert.doesNotMatch(source("deploy.yml"), /_PREVIEW/, "a deploy reads its own kubeconfig");
            // The script, too: given only a deploy kubeconfig, a preview skips rather than use it.
            const deployOnly = runStep(check, {
                STACK: "prod",
                PULUMI_BACKEND_URL: "s3://state",
                PULUMI_CONFIG_PASSPHRASE_PROD: "p",
                KUBECONFIG_PROD: "can write",
            });
            assert.deepStrictEqual([deployOnly.output, deployOnly.kubeconfig], ["ready=false\n", undefined]);
            assert.match(deployOnly.stdout, /missing secret\(s\) KUBECONFIG_PROD_PREVIEW\. /);
        });

        it("skips with a notice that names the missing secrets, and never fails", () => {
            const fork = runStep(check, { STACK: "dev" });
            assert.strictEqual(fork.status, 0, fork.stderr);
            assert.strictEqual(fork.output, "ready=false\n");
            assert.match(
                fork.stdout,
                /^::notice title=Preview of dev skipped::No pulumi preview for stack dev: missing secret\(s\) PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_DEV KUBECONFIG_DEV_PREVIEW\. /,
            );
            const noProd = runStep(check, {
                STACK: "prod",
                PULUMI_BACKEND_URL: "s3://state",
                PULUMI_CONFIG_PASSPHRASE_PROD: "p",
                KUBECONFIG_DEV_PREVIEW: "dev",
            });
            assert.strictEqual(noProd.output, "ready=false\n");
            assert.match(noProd.stdout, /missing secret\(s\) KUBECONFIG_PROD_PREVIEW\. /);
            const cloud = runStep(check, {
                STACK: "prod",
                PULUMI_BACKEND_URL: "https://api.pulumi.com",
                PULUMI_CONFIG_PASSPHRASE_PROD: "p",
                KUBECONFIG_PROD_PREVIEW: "k",
            });
            assert.match(cloud.stdout, /missing secret\(s\) PULUMI_ACCESS_TOKEN\. /);
            assert.strictEqual(cloud.kubeconfig, undefined);
        });

        it("writes the stack's kubeconfig and passphrase and says ready when all are present", () => {
            const r = runStep(check, {
                STACK: "staging",
                PULUMI_BACKEND_URL: "s3://state",
                PULUMI_CONFIG_PASSPHRASE_STAGING: "staging's",
                PULUMI_CONFIG_PASSPHRASE_DEV: "dev's",
                KUBECONFIG_STAGING_PREVIEW: kubeconfigWith("istio-mesh-staging"),
            });
            assert.deepStrictEqual([r.status, r.stdout, r.output], [0, "", "ready=true\n"]);
            assert.strictEqual(r.kubeconfig, `${kubeconfigWith("istio-mesh-staging")}\n`);
            assert.strictEqual(passphraseIn(r.githubEnv ?? ""), "staging's");
            assert.match(r.githubEnv ?? "", new RegExp(`^KUBECONFIG=${r.tmp}/kubeconfig\n`));
        });

        it("passes a passphrase with a newline on as one value, never as a second variable", () => {
            const r = runStep(check, {
                STACK: "dev",
                PULUMI_BACKEND_URL: "s3://state",
                PULUMI_CONFIG_PASSPHRASE_DEV: "abc\nNODE_OPTIONS=--require=/tmp/x.js",
                KUBECONFIG_DEV_PREVIEW: kubeconfigWith("istio-mesh-dev"),
            });
            assert.strictEqual(passphraseIn(r.githubEnv ?? ""), "abc\nNODE_OPTIONS=--require=/tmp/x.js");
        });

        it("fails, naming the secret, the context and the fix, on a kubeconfig without the context the stack file names", () => {
            const env = { STACK: "dev", PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE_DEV: "p" };
            const wrong = runStep(check, { ...env, KUBECONFIG_DEV_PREVIEW: kubeconfigWith("preview") });
            assert.deepStrictEqual(
                [wrong.status, wrong.output, wrong.kubeconfig, wrong.githubEnv, wrong.stdout.trim()],
                [
                    1,
                    "ready=false\n",
                    undefined,
                    "",
                    "::error::KUBECONFIG_DEV_PREVIEW has no context istio-mesh-dev, the one Pulumi.dev.yaml names in kubernetes:context (its contexts: preview): rename it with `kubectl --kubeconfig <file> config rename-context preview istio-mesh-dev` and store the file as KUBECONFIG_DEV_PREVIEW again.",
                ],
            );
            const garbled = runStep(check, { ...env, KUBECONFIG_DEV_PREVIEW: "contexts: [" });
            assert.strictEqual(garbled.status, 1);
            assert.match(garbled.stdout, /^::error::KUBECONFIG_DEV_PREVIEW is not YAML \(/);
            // Among others, and not the current one, it is found.
            const among = runStep(check, { ...env, KUBECONFIG_DEV_PREVIEW: kubeconfigWith("other", "istio-mesh-dev") });
            assert.deepStrictEqual([among.status, among.output], [0, "ready=true\n"]);
        });

        it("every committed stack names its cluster's context, and each its own: one mesh per cluster", () => {
            const contexts = committedStacks().map(stackContext);
            assert.deepStrictEqual(contexts, ["istio-mesh-dev", "istio-mesh-prod", "istio-mesh-staging"]);
            assert.strictEqual(new Set(contexts).size, contexts.length);
        });

        it("gives each stack only its own passphrase, and skips prod, whose passphrase is its environment's only", () => {
            for (const stack of stacks) {
                const key = passphraseSecret(stack);
                assert.strictEqual(check.env?.[key], `\${{ matrix.stack == '${stack}' && secrets.${key} || '' }}`);
            }
            assert.strictEqual(check.env?.PULUMI_CONFIG_PASSPHRASE, undefined, "no passphrase shared by every stack");
            const prod = runStep(check, {
                STACK: "prod",
                PULUMI_BACKEND_URL: "s3://state",
                KUBECONFIG_PROD_PREVIEW: "apiVersion: v1",
            });
            assert.deepStrictEqual([prod.status, prod.output, prod.kubeconfig], [0, "ready=false\n", undefined]);
            assert.match(
                prod.stdout.trim(),
                /missing secret\(s\) PULUMI_CONFIG_PASSPHRASE_PROD\. .* plans\/prod\.yaml is its preview\.$/,
            );
        });
    });

    describe("deploy", () => {
        const wf = load("deploy.yml");

        it("ups dev, then staging, then prod, each in its environment, one deploy per stack at a time", () => {
            assert.deepStrictEqual(wf.on, { push: { branches: ["main"] } });
            // One run at a time, the newest pending: queued jobs of job-level groups run in no set order.
            assert.deepStrictEqual(wf.concurrency, { group: "deploy", "cancel-in-progress": false });
            assert.deepStrictEqual(Object.keys(wf.jobs), ["test", ...stacks]);
            assert.deepStrictEqual(runs(wf.jobs.test.steps), ["npm ci", "npm test", "npm run plan -- --check"]);
            stacks.forEach((stack, i) => {
                const job = wf.jobs[stack];
                assert.strictEqual(job.environment, stack);
                assert.strictEqual(job.needs, i === 0 ? "test" : stacks[i - 1]);
                assert.deepStrictEqual(job.concurrency, { group: `pulumi-up-${stack}`, "cancel-in-progress": false });
                assert.deepStrictEqual(job.env, { STACK: stack });
                const up = job.steps.filter((s) => action(s) === "pulumi/actions");
                assert.deepStrictEqual(
                    up.map((s) => [s.with?.command, s.with?.["stack-name"], s.with?.policyPacks]),
                    [
                        ["preview", "${{ env.STACK }}", "components/policies"],
                        ["up", "${{ env.STACK }}", "components/policies"],
                    ],
                );
                assert.deepStrictEqual(job.steps, wf.jobs.dev.steps, `${stack} runs the shared steps`);
            });
        });

        it("writes the kubeconfig only after an install that runs no package's script, and never creates a stack", () => {
            const steps = wf.jobs.dev.steps;
            assert.deepStrictEqual(names(steps), [
                "Check out",
                "Still the tip of main",
                "Set up Node.js",
                "Install dependencies",
                "Check secrets and write the kubeconfig",
                "pulumi preview",
                "pulumi up",
            ]);
            // Nothing after the check runs for a commit that is no longer the tip.
            const current = "steps.tip.outputs.current == 'true'";
            assert.deepStrictEqual(
                steps.map((step) => step.if),
                [undefined, undefined, current, current, current, current, current],
            );
            assert.strictEqual(named(steps, "Install dependencies").run?.trim(), "npm ci --ignore-scripts");
            assert.strictEqual(named(steps, "pulumi up").with?.upsert, false);
            // Resource policies run before each step: a violation stops the deploy before the cluster changes.
            assert.strictEqual(named(steps, "pulumi up").with?.policyPacks, "components/policies");
        });

        it("deploys a commit only while it is the tip of main, and fails when it cannot tell", () => {
            const check = named(wf.jobs.dev.steps, "Still the tip of main");
            assert.deepStrictEqual([check.id, check.env], ["tip", { GH_TOKEN: "${{ github.token }}" }]);
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-gh-"));
            try {
                // A stand-in for the GitHub CLI: it answers the tip of main, or fails as an outage would.
                fs.writeFileSync(
                    path.join(bin, "gh"),
                    '#!/bin/sh\n[ "$*" = "api repos/example/istio-mesh/commits/main --jq .sha" ] || exit 2\n[ -n "$TIP" ] || { echo "HTTP 503" >&2; exit 1; }\necho "$TIP"\n',
                    { mode: 0o755 },
                );
                const env = {
                    PATH: `${bin}:${process.env.PATH}`,
                    GITHUB_REPOSITORY: "example/istio-mesh",
                    GITHUB_REF_NAME: "main",
                    GITHUB_SHA: "aaa111",
                    STACK: "staging",
                };
                const tip = runStep(check, { ...env, TIP: "aaa111" });
                assert.deepStrictEqual([tip.status, tip.output, tip.stdout], [0, "current=true\n", ""]);
                const behind = runStep(check, { ...env, TIP: "bbb222" });
                assert.deepStrictEqual(
                    [behind.status, behind.output, behind.stdout.trim()],
                    [
                        0,
                        "current=false\n",
                        "::notice title=Deploy of staging skipped::aaa111 is no longer the tip of main (bbb222 is): that commit's own run deploys it.",
                    ],
                );
                const outage = runStep(check, env);
                assert.deepStrictEqual([outage.status, outage.output], [1, ""]);
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        });

        for (const stack of stacks) {
            it(`fails ${stack} cleanly, naming each missing secret`, () => {
                const check = named(wf.jobs[stack].steps, "Check secrets and write the kubeconfig");
                assert.strictEqual(check.run?.trim(), "bash .github/scripts/stack-secrets.sh deploy");
                const key = kubeconfigSecret(stack);
                for (const other of stacks) {
                    const name = kubeconfigSecret(other);
                    assert.strictEqual(
                        check.env?.[name],
                        `\${{ env.STACK == '${other}' && secrets.${name} || '' }}`,
                        "each job reads only its own kubeconfig",
                    );
                }
                const base = { STACK: stack, PULUMI_BACKEND_URL: "s3://state", [passphraseSecret(stack)]: "p" };
                const missing = runStep(check, base);
                assert.deepStrictEqual([missing.status, missing.stderr, missing.kubeconfig], [1, "", undefined]);
                assert.strictEqual(
                    missing.stdout.split("\n")[0],
                    `::error::Missing secret ${key}: add it to the ${stack} environment (Settings > Environments > ${stack}), not to the repository, whose secrets pull requests can read.`,
                );
                const cloud = runStep(check, { ...base, PULUMI_BACKEND_URL: "https://api.pulumi.com", [key]: "k" });
                assert.strictEqual(cloud.status, 1);
                assert.match(cloud.stdout, /^::error::Missing secret PULUMI_ACCESS_TOKEN: /);
                const ok = runStep(check, { ...base, [key]: kubeconfigWith(stackContext(stack)) });
                assert.deepStrictEqual(
                    [ok.status, ok.stdout, ok.kubeconfig],
                    [0, "", `${kubeconfigWith(stackContext(stack))}\n`],
                );
                assert.strictEqual(passphraseIn(ok.githubEnv ?? ""), "p");
                assert.match(ok.githubEnv ?? "", new RegExp(`^KUBECONFIG=${ok.tmp}/kubeconfig\n`));
            });
        }
    });

    it("the secrets script refuses a mode it does not know, or no stack", () => {
        const r = runStep({ run: "bash .github/scripts/stack-secrets.sh publish" }, { STACK: "dev" });
        assert.deepStrictEqual([r.status, r.stderr.trim()], [2, "usage: stack-secrets.sh preview|deploy"]);
        const noStack = runStep({ run: "bash .github/scripts/stack-secrets.sh deploy" }, {});
        assert.deepStrictEqual(
            [noStack.status, noStack.stderr.trim()],
            [2, "stack-secrets.sh: set STACK to the stack's name"],
        );
    });

    it("the secrets script reads KUBECONFIG_QA_EU for a stack named qa-eu", () => {
        const env = { STACK: "qa-eu", PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE_QA_EU: "p" };
        const missing = runStep({ run: "bash .github/scripts/stack-secrets.sh deploy" }, env);
        assert.match(missing.stdout, /^::error::Missing secret KUBECONFIG_QA_EU: add it to the qa-eu environment/);
        const ok = runStep(
            { run: "bash .github/scripts/stack-secrets.sh deploy" },
            { ...env, KUBECONFIG_QA_EU: "apiVersion: v1" },
        );
        assert.deepStrictEqual([ok.status, ok.output, ok.kubeconfig], [0, "ready=true\n", "apiVersion: v1\n"]);
    });

    it("integration: kind with LoadBalancers, the dev stack as committed: up, an empty preview, destroy, up again over the kept CRDs, destroy always", () => {
        const wf = load("integration.yml");
        assert.deepStrictEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
        assert.match((wf.on.schedule as { cron: string }[])[0].cron, /^\d+ \d+ \* \* \*$/);
        assert.ok(!source("integration.yml").includes("secrets."), "integration needs no secrets");
        const steps = wf.jobs.kind.steps;
        const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);
        const setup = at((s) => lines(s).includes("pulumi stack init dev --secrets-provider passphrase"));
        assert.ok(
            setup >= 0 && lines(steps[setup]).includes('pulumi login "file://$RUNNER_TEMP/state"'),
            "local file backend",
        );
        // The stack as committed: no config changed, and kind gives LoadBalancers addresses.
        assert.deepStrictEqual(
            steps.flatMap(lines).filter((line) => line.startsWith("pulumi config")),
            [],
        );
        assert.strictEqual(steps.find((s) => action(s) === "helm/kind-action")?.with?.cloud_provider, true);
        const pulumiLines = steps.flatMap(lines).filter((line) => /^pulumi (up|preview|destroy)\b/.test(line));
        // The policy pack runs under the real CLI here: dev is not protected, so it stops nothing,
        // but a pack that does not load fails the up.
        assert.deepStrictEqual(pulumiLines, [
            "pulumi up --yes --stack dev --policy-pack components/policies",
            "pulumi preview --stack dev --expect-no-changes --diff",
            "pulumi destroy --yes --stack dev",
            "pulumi up --yes --stack dev",
            "pulumi destroy --yes --stack dev",
        ]);
        const keptCrds = at((s) =>
            lines(s).includes("kubectl get crd virtualservices.networking.istio.io gateways.networking.istio.io"),
        );
        assert.ok(
            keptCrds >= 0 && lines(steps[keptCrds])[0] === "pulumi destroy --yes --stack dev",
            "the first destroy checks that the CRDs stayed",
        );
        // kind's context, renamed to the one the dev stack names, before the stack exists.
        assert.ok(
            lines(steps[setup]).includes(
                `kubectl config rename-context kind-${steps.find((s) => action(s) === "helm/kind-action")?.with?.cluster_name} ${stackContext("dev")}`,
            ),
            "the dev stack deploys to the context it names",
        );
        const firstUp = at((s) => s.run?.trim() === "pulumi up --yes --stack dev --policy-pack components/policies");
        assert.ok(
            at((s) => action(s) === "helm/kind-action") < setup && setup < firstUp,
            "kind, then the stack, then up",
        );
        assert.strictEqual(steps[firstUp].id, "up");
        const last = steps[steps.length - 1];
        assert.deepStrictEqual(
            [last.run?.trim(), last.if],
            ["pulumi destroy --yes --stack dev", "always() && steps.up.outcome != 'skipped'"],
        );
        assert.ok(wf.jobs.kind.env?.PULUMI_CONFIG_PASSPHRASE, "a throwaway passphrase");
    });

    it("read only secrets that docs/ci.md lists", () => {
        const referenced = new Set(
            files.flatMap((f) =>
                [...source(f).matchAll(/(?<![\w./-])secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]),
            ),
        );
        assert.deepStrictEqual(
            [...referenced].sort(),
            [
                ...stacks.map(kubeconfigSecret),
                ...stacks.map(previewKubeconfigSecret),
                ...stacks.map(passphraseSecret),
                "PULUMI_ACCESS_TOKEN",
                "PULUMI_BACKEND_URL",
            ].sort(),
        );
        const guide = fs.readFileSync(path.resolve(__dirname, "..", "docs", "ci.md"), "utf8");
        const undocumented = [...referenced].filter((name) => !guide.includes(`\`${name}\``));
        assert.deepStrictEqual(undocumented, [], `secrets missing from docs/ci.md: ${undocumented.join(", ")}`);
    });
});

describe("CODEOWNERS", () => {
    /** The owners GitHub would request for `file`: the last matching line's (gitignore-like patterns). */
    function ownersOf(codeowners: string, file: string): string[] {
        let owners: string[] = [];
        for (const line of codeowners.split("\n")) {
            const [pattern, ...names] = line.replace(/#.*$/, "").trim().split(/\s+/);
            if (pattern === undefined || pattern === "") continue;
            const body = pattern
                .replace(/^\//, "")
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*");
            const anchored = pattern.startsWith("/") ? "^" : "(^|/)";
            const regex = new RegExp(pattern.endsWith("/") ? `${anchored}${body}` : `${anchored}${body}$`);
            if (regex.test(file)) owners = names;
        }
        return owners;
    }

    const codeowners = fs.readFileSync(path.join(root, ".github", "CODEOWNERS"), "utf8");

    it("names an owner for every file in the repository: all of it runs with a deploy's credentials or decides what a stack may be", () => {
        const files = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
        assert.ok(files.includes("Pulumi.prod.yaml") && files.includes(".github/workflows/deploy.yml"));
        assert.deepStrictEqual(
            files.filter((file) => ownersOf(codeowners, file).length === 0),
            [],
        );
    });

    it("the matcher reads patterns as GitHub does", () => {
        assert.deepStrictEqual(ownersOf("/Pulumi.*.yaml @a\n", "Pulumi.prod.yaml"), ["@a"]);
        assert.deepStrictEqual(ownersOf("/Pulumi.*.yaml @a\n", "docs/Pulumi.prod.yaml"), []);
        assert.deepStrictEqual(ownersOf("/.github/ @a\n/.github/x @b\n", ".github/x"), ["@b"]);
        assert.deepStrictEqual(ownersOf("/test/ @a\n", "README.md"), []);
        assert.deepStrictEqual(ownersOf("* @a\n", "components/mesh/dashboards.ts"), ["@a"]);
    });
});
