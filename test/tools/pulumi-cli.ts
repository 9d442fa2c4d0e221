import { spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { runAsProgram, type Console } from "./command";

/**
 * `npm run pulumi -- <args>`, and the CLI `npm run up` and `npm run preview` run: the Pulumi
 * CLI a Pulumi user has, on PATH, when there is one; otherwise the one package.json pins
 * (the devDependency `pulumi`, an npm shim that fetches the CLI into ~/.pulumi/versions/ on
 * first use), fetched here so that a failure says from where, why, and the command that
 * installs the CLI instead. npm puts node_modules/.bin first on PATH, so the shim is skipped
 * by name; so is any other npm shim (a global `npm i -g pulumi`), which is no CLI either.
 * Runs with the local file backend unless PULUMI_BACKEND_URL says otherwise.
 */

/** The devDependency that pins the CLI; its version is the CLI's. */
const SHIM_PACKAGE = "pulumi";
/** What the shim fetches first: the official install script, which fetches the CLI's archive. */
export const INSTALL_SCRIPT_URL = "https://get.pulumi.com/install.sh";
/** Where a CLI runs its state when PULUMI_BACKEND_URL does not say: no Pulumi Cloud account needed. */
export const DEFAULT_BACKEND = "file://~";

/** The CLI to run: one on PATH, or the pinned one, already in the shim's cache or not. */
export type CliChoice =
    | { readonly source: "path"; readonly bin: string }
    | { readonly source: "pinned"; readonly bin: string; readonly version: string; readonly cached: boolean };

/** What the choice looks at: the environment and the file system, as functions a test fakes. */
export interface CliSearch {
    /** PATH, as the npm script gets it. */
    readonly path: string;
    readonly platform: NodeJS.Platform;
    /** The CLI version package.json pins. */
    readonly pinnedVersion: string;
    /** PULUMI_HOME, or ~/.pulumi: where the shim caches each version. */
    readonly pulumiHome: string;
    readonly isExecutable: (file: string) => boolean;
    /** The file a path resolves to, symlinks followed. */
    readonly realpath: (file: string) => string;
}

const executableName = (platform: NodeJS.Platform): string => (platform === "win32" ? "pulumi.exe" : "pulumi");

/** Whether `file` is inside a node_modules folder: an npm package's bin, never the CLI itself. */
function inNodeModules(file: string): boolean {
    return file.split(/[\\/]/).includes("node_modules");
}

/** Where the shim keeps (and looks for) the CLI of `version`. */
export function pinnedBinary(pulumiHome: string, version: string, platform: NodeJS.Platform): string {
    return path.join(pulumiHome, "versions", version, "bin", executableName(platform));
}

/**
 * The CLI to run: the first `pulumi` on PATH that is no npm shim (neither in a node_modules
 * folder nor a link into one), else the pinned version from the shim's cache, `cached` telling
 * whether it must be fetched first.
 */
export function choosePulumi(search: CliSearch): CliChoice {
    const separator = search.platform === "win32" ? ";" : ":";
    for (const dir of search.path.split(separator)) {
        if (dir === "" || inNodeModules(dir)) {
            continue;
        }
        const candidate = path.join(dir, executableName(search.platform));
        if (search.isExecutable(candidate) && !inNodeModules(search.realpath(candidate))) {
            return { source: "path", bin: candidate };
        }
    }
    const bin = pinnedBinary(search.pulumiHome, search.pinnedVersion, search.platform);
    return { source: "pinned", bin, version: search.pinnedVersion, cached: search.isExecutable(bin) };
}

/** A regular, non-empty file we may execute (the shim's own test of its cache). */
export function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        const stat = fs.statSync(file);
        return stat.isFile() && stat.size > 0;
    } catch {
        return false;
    }
}

