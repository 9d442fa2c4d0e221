// `npm run build:apiserver`: builds etcd and kube-apiserver from the Go module proxy into
// .cache/apiserver/<name>-<version>/, for the apiserver suite (test/apiserver/). The versions
// are pinned in one place each: the wrapper modules' go.mod under test/apiserver/go/, whose
// go.sum the build verifies. A binary already built for its version is not built again.
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Console, runAsProgram } from "./command";

const ROOT = path.resolve(__dirname, "../..");
const WRAPPERS = path.join(ROOT, "test/apiserver/go");
export const CACHE = path.join(ROOT, ".cache/apiserver");

/** One binary: the wrapper module that pins it and the package `go build` compiles. */
export interface Binary {
    name: string;
    /** Directory of the wrapper module under test/apiserver/go. */
    wrapper: string;
    /** The module whose version names the binary. */
    module: string;
    /** The main package to build, inside the wrapper module's build list. */
    main: string;
    /** Linker flags that stamp the version; built from the module's version. */
    ldflags(version: string): string[];
    /**
     * Source files of our own in the wrapper (a `main` we wrote), relative to it: their digest
     * joins the version in the cache key, so that a change to them builds anew.
     */
    ownSources?: readonly string[];
}

/**
 * Kubernetes stamps its version at link time (hack/lib/version.sh); a plain `go build` leaves
 * "v0.0.0-master", which clients and discovery would read. Both copies of the version package
 * are stamped: component-base's serves /version, client-go's is what in-process clients send.
 */
function kubernetesVersionFlags(version: string): string[] {
    const [major, minor] = version.replace(/^v/, "").split(".");
    const packages = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"];
    return packages.flatMap((pkg) => [
        `-X ${pkg}.gitVersion=${version}`,
        `-X ${pkg}.gitMajor=${major}`,
        `-X ${pkg}.gitMinor=${minor}`,
        `-X ${pkg}.gitTreeState=clean`,
        // Built from the module zip, not a git checkout: no commit to name.
        `-X ${pkg}.gitCommit=`,
    ]);
}

export const BINARIES: readonly Binary[] = [
    {
        name: "etcd",
        wrapper: "etcd",
        module: "go.etcd.io/etcd/server/v3",
        main: ".",
        // etcd's version is a constant in its api module; nothing to stamp.
        ldflags: () => [],
    },
    {
        name: "kube-apiserver",
        wrapper: "kube-apiserver",
        module: "k8s.io/kubernetes",
        main: "k8s.io/kubernetes/cmd/kube-apiserver",
        ldflags: kubernetesVersionFlags,
    },
];

/** The version a wrapper's go.mod requires of `module`: the one pin. */
export function pinnedVersion(binary: Binary): string {
    const goMod = fs.readFileSync(path.join(WRAPPERS, binary.wrapper, "go.mod"), "utf8");
    const escaped = binary.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
    if (!match) throw new Error(`${binary.wrapper}/go.mod requires no ${binary.module}`);
    return match[1];
}

/** A short digest of the wrapper's own sources (and its go.mod and go.sum), or "" when it has none. */
function ownSourcesDigest(binary: Binary): string {
    if (binary.ownSources === undefined) return "";
    const hash = crypto.createHash("sha256");
    for (const file of [...binary.ownSources, "go.mod", "go.sum"]) {
        hash.update(`${file}\0`).update(fs.readFileSync(path.join(WRAPPERS, binary.wrapper, file)));
    }
    return `-${hash.digest("hex").slice(0, 12)}`;
}

/** Where a binary of this version lives once built. */
export function binaryPath(binary: Binary): string {
    return path.join(CACHE, `${binary.name}-${pinnedVersion(binary)}${ownSourcesDigest(binary)}`, binary.name);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, io: Console): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (chunk: Buffer) => io.out(chunk.toString().trimEnd()));
        child.stderr.on("data", (chunk: Buffer) => io.err(chunk.toString().trimEnd()));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`)),
        );
    });
}

/** Builds one binary unless it is there; resolves to its path. */
export async function ensureBinary(binary: Binary, io: Console): Promise<string> {
    const target = binaryPath(binary);
    if (fs.existsSync(target)) return target;
    const version = pinnedVersion(binary);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written beside the target and renamed when complete, so an interrupted build is not
    // mistaken for a finished one by the next run.
    const partial = `${target}.partial-${process.pid}`;
    const env = {
        ...process.env,
        // Static binaries: no libc dependency, the same on every machine.
        CGO_ENABLED: "0",
        // go.mod and go.sum are the pin; a build that would change them fails instead.
        GOFLAGS: "-mod=readonly",
    };
    const ldflags = ["-s", "-w", ...binary.ldflags(version)].join(" ");
    const started = Date.now();
    io.out(`building ${binary.name} ${version} (first run only; several minutes on 2 cores)`);
    await run(
        "go",
        ["build", "-trimpath", "-ldflags", ldflags, "-o", partial, binary.main],
        path.join(WRAPPERS, binary.wrapper),
        env,
        io,
    );
    fs.renameSync(partial, target);
    io.out(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
    return target;
}

export interface ControlPlaneBinaries {
    etcd: string;
    kubeApiserver: string;
}

/** Both binaries, built if missing; one after the other, since `go build` already uses every core. */
export async function ensureBinaries(io: Console): Promise<ControlPlaneBinaries> {
    const [etcd, apiserver] = BINARIES;
    return { etcd: await ensureBinary(etcd, io), kubeApiserver: await ensureBinary(apiserver, io) };
}

if (require.main === module) {
    runAsProgram(async (_args, io) => {
        const built = await ensureBinaries(io);
        io.out(`etcd: ${built.etcd}\nkube-apiserver: ${built.kubeApiserver}`);
        return 0;
    });
}
