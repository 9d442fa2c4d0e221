import { parseMeshSettings } from "../../components/config";
import { MeshConfigError } from "../../components/config-reader";
import { stackConfig } from "../support/program";
import { formatMarkdown, formatText, sizingTable } from "./sizing-table";
import { committedStacks, REFRESH_COMMAND, staleSnapshots, writeSnapshots } from "./snapshot";

/**
 * `npm run plan`: what an environment will get, without a cluster.
 *
 *   npm run plan [-- <stack>] [--markdown]   the sizing table of one stack (default dev)
 *   npm run plan -- --write                  regenerate every stack's snapshot under plans/
 *   npm run plan -- --check                  fail if any snapshot under plans/ is stale
 */

const USAGE = "usage: npm run plan -- [<stack>] [--markdown] | --write | --check";

async function main(args: string[]): Promise<number> {
    const flags = args.filter((arg) => arg.startsWith("--"));
    const positional = args.filter((arg) => !arg.startsWith("--"));
    const unknown = flags.filter((flag) => !["--markdown", "--write", "--check"].includes(flag));
    // --write and --check cover every stack and take nothing else.
    const snapshotMode = flags.includes("--write") || flags.includes("--check");
    if (unknown.length > 0 || positional.length > 1 || (snapshotMode && args.length > 1) || new Set(flags).size !== flags.length) {
        console.error(unknown.length > 0 ? `unknown option ${unknown.join(", ")}\n${USAGE}` : USAGE);
        return 2;
    }
    if (flags.includes("--write")) {
        for (const file of await writeSnapshots()) {
            console.log(`wrote ${file}`);
        }
        return 0;
    }
    if (flags.includes("--check")) {
        const stale = await staleSnapshots();
        for (const line of stale) {
            console.error(line);
        }
        if (stale.length > 0) {
            console.error(`Refresh with \`${REFRESH_COMMAND}\` and commit plans/.`);
            return 1;
        }
        console.log(`plans/ is up to date for ${committedStacks().join(", ")}`);
        return 0;
    }
    const stack = positional[0] ?? "dev";
    if (!committedStacks().includes(stack)) {
        console.error(`no stack file Pulumi.${stack}.yaml; stacks: ${committedStacks().join(", ")}`);
        return 2;
    }
    const table = sizingTable(parseMeshSettings(stackConfig(stack)));
    console.log(`Stack ${stack}: ${flags.includes("--markdown") ? formatMarkdown(table) : formatText(table)}`);
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        // A refused configuration is the answer, not a crash: print it as Pulumi would.
        console.error(error instanceof MeshConfigError ? error.message : error);
        process.exit(1);
    },
);