/** The search as this process sees it. */
export function currentSearch(
    env: NodeJS.ProcessEnv = process.env,
    root = path.resolve(__dirname, "..", ".."),
): CliSearch {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
    };
    return {
        path: env.PATH ?? "",
        platform: process.platform,
        pinnedVersion: pkg.devDependencies[SHIM_PACKAGE],
        pulumiHome: env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"),
        isExecutable,
        realpath: (file) => fs.realpathSync(file),
    };
}

/** The one command that installs the pinned CLI by hand, on `platform`. */
export function installCommand(version: string, platform: NodeJS.Platform): string {
    return platform === "win32"
        ? `powershell -NoProfile -Command "& $([scriptblock]::Create((iwr -useb https://get.pulumi.com/install.ps1))) -Version ${version}"`
        : `curl -fsSL https://get.pulumi.com | sh -s -- --version ${version}`;
}

/** The archive the install script downloads for this platform. */
export function archiveName(version: string, platform: NodeJS.Platform, arch: string): string {
    const system = platform === "win32" ? "windows" : platform;
    const cpu = arch === "arm64" ? "arm64" : "x64";
    return `pulumi-v${version}-${system}-${cpu}.${platform === "win32" ? "zip" : "tar.gz"}`;
}

/** Why the pinned CLI could not be had: the step, the address and the cause. */
export class CliFetchError extends Error {
    constructor(
        readonly step: "script" | "install",
        readonly url: string,
        readonly cause: string,
    ) {
        super(`${url}: ${cause}`);
        this.name = "CliFetchError";
    }
}

/** What went wrong in a failed fetch, as Node words it: its cause's code and message. */
export function fetchCause(error: unknown): string {
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause : error instanceof Error ? error : new Error(String(error));
    const code = (inner as { code?: string }).code;
    return code !== undefined && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message;
}

/**
 * The message for a pinned CLI that could not be fetched: from where, why, and the one
 * command that installs it, with what explains the usual causes (a proxy Node's fetch does
 * not use, a TLS-intercepting proxy).
 */
export function fetchFailureMessage(
    failure: CliFetchError,
    version: string,
    platform: NodeJS.Platform,
    arch: string,
    env: NodeJS.ProcessEnv,
): string {
    const where =
        failure.step === "script"
            ? `could not be fetched from ${failure.url} (${failure.cause})`
            : `could not be installed: the install script from ${failure.url} failed (${failure.cause}) while it fetched ${archiveName(version, platform, arch)} from GitHub's releases or https://get.pulumi.com/releases/sdk/`;
    const proxy = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].find((name) => env[name]);
    const hints = [
        ...(proxy !== undefined && failure.step === "script"
            ? [`Node's fetch does not use ${proxy}, which is set here; curl does`]
            : []),
        ...(/CERT|certificate/i.test(failure.cause)
            ? ["a proxy that re-signs TLS needs its CA in NODE_EXTRA_CA_CERTS"]
            : []),
    ];
    return [
        `pulumi: no Pulumi CLI on your PATH, and the pinned ${version} ${where}.`,
        ...hints.map((hint) => `${hint[0].toUpperCase()}${hint.slice(1)}.`),
        `Install it with \`${installCommand(version, platform)}\`, open a new shell so that it is on your PATH, and run the command again (docs/getting-started.md#the-pulumi-cli).`,
    ].join(" ");
}

/** The shim's own modules, so that the CLI is fetched exactly as `npx pulumi` fetches it. */
interface ShimDownload {
    installCLI(
        version: string,
        root: string,
        io: {
            fetchText(url: string): Promise<string>;
            execScript?(scriptPath: string, args: string[]): void;
        },
    ): Promise<void>;
}

function shimDownload(root: string): ShimDownload {
    return createRequire(path.join(root, "package.json"))(`${SHIM_PACKAGE}/lib/download.js`) as ShimDownload;
}

/** GETs `url` as text; fails with the address and Node's cause, or the HTTP status. */
export async function fetchText(url: string): Promise<string> {
    let response: Response;
    try {
        response = await fetch(url);
    } catch (error) {
        throw new CliFetchError("script", url, fetchCause(error));
    }
    if (!response.ok) {
        throw new CliFetchError("script", url, `HTTP ${response.status} ${response.statusText}`.trim());
    }
    return response.text();
}

