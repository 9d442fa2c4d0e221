import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { isPersonalStack, PERSONAL_STACK } from "../../components/config/cluster";
import { ROOT, stackConfig } from "../support/program";
import { type Console, runAsProgram } from "./command";
import { choosePulumi, currentSearch, isExecutable, resolvePulumi, runCli } from "./pulumi-cli";
import { preflight } from "./preflight";

/**
 * `npm run up` and `npm run preview`: Pulumi's `up` or `preview` of the stack STACK names, or
 * of the personal stack `local` (docs/getting-started.md). A personal stack's file is made
 * from dev's settings the first time, and git ignores it. A committed stack runs only once its
 * file holds the `encryptionsalt` of its own passphrase, so that no run writes a committed
 * file. Before Pulumi starts, the preflight says in one line each what is missing.
 *
 *   npm run up [-- <pulumi up options>]          STACK=<stack> for another stack
 *   npm run preview [-- <pulumi preview options>]
 *   --skip-preflight                              run Pulumi without the preflight
 */

export const USAGE = "usage: npm run up|preview [-- --skip-preflight] [-- <pulumi options>]";

/** Settings the personal stack has beyond dev's: the sample application, so Kiali's graph shows traffic at once. */
export const PERSONAL_SETTINGS: Readonly<Record<string, unknown>> = { "istio-mesh:sampleApp": true };

/** The stack file's path for `stack`, in the project folder `root`. */
export const stackFile = (stack: string, root = ROOT): string => path.join(root, `Pulumi.${stack}.yaml`);

/**
 * A personal stack's file, made from dev's (`devText`): dev's settings with their comments,
 * but not the cluster it names (a personal stack deploys to the current context) nor dev's
 * salt (a personal stack's passphrase is its owner's), under a header that says what it is.
 */
export function personalStackFile(stack: string, devText: string, extra = PERSONAL_SETTINGS): string {
    const lines = devText.split("\n");
    const body = lines.slice(lines.findIndex((line) => /^config:/.test(line)));
    const kept: string[] = [];
    for (const line of body) {
        if (/^encryptionsalt:/.test(line)) {
            continue;
        }
        if (/^ {2}kubernetes:(context|kubeconfig):/.test(line)) {
            // Its comment goes with it.
            while (kept.length > 0 && /^ {2}#/.test(kept[kept.length - 1])) kept.pop();
            continue;
        }
        kept.push(line);
    }
    const extras = Object.entries(extra).map(([key, value]) =>
        yaml
            .dump({ [key]: value }, { lineWidth: -1 })
            .trimEnd()
            .replace(/^/gm, "  "),
    );
    const text = [...kept.join("\n").trimEnd().split("\n"), ...extras].join("\n");
    return [
        `# Your personal stack ${stack}, made by \`npm run up\` from Pulumi.dev.yaml's settings; git ignores`,
        "# this file. It deploys to your current kubectl context (docs/getting-started.md). Change it",
        `# with \`npm run pulumi -- config set <key> <value> --stack ${stack}\`; delete it to start again`,
        "# from dev's settings.",
        text,
        "",
    ].join("\n");
}

/** Why `stack` may not run from this folder, before anything else: a missing file, a missing salt. */
export function stackFileProblem(stack: string, text: string | undefined): string | undefined {
    if (text === undefined) {
        return `no stack file Pulumi.${stack}.yaml: create the environment as docs/ci.md#adding-an-environment says, or run your personal stack with \`npm run up\` (STACK=${PERSONAL_STACK})`;
    }
    const salt = (yaml.load(text) as { encryptionsalt?: string } | null)?.encryptionsalt;
    if (salt === undefined || salt === "") {
        return (
            `Pulumi.${stack}.yaml has no encryptionsalt, so creating the stack would write one into this committed file, made from your passphrase rather than the one CI holds for ${stack}. ` +
            `Try the mesh in your personal stack instead (\`npm run up\`), or, holding ${stack}'s own passphrase (docs/ci.md#secrets), create the stack once with ` +
            `\`PULUMI_CONFIG_PASSPHRASE=<${stack}'s> npm run pulumi -- stack init ${stack} --secrets-provider passphrase\` and commit the salt it writes (docs/getting-started.md#a-clean-repository)`
        );
    }
    return undefined;
}

/** The options of the command line: the preflight's own, and Pulumi's. */
export function splitOptions(args: readonly string[]): { skipPreflight: boolean; pulumiArgs: string[] } {
    return {
        skipPreflight: args.includes("--skip-preflight"),
        pulumiArgs: args.filter((arg) => arg !== "--skip-preflight"),
    };
}

/** kubectl's path, if it is on PATH. */
function findKubectl(env: NodeJS.ProcessEnv): string | undefined {
    const name = process.platform === "win32" ? "kubectl.exe" : "kubectl";
    return (env.PATH ?? "")
        .split(path.delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, name))
        .find(isExecutable);
}

/** Runs `up` or `preview`; resolves to the exit code. */
export async function stackCommand(
    command: "up" | "preview",
    args: readonly string[],
    io: Console,
    env: NodeJS.ProcessEnv = process.env,
    root = ROOT,
): Promise<number> {
    const stack = env.STACK || PERSONAL_STACK;
    const file = stackFile(stack, root);
    if (isPersonalStack(stack) && !fs.existsSync(file)) {
        fs.writeFileSync(file, personalStackFile(stack, fs.readFileSync(stackFile("dev", root), "utf8")));
        io.out(`Made your personal stack's file Pulumi.${stack}.yaml from dev's settings (git ignores it).`);
    }
    if (!isPersonalStack(stack)) {
        const problem = stackFileProblem(stack, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
        if (problem !== undefined) {
            io.err(problem);
            return 1;
        }
    }
    const { skipPreflight, pulumiArgs } = splitOptions(args);
    const search = currentSearch(env, root);
    const cli = await resolvePulumi(search, env);
    if (!skipPreflight) {
        let config: Record<string, string>;
        try {
            config = stackConfig(stack, {}, root);
        } catch (error) {
            io.err(
                `Pulumi.${stack}.yaml: ${(error as Error).message.split("\n")[0]}; fix the file, or delete a personal stack's to make it again`,
            );
            return 1;
        }
        const result = await preflight({
            stack,
            config,
            env,
            home: env.HOME || os.homedir(),
            ...("problem" in cli && { cliProblem: cli.problem }),
            kubectl: findKubectl(env),
        });
        result.notes.forEach((note) => io.out(`preflight: ${note}`));
        if (result.problems.length > 0) {
            result.problems.forEach((problem) => io.err(`preflight: ${problem}`));
            io.err(
                `preflight: ${result.problems.length === 1 ? "1 thing is" : `${result.problems.length} things are`} missing, so Pulumi was not started (\`npm run ${command} -- --skip-preflight\` runs it anyway)`,
            );
            return 1;
        }
    }
    if ("problem" in cli) {
        if (skipPreflight) io.err(cli.problem);
        return 1;
    }
    if (choosePulumi(search).source === "path") {
        io.out(`Using the Pulumi CLI on your PATH, ${cli.bin}.`);
    }
    const selected = await runCli(cli.bin, ["stack", "select", "--create", stack], env);
    return selected !== 0 ? selected : runCli(cli.bin, [command, "--stack", stack, ...pulumiArgs], env);
}

if (require.main === module) {
    const command = process.argv[2];
    if (command !== "up" && command !== "preview") {
        console.error(USAGE);
        process.exit(2);
    }
    runAsProgram((argv, io) => stackCommand(command, argv.slice(1), io));
}
