import * as fs from "fs";
import * as path from "path";
import { ArtifactError } from "../support/npm-artifact";
import { helmBinary, HelmError } from "../support/helm";
import { ROOT } from "../support/program";
import { renderStack, RenderError } from "../support/render";
import { VendorError } from "../support/vendored-charts";
import { Console, runAsProgram } from "./command";
import { hasStackFile } from "./snapshot";

/**
 * `npm run render -- [<stack>] [--out DIR]`: what `pulumi up` would apply from each chart,
 * as `helm template` would show it: one YAML file per Helm release, rendered with the
 * stack's exact chart values by the pinned Helm, the way Chart v4 renders.
 */

export const RENDER_USAGE = "usage: npm run render -- [<stack>] [--out DIR]";

/** Where a stack's manifests go unless --out says otherwise (ignored by git). */
function defaultOutDir(stack: string): string {
    return path.join(ROOT, ".cache", "render", stack);
}

/** Runs the command; resolves to its exit code (0 written, 1 failed, 2 misused). */
export async function render(args: readonly string[], io: Console): Promise<number> {
    const rest = [...args];
    let out: string | undefined;
    const outAt = rest.indexOf("--out");
    if (outAt !== -1) {
        out = rest[outAt + 1];
        rest.splice(outAt, 2);
    }
    if (
        rest.some((arg) => arg.startsWith("-")) ||
        rest.length > 1 ||
        (outAt !== -1 && (out === undefined || out.startsWith("-")))
    ) {
        io.err(RENDER_USAGE);
        return 2;
    }
    const stack = rest[0] ?? "dev";
    if (!hasStackFile(stack, io)) {
        return 2;
    }
    try {
        // A missing or corrupt Helm stops the command before anything is evaluated.
        helmBinary();
        const { releases } = await renderStack(stack);
        const dir = path.resolve(out ?? defaultOutDir(stack));
        if (out === undefined) {
            // Our own folder: a release the stack no longer has must not linger there.
            fs.rmSync(dir, { recursive: true, force: true });
        }
        fs.mkdirSync(dir, { recursive: true });
        for (const release of releases) {
            const file = path.join(dir, `${release.release}.yaml`);
            fs.writeFileSync(file, release.manifest);
            const shown = path.relative(process.cwd(), file);
            io.out(
                `${shown.startsWith("..") ? file : shown}  (${release.chart} ${release.version}, ${release.objects.length} objects)`,
            );
        }
        return 0;
    } catch (error) {
        if (
            error instanceof HelmError ||
            error instanceof ArtifactError ||
            error instanceof RenderError ||
            error instanceof VendorError
        ) {
            io.err(error.message);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runAsProgram(render);
}
