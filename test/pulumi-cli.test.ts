// The CLI the npm scripts run (test/tools/pulumi-cli.ts): the user's on PATH, else the pinned
// one, fetched as the npm shim fetches it, and a failed fetch said with its address, cause and
// the command that installs the CLI. Stand-ins: fake `pulumi` executables on a temporary PATH,
// and a local HTTP server in place of get.pulumi.com.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import {
    choosePulumi,
    CliFetchError,
    CliSearch,
    currentSearch,
    fetchFailureMessage,
    INSTALL_SCRIPT_URL,
    installCommand,
    resolvePulumi,
} from "./tools/pulumi-cli";
import { ROOT } from "./support/program";

const PINNED = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
    }
).devDependencies.pulumi;

/** A search over a fake file system: the executables there are, and the links among them. */
function fake(pathValue: string, executables: string[], links: Record<string, string> = {}): CliSearch {
    return {
        path: pathValue,
        platform: "linux",
        pinnedVersion: "3.265.0",
        pulumiHome: "/home/me/.pulumi",
        isExecutable: (file) => executables.includes(file),
        realpath: (file) => links[file] ?? file,
    };
}

/** A folder under the system's temporary one, removed after the test. */
function scratch(): { dir: string; done(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
    return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A stand-in `pulumi` that prints who it is, its arguments, the backend and the first PATH entry. */
function fakeCli(file: string, who: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/sh\necho "${who} $* | $PULUMI_BACKEND_URL | \${PATH%%:*}"\nexit 7\n`, {
        mode: 0o755,
    });
}

/** Serves `body` with `status` for every request, on a free loopback port. */
async function serve(status: number, body: string): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((_, response) => {
        response.writeHead(status, { "Content-Type": "text/plain" });
        response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/install.sh`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

describe("the Pulumi CLI the npm scripts run", () => {
    describe("the choice", () => {
        it("takes the first pulumi on PATH that is no npm shim, past node_modules/.bin", () => {
            const search = fake("/work/mesh/node_modules/.bin:/usr/local/bin:/home/me/.pulumi/bin", [
                "/work/mesh/node_modules/.bin/pulumi",
                "/home/me/.pulumi/bin/pulumi",
            ]);
            assert.deepStrictEqual(choosePulumi(search), { source: "path", bin: "/home/me/.pulumi/bin/pulumi" });
        });

        it("skips a global npm shim, a link into a node_modules folder", () => {
            const search = fake("/usr/local/bin:/opt/pulumi/bin", ["/usr/local/bin/pulumi", "/opt/pulumi/bin/pulumi"], {
                "/usr/local/bin/pulumi": "/usr/local/lib/node_modules/pulumi/run.js",
            });
            assert.deepStrictEqual(choosePulumi(search), { source: "path", bin: "/opt/pulumi/bin/pulumi" });
        });

        it("else the pinned version, from the shim's cache or to be fetched", () => {
            const bin = "/home/me/.pulumi/versions/3.265.0/bin/pulumi";
            const none = fake("/work/mesh/node_modules/.bin:/usr/bin::", ["/work/mesh/node_modules/.bin/pulumi"]);
            assert.deepStrictEqual(choosePulumi(none), { source: "pinned", bin, version: "3.265.0", cached: false });
            const cached = fake("/usr/bin", [bin]);
            assert.deepStrictEqual(choosePulumi(cached), { source: "pinned", bin, version: "3.265.0", cached: true });
        });

        it("reads Windows' PATH and executable name", () => {
            const search = {
                ...fake("C:\\mesh\\node_modules\\.bin;C:\\Pulumi\\bin", ["C:\\Pulumi\\bin/pulumi.exe"]),
                platform: "win32" as const,
            };
            assert.deepStrictEqual(choosePulumi(search), { source: "path", bin: "C:\\Pulumi\\bin/pulumi.exe" });
        });

        it("pins the version package.json pins, cached where PULUMI_HOME says", () => {
            const search = currentSearch({ PATH: "/nowhere", PULUMI_HOME: "/srv/pulumi-home" });
            assert.deepStrictEqual([search.pinnedVersion, search.pulumiHome], [PINNED, "/srv/pulumi-home"]);
            assert.deepStrictEqual(choosePulumi(search), {
                source: "pinned",
                bin: `/srv/pulumi-home/versions/${PINNED}/bin/pulumi`,
                version: PINNED,
                cached: false,
            });
        });

        it("follows the shim: its version is the pin, its script the address a failure names", () => {
            const shim = path.join(ROOT, "node_modules", "pulumi");
            const version = (
                JSON.parse(fs.readFileSync(path.join(shim, "package.json"), "utf8")) as { version: string }
            ).version;
            assert.strictEqual(version, PINNED);
            assert.ok(
                fs.readFileSync(path.join(shim, "lib", "download.js"), "utf8").includes(`"${INSTALL_SCRIPT_URL}"`),
            );
            assert.ok(
                fs
                    .readFileSync(path.join(shim, "lib", "cache.js"), "utf8")
                    .includes('path.join(home, "versions", version)'),
            );
        });
    });

    describe("npm run pulumi, with stand-ins for both CLIs", () => {
        const run = (env: Record<string, string>, ...args: string[]) =>
            spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", "test/tools/pulumi-cli.ts", ...args],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    env: { HOME: env.HOME ?? os.tmpdir(), ...env },
                },
            );

        it("runs the pulumi on PATH, not the shim npm put first, on the file backend, with its exit code", () => {
            const { dir, done } = scratch();
            try {
                fakeCli(path.join(dir, "node_modules", ".bin", "pulumi"), "shim");
                fakeCli(path.join(dir, "bin", "pulumi"), "user's");
                const PATH = [path.join(dir, "node_modules", ".bin"), path.join(dir, "bin"), "/usr/bin", "/bin"].join(
                    ":",
                );
                const result = run({ PATH, PULUMI_HOME: path.join(dir, "home") }, "stack", "ls");
                assert.deepStrictEqual(
                    [result.status, result.stdout, result.stderr],
                    [7, `user's stack ls | file://~ | ${path.join(dir, "bin")}\n`, ""],
                );
                const backend = run({ PATH, PULUMI_BACKEND_URL: "s3://state" }, "whoami");
                assert.strictEqual(backend.stdout, `user's whoami | s3://state | ${path.join(dir, "bin")}\n`);
            } finally {
                done();
            }
        });

        it("runs the pinned one from the shim's cache when PATH has none", () => {
            const { dir, done } = scratch();
            try {
                fakeCli(path.join(dir, "node_modules", ".bin", "pulumi"), "shim");
                const cached = path.join(dir, "home", "versions", PINNED, "bin");
                fakeCli(path.join(cached, "pulumi"), "pinned");
                const PATH = [path.join(dir, "node_modules", ".bin"), "/usr/bin", "/bin"].join(":");
                const result = run({ PATH, PULUMI_HOME: path.join(dir, "home") }, "version");
                assert.deepStrictEqual([result.status, result.stdout], [7, `pinned version | file://~ | ${cached}\n`]);
            } finally {
                done();
            }
        });
    });

    describe("a pinned CLI that must be fetched", () => {
        const search = (home: string): CliSearch => ({ ...currentSearch({ PATH: "" }), pulumiHome: home });
        const logged: string[] = [];
        const log = (text: string) => logged.push(text);

        it("names the address, the cause and the command that installs it when the fetch fails", async () => {
            const { dir, done } = scratch();
            const down = await serve(503, "maintenance");
            try {
                const result = await resolvePulumi(search(dir), {}, { scriptUrl: down.url, log });
                assert.deepStrictEqual(result, {
                    problem: `pulumi: no Pulumi CLI on your PATH, and the pinned ${PINNED} could not be fetched from ${down.url} (HTTP 503 Service Unavailable). Install it with \`curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED}\`, open a new shell so that it is on your PATH, and run the command again (docs/getting-started.md#the-pulumi-cli).`,
                });
                assert.deepStrictEqual(logged.splice(0), [
                    `pulumi: fetching the pinned Pulumi CLI ${PINNED} into ${path.join(dir, "versions", PINNED, "bin")}`,
                ]);
            } finally {
                await down.close();
                done();
            }
            // Nothing listens there any more: Node's own cause, as the shim would have hidden it.
            const refused = await resolvePulumi(search(dir), {}, { scriptUrl: down.url, log });
            assert.ok("problem" in refused);
            const port = new URL(down.url).port;
            assert.ok(
                refused.problem.includes(
                    `could not be fetched from ${down.url} (connect ECONNREFUSED 127.0.0.1:${port}). Install it with`,
                ),
                refused.problem,
            );
        });

        it("names the script and the archive when the install script fails", async () => {
            const { dir, done } = scratch();
            const script = await serve(200, "echo 'curl: (6) Could not resolve host: github.com' >&2; exit 3\n");
            try {
                const result = await resolvePulumi(
                    search(dir),
                    {},
                    { scriptUrl: script.url, log, execScript: quietScript },
                );
                assert.deepStrictEqual(result, {
                    problem: `pulumi: no Pulumi CLI on your PATH, and the pinned ${PINNED} could not be installed: the install script from ${script.url} failed (exit status 3) while it fetched pulumi-v${PINNED}-linux-x64.tar.gz from GitHub's releases or https://get.pulumi.com/releases/sdk/. Install it with \`curl -fsSL https://get.pulumi.com | sh -s -- --version ${PINNED}\`, open a new shell so that it is on your PATH, and run the command again (docs/getting-started.md#the-pulumi-cli).`,
                });
            } finally {
                await script.close();
                done();
            }
        });

        it("installs it with the shim's own installer, and runs it from the cache", async () => {
            const { dir, done } = scratch();
            // An install script as get.pulumi.com's is called: --install-root <dir> --version <v>.
            const script = await serve(
                200,
                'while [ $# -gt 0 ]; do [ "$1" = --install-root ] && root="$2"; shift; done\nmkdir -p "$root/bin" && printf "#!/bin/sh\\necho fetched\\n" > "$root/bin/pulumi" && chmod +x "$root/bin/pulumi"\n',
            );
            try {
                const result = await resolvePulumi(
                    search(dir),
                    {},
                    { scriptUrl: script.url, log, execScript: quietScript },
                );
                assert.deepStrictEqual(result, { bin: path.join(dir, "versions", PINNED, "bin", "pulumi") });
            } finally {
                await script.close();
                done();
            }
        });

        it("says why a proxy or a re-signing proxy stops Node's fetch, and installs by hand on Windows too", () => {
            const failure = new CliFetchError(
                "script",
                INSTALL_SCRIPT_URL,
                "UNABLE_TO_GET_ISSUER_CERT_LOCALLY unable to get local issuer certificate",
            );
            assert.strictEqual(
                fetchFailureMessage(failure, "3.265.0", "darwin", "arm64", { HTTPS_PROXY: "http://proxy:3128" }),
                "pulumi: no Pulumi CLI on your PATH, and the pinned 3.265.0 could not be fetched from https://get.pulumi.com/install.sh (UNABLE_TO_GET_ISSUER_CERT_LOCALLY unable to get local issuer certificate). Node's fetch does not use HTTPS_PROXY, which is set here; curl does. A proxy that re-signs TLS needs its CA in NODE_EXTRA_CA_CERTS. Install it with `curl -fsSL https://get.pulumi.com | sh -s -- --version 3.265.0`, open a new shell so that it is on your PATH, and run the command again (docs/getting-started.md#the-pulumi-cli).",
            );
            assert.strictEqual(
                installCommand("3.265.0", "win32"),
                'powershell -NoProfile -Command "& $([scriptblock]::Create((iwr -useb https://get.pulumi.com/install.ps1))) -Version 3.265.0"',
            );
        });
    });
});

/** Runs an install script as the shim does, its output kept out of the test's. */
function quietScript(scriptPath: string, args: string[]): void {
    const result = spawnSync("/bin/sh", [scriptPath, ...args], { encoding: "utf8" });
    if (result.status !== 0) throw Object.assign(new Error(result.stderr), { status: result.status });
}