/** How the fetch of the pinned CLI is done: the defaults are the shim's; tests stand in. */
export interface FetchOptions {
    /** The install script's address; the shim's unless a test serves one. */
    readonly scriptUrl?: string;
    readonly execScript?: (scriptPath: string, args: string[]) => void;
    readonly root?: string;
    /** Where to say that the CLI is being fetched: stderr, so that piped output stays clean. */
    readonly log?: (text: string) => void;
}

/** Fetches the pinned CLI into the shim's cache, as the shim does; a CliFetchError says why not. */
export async function fetchPinned(choice: CliChoice & { source: "pinned" }, options: FetchOptions = {}): Promise<void> {
    const root = options.root ?? path.resolve(__dirname, "..", "..");
    const installRoot = path.dirname(path.dirname(choice.bin));
    const scriptUrl = options.scriptUrl ?? INSTALL_SCRIPT_URL;
    try {
        await shimDownload(root).installCLI(choice.version, installRoot, {
            fetchText: () => fetchText(scriptUrl),
            ...(options.execScript !== undefined && { execScript: options.execScript }),
        });
    } catch (error) {
        if (error instanceof CliFetchError) {
            throw error;
        }
        // The script ran and failed: its own output, on the terminal, said why.
        const status = (error as { status?: unknown }).status;
        throw new CliFetchError(
            "install",
            scriptUrl,
            typeof status === "number" ? `exit status ${status}` : fetchCause(error),
        );
    }
    if (!isExecutable(choice.bin)) {
        throw new CliFetchError("install", scriptUrl, `it left no executable at ${choice.bin}`);
    }
}

/** The CLI to run, fetched if it must be: its path, or the message that says why there is none. */
export async function resolvePulumi(
    search: CliSearch = currentSearch(),
    env: NodeJS.ProcessEnv = process.env,
    options: FetchOptions = {},
): Promise<{ bin: string } | { problem: string }> {
    const choice = choosePulumi(search);
    if (choice.source === "pinned" && !choice.cached) {
        const log = options.log ?? ((text: string) => process.stderr.write(`${text}\n`));
        log(`pulumi: fetching the pinned Pulumi CLI ${choice.version} into ${path.dirname(choice.bin)}`);
        try {
            await fetchPinned(choice, options);
        } catch (error) {
            if (error instanceof CliFetchError) {
                return { problem: fetchFailureMessage(error, choice.version, search.platform, process.arch, env) };
            }
            throw error;
        }
    }
    return { bin: choice.bin };
}

/** The environment a CLI runs in: the file backend by default, its own folder first on PATH. */
export function cliEnvironment(bin: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return {
        ...env,
        PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL || DEFAULT_BACKEND,
        // The language hosts installed beside the CLI (pulumi-language-nodejs) are found there.
        PATH: `${path.dirname(bin)}${path.delimiter}${env.PATH ?? ""}`,
    };
}

/** Runs the CLI with `args`, its output the terminal's; resolves to its exit code. */
export function runCli(bin: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    return new Promise((resolve) => {
        const child = spawn(bin, [...args], { stdio: "inherit", env: cliEnvironment(bin, env) });
        child.on("error", (error) => {
            process.stderr.write(`pulumi: could not start ${bin}: ${error.message}\n`);
            resolve(1);
        });
        child.on("exit", (code, signal) =>
            resolve(code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0))),
        );
    });
}

/** `npm run pulumi -- <args>`. */
export async function pulumiCommand(args: readonly string[], io: Console): Promise<number> {
    const cli = await resolvePulumi();
    if ("problem" in cli) {
        io.err(cli.problem);
        return 1;
    }
    return runCli(cli.bin, args);
}

if (require.main === module) {
    runAsProgram(pulumiCommand);
}
