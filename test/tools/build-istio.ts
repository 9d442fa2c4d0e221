// `npm run build:istio`: builds Istio's control plane (pilot-discovery, istiod's binary) and our
// analyzer program (test/apiserver/go/istio/analyze, Istio's config analyzers over many inputs)
// from the Go module proxy into .cache/apiserver/<name>-<version>[-<digest>]/. Istio is pinned
// in one place, the go.mod of the wrapper module test/apiserver/go/istio/, beside the API
// server's pins; the analyzer's key also carries a digest of our own main.go, go.mod and go.sum.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Binary, binaryPath, ensureBinary } from "./build-apiserver";
import { type Console, runAsProgram } from "./command";

const ROOT = path.resolve(__dirname, "../..");
const WRAPPER = path.join(ROOT, "test/apiserver/go/istio");
const ISTIO_MODULE = "istio.io/istio";

/** The pseudo-version's last part: the 12-digit commit it was cut from. */
export function commitOf(version: string): string {
    return /-([0-9a-f]{12})$/.exec(version)?.[1] ?? "unknown";
}

/**
 * Istio stamps its build at link time (common/scripts/report_build_info.sh); a plain `go
 * build` reports "unknown". The version is what Istio's Makefile gives a build of a branch,
 * the VERSION file plus `-dev` ("1.31-dev"), read from the module the proxy served.
 */
function istioVersionFlags(version: string): string[] {
    const download = execFileSync("go", ["mod", "download", "-json", `${ISTIO_MODULE}@${version}`], {
        cwd: WRAPPER,
        encoding: "utf8",
    });
    const dir = (JSON.parse(download) as { Dir: string }).Dir;
    const branch = fs.readFileSync(path.join(dir, "VERSION"), "utf8").trim();
    const pkg = "istio.io/istio/pkg/version";
    return [
        `-X ${pkg}.buildVersion=${branch}-dev`,
        `-X ${pkg}.buildGitRevision=${commitOf(version)}`,
        `-X ${pkg}.buildStatus=Clean`,
        `-X ${pkg}.buildTag=${version}`,
        // The hub the 1.31 charts pull from (test/support/vendored-charts.ts ISTIO_CHART_HUBS).
        `-X ${pkg}.buildHub=docker.io/istio`,
        `-X ${pkg}.buildOS=linux`,
        `-X ${pkg}.buildArch=amd64`,
    ];
}

/** istiod's own binary, as Istio's image runs it: `pilot-discovery discovery ...`. */
export const PILOT_DISCOVERY: Binary = {
    name: "pilot-discovery",
    wrapper: "istio",
    module: ISTIO_MODULE,
    main: "istio.io/istio/pilot/cmd/pilot-discovery",
    ldflags: istioVersionFlags,
};

/** Our program: Istio's analyzers, fed files as Istio's analyzer tests feed them, many cases per run. */
export const ANALYZER: Binary = {
    name: "istio-analyze",
    wrapper: "istio",
    module: ISTIO_MODULE,
    main: "./analyze",
    ldflags: istioVersionFlags,
    ownSources: ["analyze/main.go"],
};

/** Whether a binary is built already (so a run needs no Go toolchain and no proxy). */
export function isBuilt(binary: Binary): boolean {
    return fs.existsSync(binaryPath(binary));
}

/** Builds `binary` unless built; a machine without Go gets told what it needs, not `spawn go ENOENT`. */
async function ensureIstioBinary(binary: Binary, io: Console): Promise<string> {
    try {
        return await ensureBinary(binary, io);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        throw new Error(
            `building ${binary.name} needs Go 1.26 or newer on PATH and the Go module proxy ` +
                `(docs/istio-in-the-loop.md): ${(error as Error).message}`,
        );
    }
}

/** The analyzer, built if missing: the `npm test` path. */
export function ensureAnalyzer(io: Console): Promise<string> {
    return ensureIstioBinary(ANALYZER, io);
}

/** istiod, built if missing: the API-server suite's path. */
export function ensurePilotDiscovery(io: Console): Promise<string> {
    return ensureIstioBinary(PILOT_DISCOVERY, io);
}

if (require.main === module) {
    runAsProgram(async (_args, io) => {
        const analyzer = await ensureAnalyzer(io);
        const istiod = await ensurePilotDiscovery(io);
        io.out(`istio-analyze: ${analyzer}\npilot-discovery: ${istiod}`);
        return 0;
    });
}
