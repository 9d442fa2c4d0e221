import { stackMesh } from "../../components/config/stack-config";
import { MeshConfigError } from "../../components/config/config-reader";
import { stackConfig } from "../support/program";
import { formatMarkdown, formatText, sizingTable } from "./sizing-table";
import { Console, runAsProgram } from "./command";
import { committedStacks, hasStackFile, PLANS_DIR, REFRESH_COMMAND, staleSnapshots, writeSnapshots } from "./snapshot";

/**
 * `npm run plan`: what an environment will get, without a cluster.
 *
 *   npm run plan [-- <stack>] [--markdown]   the sizing table of one stack (default dev)
 *   npm run plan -- --write                  regenerate every stack's snapshot under plans/
 *   npm run plan -- --check                  fail if any snapshot under plans/ is stale
 */

export const USAGE = "usage: npm run plan -- [<stack>] [--markdown] | --write | --check";

/**
 * Runs the command; resolves to its exit code (0 done, 1 refused or stale, 2 misused).
 * Snapshots are written to and checked in `plansDir` (tests give a temporary copy).
 */
export async function plan(args: readonly string[], io: Console, plansDir = PLANS_DIR): Promise<number> {
    const flags = args.filter((arg) => arg.startsWith("--"));
    const positional = args.filter((arg) => !arg.startsWith("--"));
    const unknown = flags.filter((flag) => !["--markdown", "--write", "--check"].includes(flag));
    // --write and --check cover every stack and take nothing else.
    const snapshotMode = flags.includes("--write") || flags.includes("--check");
    if (
        unknown.length > 0 ||
        positional.length > 1 ||
        (snapshotMode && args.length > 1) ||
        new Set(flags).size !== flags.length
    ) {
        io.err(unknown.length > 0 ? `unknown option ${unknown.join(", ")}\n${USAGE}` : USAGE);
        return 2;
    }
    if (flags.includes("--write")) {
        for (const file of await writeSnapshots(plansDir)) {
            io.out(`wrote ${file}`);
        }
        return 0;
    }
    if (flags.includes("--check")) {
        const stale = await staleSnapshots(plansDir);
        if (stale.length > 0) {
            io.err([...stale, `Refresh with \`${REFRESH_COMMAND}\` and commit plans/.`].join("\n"));
            return 1;
        }
        io.out(`plans/ is up to date for ${committedStacks().join(", ")}`);
        return 0;
    }
    const stack = positional[0] ?? "dev";
    if (!hasStackFile(stack, io)) {
        return 2;
    }
    try {
        // Every check the program runs on this stack, its cluster's too, before the table.
        const table = sizingTable(stackMesh(stackConfig(stack), undefined, stack).settings);
        io.out(`Stack ${stack}: ${flags.includes("--markdown") ? formatMarkdown(table) : formatText(table)}`);
        return 0;
    } catch (error) {
        // A refused configuration is the answer, not a crash: print it as Pulumi would.
        if (error instanceof MeshConfigError) {
            io.err(error.message);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runAsProgram(plan);
}
