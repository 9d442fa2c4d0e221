import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Console, runAsProgram } from "./command";

/**
 * `npm run timing`: runs the mocha suite once with its JSON reporter and prints the whole
 * run's time, the slowest tests, and each one's share of its timeout. Fails when a test
 * takes over a third of its timeout: on a loaded CI machine it would be the first to time out.
 * The time of all of `npm test` is `time npm test`.
 */

const ROOT = path.resolve(__dirname, "..", "..");
/** How many of the slowest tests to list. */
const SHOWN = 10;

interface MochaTest {
    fullTitle: string;
    duration?: number;
    file: string;
}

interface MochaJson {
    stats: { duration: number; passes: number; failures: number };
    tests: MochaTest[];
}

function mochaTimeout(): number {
    const rc = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8")) as { timeout: number };
    return rc.timeout;
}

export async function timing(args: readonly string[], io: Console): Promise<number> {
    if (args.length > 0) {
        io.err("usage: npm run timing");
        return 2;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mocha-timing-"));
    const report = path.join(dir, "report.json");
    try {
        const mocha = spawnSync(
            path.join(ROOT, "node_modules", ".bin", "mocha"),
            ["--reporter", "json", "--reporter-option", `output=${report}`],
            { cwd: ROOT, encoding: "utf8" },
        );
        if (!fs.existsSync(report)) {
            io.err(`mocha wrote no report: ${mocha.stderr}`);
            return 1;
        }
        const result = JSON.parse(fs.readFileSync(report, "utf8")) as MochaJson;
        const timeout = mochaTimeout();
        const tests = [...result.tests].sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0));
        io.out(
            `mocha: ${(result.stats.duration / 1000).toFixed(1)} s for ${result.tests.length} tests (${result.stats.passes} passed, ${result.stats.failures} failed) on ${os.cpus().length} cores`,
        );
        io.out(`slowest, against the ${timeout / 1000} s timeout:`);
        for (const test of tests.slice(0, SHOWN)) {
            const ms = test.duration ?? 0;
            io.out(
                `${(ms / 1000).toFixed(2).padStart(6)} s ${String(Math.round((100 * ms) / timeout)).padStart(3)}%  ${path.relative(ROOT, test.file)}: ${test.fullTitle}`,
            );
        }
        const tooSlow = tests.filter((test) => (test.duration ?? 0) > timeout / 3);
        for (const test of tooSlow) {
            io.err(`over a third of the timeout: ${test.fullTitle}`);
        }
        return tooSlow.length > 0 || result.stats.failures > 0 ? 1 : 0;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    runAsProgram(timing);
}
