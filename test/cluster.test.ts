// Which cluster a stack deploys to: a committed stack names its own, a personal one may
// take the current context (components/config/cluster.ts, docs/getting-started.md).
import * as assert from "assert";
import { spawnSync } from "child_process";
import { clusterProblems, isPersonalStack, PERSONAL_STACK } from "../components/config/cluster";
import { MeshConfigError } from "../components/config/config-reader";
import { stackMesh } from "../components/config/stack-config";
import { ROOT, runProgram, stackConfig } from "./support/program";
import { committedStacks } from "./tools/snapshot";

const REFUSAL = (stack: string): string =>
    `kubernetes:context: stack ${stack} names no cluster, so it would deploy to whatever your current kubectl context is; ` +
    `name its cluster's context with \`npm run pulumi -- config set kubernetes:context <context> --stack ${stack}\` ` +
    "(or set kubernetes:kubeconfig), or try the mesh on your own cluster in a personal stack: `npm run up` deploys the stack local to the current context";

describe("the cluster a stack deploys to", () => {
    it("a personal stack is local or local-<name>, nothing else", () => {
        assert.strictEqual(PERSONAL_STACK, "local");
        const names = ["local", "local-ana", "local-", "dev", "staging", "prod", "qa", "locally", "my-local", "Local"];
        assert.deepStrictEqual(names.filter(isPersonalStack), ["local", "local-ana", "local-"]);
    });

    it("refuses a stack other than a personal one that names no cluster, naming the key and the fixes", () => {
        assert.deepStrictEqual(clusterProblems("qa", {}), [REFUSAL("qa")]);
        assert.deepStrictEqual(clusterProblems("qa", { "kubernetes:context": " " }), [REFUSAL("qa")]);
        assert.deepStrictEqual(clusterProblems("qa", { "kubernetes:cluster": "qa" }), [REFUSAL("qa")]);
        assert.deepStrictEqual(clusterProblems("qa", { "kubernetes:context": "istio-mesh-qa" }), []);
        assert.deepStrictEqual(clusterProblems("qa", { "kubernetes:kubeconfig": "/home/me/.kube/qa" }), []);
        assert.deepStrictEqual(clusterProblems("local", {}), []);
        assert.deepStrictEqual(clusterProblems("local-ana", {}), []);
    });

    it("the program lists it with every other problem, before anything is registered", async () => {
        const config = stackConfig("staging", { "istio-mesh:memroy": "8Gi" });
        delete config["kubernetes:context"];
        assert.throws(
            () => stackMesh(config, undefined, "staging"),
            (error: MeshConfigError) => {
                assert.deepStrictEqual(error.problems.slice(0, 1), [REFUSAL("staging")]);
                assert.match(error.problems[1], /^istio-mesh:memroy: unknown key/);
                return true;
            },
        );
        // Without a stack's name (the plan's sizing table, a test), only the mesh's checks run.
        assert.doesNotThrow(() => stackMesh(stackConfig("dev"), undefined));
        const run = await runProgram(config, "staging");
        assert.ok(run.error instanceof MeshConfigError, String(run.error));
        // Nothing but the read of the last deployment, which the upgrade guards check against.
        const registered = run.registrations.filter((r) => r.type !== "pulumi:pulumi:StackReference");
        assert.deepStrictEqual([run.error.problems[0], registered.length], [REFUSAL("staging"), 0]);
    });

    it("deploys a personal stack, which names no cluster, to the current context", async () => {
        const config = stackConfig("dev");
        delete config["kubernetes:context"];
        const run = await runProgram(config, "local");
        assert.strictEqual(run.error, undefined);
        const provider = run.registrations.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.deepStrictEqual(provider?.inputs, { enablePatchForce: "true", upsertExistingObjects: "true" });
    });

    it("committed stacks are the stack files but a personal stack's, which git ignores", () => {
        const folder = [
            "Pulumi.yaml",
            "Pulumi.dev.yaml",
            "Pulumi.local.yaml",
            "Pulumi.local-ana.yaml",
            "Pulumi.qa.yaml",
        ];
        assert.deepStrictEqual(committedStacks(folder), ["dev", "qa"]);
        assert.deepStrictEqual(committedStacks(), ["dev", "prod", "staging"]);
    });

    it("git ignores personal stack files, and only those", () => {
        const asked = [
            "Pulumi.local.yaml",
            "Pulumi.local-ana.yaml",
            "Pulumi.dev.yaml",
            "Pulumi.qa.yaml",
            "Pulumi.locally.yaml",
        ];
        const ignored = spawnSync("git", ["check-ignore", "--no-index", ...asked], { cwd: ROOT, encoding: "utf8" });
        assert.deepStrictEqual(ignored.stdout.split("\n").filter(Boolean), [
            "Pulumi.local.yaml",
            "Pulumi.local-ana.yaml",
        ]);
    });
});
