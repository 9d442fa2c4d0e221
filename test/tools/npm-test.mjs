// `npm test`: the format check, the type check and the linter run beside mocha, since mocha
// leaves most of a second core idle; mocha's output streams as it runs, the checks' output
// follows, and the last line counts each check as one test: "N passed, N failed".
import { spawn } from "node:child_process";

const bin = (name) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname;

const CHECKS = [
    { name: "format check (biome format .)", command: bin("biome"), args: ["format", "."] },
    { name: "type check (tsc --noEmit)", command: bin("tsc"), args: ["--noEmit"] },
    { name: "lint (eslint .)", command: bin("eslint"), args: ["."] },
];
const SUMMARY = /^(\d+) passed, (\d+) failed(.*)$/;

/** Runs a command; resolves to its exit code and everything it printed. */
function run(command, args, onLine) {
    return new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        let pending = "";
        child.stdout.on("data", (chunk) => {
            output += chunk;
            if (onLine) {
                const lines = (pending + chunk).split("\n");
                pending = lines.pop();
                lines.forEach(onLine);
            }
        });
        child.stderr.on("data", (chunk) => {
            output += chunk;
            if (onLine) process.stderr.write(chunk);
        });
        child.on("close", (code) => {
            if (onLine && pending !== "") onLine(pending);
            resolve({ code: code ?? 1, output });
        });
    });
}

let summary;
const checks = CHECKS.map((check) => run(check.command, check.args).then((result) => ({ ...check, ...result })));
const mocha = await run(bin("mocha"), process.argv.slice(2), (line) => {
    const match = SUMMARY.exec(line);
    if (match) summary = match;
    else process.stdout.write(`${line}\n`);
});
let [passed, failed] = summary ? [Number(summary[1]), Number(summary[2])] : [0, 1];
for (const check of await Promise.all(checks)) {
    if (check.code === 0) {
        passed += 1;
        process.stdout.write(`  ✔ ${check.name}\n`);
    } else {
        failed += 1;
        process.stdout.write(`  ✖ ${check.name} failed:\n${check.output}\n`);
    }
}
if (!summary) process.stdout.write(`  ✖ mocha exited with ${mocha.code} before its summary\n`);
process.stdout.write(`${passed} passed, ${failed} failed${summary?.[3] ?? ""}\n`);
process.exitCode = failed > 0 || mocha.code !== 0 ? 1 : 0;
