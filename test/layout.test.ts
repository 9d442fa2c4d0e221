import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./support/program";

/**
 * The layout is the architecture: the component's contract and checks (args/) -> sizing ->
 * values -> mesh/, addons/ -> the wiring -> the component and the stack config's translation
 * -> index.ts; imports one way only, no cycles.
 */

/** Each module's layer; a module may import only lower layers, or its own folder. */
function layerOf(file: string): number {
    const relative = path.relative(ROOT, file);
    const layers: [RegExp, number][] = [
        [/^components\/versions\.ts$/, 0],
        [/^components\/args\//, 1],
        [/^components\/sizing\//, 2],
        [/^components\/(mesh-settings\.ts|values\/)/, 3],
        [/^components\/chart\.ts$/, 4],
        [/^components\/(mesh|addons|policies)\//, 5],
        [/^components\/wiring\//, 6],
        // The component, and the translation of a stack's config into its arguments: neither
        // imports the other (same layer, another folder), so the component reads no config.
        [/^components\/(istio-mesh\.ts|index\.ts|config\/)/, 7],
        [/^index\.ts$/, 8],
    ];
    const found = layers.find(([pattern]) => pattern.test(relative));
    if (found === undefined) {
        throw new Error(
            `${relative} is in no layer: put it in args/, sizing/, values/, mesh/, addons/, policies/, wiring/ or config/`,
        );
    }
    return found[1];
}

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sources(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** The project modules a file imports. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map(
        (match) => `${path.resolve(path.dirname(file), match[1])}.ts`,
    );
}

/** Imports of a higher layer, or of the same layer in another folder (mesh/ and addons/). */
function backwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
    return [...graph].flatMap(([file, imports]) =>
        imports
            .filter(
                (target) =>
                    layerOf(target) > layerOf(file) ||
                    (layerOf(target) === layerOf(file) && path.dirname(target) !== path.dirname(file)),
            )
            .map((target) => `${path.relative(ROOT, file)} imports ${path.relative(ROOT, target)}`),
    );
}

describe("layout", () => {
    const files = [...sources(path.join(ROOT, "components")), path.join(ROOT, "index.ts")];
    const graph = new Map(files.map((file) => [file, importsOf(file)]));

    it("imports one way: args, sizing, values, components, wiring, the component and config, index.ts", () => {
        assert.deepStrictEqual(backwardImports(graph), []);
    });

    it("has no import cycle", () => {
        const cycles: string[] = [];
        const visit = (file: string, trail: string[]): void => {
            if (trail.includes(file)) {
                cycles.push(
                    [...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(" -> "),
                );
                return;
            }
            for (const target of graph.get(file) ?? []) {
                visit(target, [...trail, file]);
            }
        };
        files.forEach((file) => visit(file, []));
        assert.deepStrictEqual([...new Set(cycles)], []);
    });

    it("the check names a backward import, an import across mesh/ and addons/, and a file in no layer", () => {
        const at = (file: string): string => path.join(ROOT, file);
        const wrong = new Map([
            [at("components/args/read-settings.ts"), [at("components/sizing/budget.ts")]],
            [at("components/istio-mesh.ts"), [at("components/config/stack-config.ts")]],
            [
                at("components/addons/kiali.ts"),
                [at("components/mesh/gateway.ts"), at("components/addons/kiali-credentials.ts")],
            ],
        ]);
        assert.deepStrictEqual(backwardImports(wrong), [
            "components/args/read-settings.ts imports components/sizing/budget.ts",
            "components/istio-mesh.ts imports components/config/stack-config.ts",
            "components/addons/kiali.ts imports components/mesh/gateway.ts",
        ]);
        assert.throws(() => layerOf(at("components/misc.ts")), /components\/misc\.ts is in no layer/);
    });
});
