import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { ROOT } from "./program";

/**
 * The npm package as a TypeScript program gets it: built (`npm run build`, which `prepare`
 * runs on install), packed (`npm pack`), installed into a temporary program's node_modules,
 * and type-checked there against the declarations it ships. Its dependencies are linked from
 * ours, as npm would install the same pinned versions; Node resolves the links to our copies,
 * so the program runs under the same mocked runtime as the tests.
 */

const run = promisify(execFile);

/** A temporary program with the packed package installed. */
export interface PackedConsumer {
    /** The program's directory. */
    readonly dir: string;
    /** The files the tarball holds, relative to the package's root, sorted. */
    readonly files: readonly string[];
    /** The compiler's findings for the program's files, one per line ("" when none). */
    readonly typeErrors: string;
    /** Removes the program. */
    dispose(): void;
}

const bin = (name: string): string => path.join(ROOT, "node_modules", ".bin", name);

/** Links `node_modules/<name>` in `dir` to our copy of the dependency. */
function linkDependency(dir: string, name: string): void {
    const link = path.join(dir, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", name), link, "dir");
}

/**
 * Builds and packs the package, installs the tarball into a new program made of `sources`
 * (file name to text), and type-checks that program the way its own `tsc` would.
 */
export async function packedConsumer(sources: Readonly<Record<string, string>>): Promise<PackedConsumer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "istio-mesh-consumer-"));
    try {
        await run(process.execPath, [path.join(ROOT, "test", "tools", "build-package.mjs")], { cwd: ROOT });
        // Built just above, so the pack's own prepare would only build again.
        const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
            cwd: ROOT,
        });
        const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
        const installed = path.join(dir, "node_modules", "istio-mesh");
        fs.mkdirSync(installed, { recursive: true });
        await run("tar", ["-xzf", path.join(dir, packed.filename), "-C", installed, "--strip-components=1"]);
        const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
            peerDependencies: Record<string, string>;
        };
        // npm installs a package's peers beside it, as the program's own dependencies.
        for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
            linkDependency(dir, name);
        }
        // What the program itself uses, as its own package.json would list it.
        linkDependency(dir, path.join("@types", "node"));
        for (const [file, text] of Object.entries(sources)) {
            fs.writeFileSync(path.join(dir, file), text);
        }
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    target: "ES2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    types: ["node"],
                    noEmit: true,
                    skipLibCheck: true,
                },
                files: Object.keys(sources).filter((file) => file.endsWith(".ts")),
            }),
        );
        const typeErrors = await run(bin("tsc"), ["-p", dir, "--pretty", "false"], { cwd: dir }).then(
            () => "",
            (failed: { stdout?: string }) => (failed.stdout ?? "").trim(),
        );
        return {
            dir,
            files: packed.files.map((f) => f.path).sort(),
            typeErrors,
            dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
        };
    } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
}
