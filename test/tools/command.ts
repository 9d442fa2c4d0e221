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
