import * as fs from "node:fs";
import * as path from "node:path";

/** What the npm-run commands under test/tools share: where they write, and how they run. */

/** Where a command writes: stdout and stderr, or a test's buffers. */
export interface Console {
    out(text: string): void;
    err(text: string): void;
}

/** A command: resolves to its exit code. */
export type Command = (args: readonly string[], io: Console) => Promise<number>;

/** Runs `command` as the process: its exit code, or 1 with the error if it crashes. */
export function runAsProgram(command: Command): void {
    command(process.argv.slice(2), { out: (text) => console.log(text), err: (text) => console.error(text) }).then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}

/**
 * `npm run <script> [-- --check]` for a file the repository generates: without `--check` it
 * writes the file when it is stale; with it, it fails naming the command that refreshes it.
 * `expected` gives the file as it should read, from what it reads now, or what is wrong.
 */
export async function generatedFileCommand(
    args: readonly string[],
    io: Console,
    options: {
        readonly script: string;
        readonly root: string;
        readonly file: string;
        readonly expected: (current: string | undefined) => Promise<string | { problem: string }>;
    },
): Promise<number> {
    if (args.length > 1 || (args.length === 1 && args[0] !== "--check")) {
        io.err(`usage: npm run ${options.script} [-- --check]`);
        return 2;
    }
    const file = path.join(options.root, options.file);
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    const expected = await options.expected(current);
    if (typeof expected !== "string") {
        io.err(`${options.file} ${expected.problem}`);
        return 1;
    }
    if (expected === current) {
        io.out(`${options.file} is up to date`);
        return 0;
    }
    if (args.length === 1) {
        io.err(`${options.file} is stale: run \`npm run ${options.script}\``);
        return 1;
    }
    fs.writeFileSync(file, expected);
    io.out(`wrote ${options.file}`);
    return 0;
}
