import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import type { ChartKeys, ChartKeysFile, KeyNode, KeyTree } from "../../components/args/known-keys";
import { ADDON_CHARTS, ISTIO_RELEASES, istioCharts, istioMinor, PinnedChart } from "../../components/versions";
import { RENDERED_WHOLE } from "../support/reference";
import { templateValueKeys } from "../support/template-keys";
import { CHARTS_DIR, vendoredChartFor } from "../support/vendored-charts";
import { Console, generatedFileCommand, runAsProgram } from "./command";

/**
 * `npm run chart-keys [-- --check]`: components/args/chart-keys.json, the keys each pinned
 * chart reads, which the component checks `chartValues` against at run time. Made from what
 * test/support/reference.ts checks our own values against: each chart's values.yaml (and
 * istiod's demo profile) in test/reference/, and the keys its templates read
 * (template-value-keys.json); the CNI and ztunnel charts, which have no reference files,
 * from their vendored source in test/charts/, their template keys found the same way
 * (`templateValueKeys`). The same rules, but stricter in three places, each a typo the
 * tests' rule lets through:
 * - a template key that no other extends is read whole (any key under it), unless
 *   values.yaml gives it a string, number or boolean: a map there is a mistake;
 * - Istio's charts' own machinery (`_internal_defaults_do_not_set`, `defaults`, `_original`)
 *   is no key of the user's;
 * - a key the templates copy to the top level (istiod's `pilot`, the CNI chart's `cni`) is
 *   not read whole: what is under it is checked as the same path at the top.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const REFERENCE = path.join(ROOT, "test", "reference");
export const CHART_KEYS_PATH = "components/args/chart-keys.json";

type Tree = Record<string, unknown>;

/** Keys of Istio's charts that are their machinery: the defaults' holder, a check that fails, a copy. */
const ISTIO_INTERNAL = ["_internal_defaults_do_not_set", "defaults", "_original"];

/**
 * Maps the charts write whole into an application's own configuration, whose fields the
 * application defines (besides reference.ts's RENDERED_WHOLE): istiod writes `meshConfig`
 * into the `istio` ConfigMap as it is, and its fields are MeshConfig's.
 */
const APPLICATION_CONFIG: Readonly<Record<string, readonly string[]>> = {
    istiod: ["meshConfig"],
};

/** Where each chart's values and template keys come from. */
interface ChartSources {
    /** `<chart> <version>`, as chart-keys.json names it. */
    readonly id: string;
    /** RENDERED_WHOLE's and template-value-keys.json's name for it, if reference.ts checks it. */
    readonly reference?: string;
    readonly valuesFiles: readonly string[];
    readonly templateKeys: readonly string[];
    /** Its vendored source, for the keys its templates copy to the top. */
    readonly chartDir: string;
    readonly istio: boolean;
    readonly chart: string;
}

const referenceKeys = (): Record<string, string[]> =>
    JSON.parse(fs.readFileSync(path.join(REFERENCE, "template-value-keys.json"), "utf8")) as Record<string, string[]>;

/** Every chart the mesh installs, at every version it may install. */
function chartSources(): ChartSources[] {
    const templateKeys = referenceKeys();
    const vendored = (pin: PinnedChart): string => path.join(CHARTS_DIR, vendoredChartFor(pin).dir);
    const istio = ISTIO_RELEASES.flatMap((release) =>
        Object.values(istioCharts(release)).map((pin): ChartSources => {
            const minor = istioMinor(release);
            const reference = `istio-${minor}/${pin.chart}`;
            const referenced = templateKeys[reference] !== undefined;
            return {
                id: `${pin.chart} ${minor}`,
                ...(referenced && { reference }),
                valuesFiles: referenced
                    ? [
                          path.join(REFERENCE, `${reference}.values.yaml`),
                          ...(pin.chart === "istiod"
                              ? [path.join(REFERENCE, `istio-${minor}`, "demo-profile.values.yaml")]
                              : []),
                      ]
                    : [path.join(vendored(pin), "values.yaml")],
                templateKeys: referenced ? templateKeys[reference] : templateValueKeys(vendored(pin)),
                chartDir: vendored(pin),
                istio: true,
                chart: pin.chart,
            };
        }),
    );
    const addons = Object.values(ADDON_CHARTS).map((pin): ChartSources => {
        const reference = `${pin.chart}-${pin.version}`;
        return {
            id: `${pin.chart} ${pin.version}`,
            reference,
            valuesFiles: [path.join(REFERENCE, reference, "values.yaml")],
            templateKeys: templateKeys[reference],
            chartDir: vendored(pin),
            istio: false,
            chart: pin.chart,
        };
    });
    return [...istio, ...addons];
}

const isMap = (value: unknown): value is Tree => typeof value === "object" && value !== null && !Array.isArray(value);

/** A values file as the chart sees it: Istio's keep their defaults under one key, merged into the top. */
function readValues(file: string): Tree {
    const tree = (yaml.load(fs.readFileSync(file, "utf8")) as Tree | null) ?? {};
    const internal = tree["_internal_defaults_do_not_set"];
    return isMap(internal) ? { ...tree, ...internal } : tree;
}

/** The key tree of a values file: an empty map is free, a scalar, list or null a single value. */
function valuesTree(values: Tree): KeyTree {
    return Object.fromEntries(
        Object.entries(values).map(([key, value]): [string, KeyNode] => [
            key,
            isMap(value) ? (Object.keys(value).length === 0 ? "*" : valuesTree(value)) : 1,
        ]),
    );
}

/** Two key trees as one: a free map wins, keys of both are kept. */
function union(a: KeyNode | undefined, b: KeyNode): KeyNode {
    if (a === undefined || a === 1) {
        return b;
    }
    if (a === "*" || b === "*") {
        return "*";
    }
    if (b === 1) {
        return a;
    }
    const merged: Record<string, KeyNode> = { ...a };
    for (const [key, node] of Object.entries(b)) {
        merged[key] = union(merged[key], node);
    }
    return merged;
}

/** The tree of a path: every key on it read, the last one as `leaf`. */
function pathTree(segments: readonly string[], leaf: KeyNode): KeyTree {
    const [head, ...rest] = segments;
    return { [head]: rest.length === 0 ? leaf : pathTree(rest, leaf) };
}

/**
 * A dotted key as segments, a key with dots in it (`grafana.ini`, which templates read as
 * `index .Values "grafana.ini"`) kept whole where the values' keys have it.
 */
function segmentsOf(known: KeyNode, dotted: string): string[] {
    const parts = dotted.split(".");
    const segments: string[] = [];
    let node: KeyNode | undefined = known;
    for (let at = 0; at < parts.length; ) {
        let length = 1;
        for (let candidate = parts.length - at; candidate > 1; candidate--) {
            if (typeof node === "object" && parts.slice(at, at + candidate).join(".") in node) {
                length = candidate;
                break;
            }
        }
        const segment = parts.slice(at, at + length).join(".");
        segments.push(segment);
        node = typeof node === "object" ? node[segment] : undefined;
        at += length;
    }
    return segments;
}

/** The value the values files give a path, or undefined. */
function defaultAt(values: readonly Tree[], segments: readonly string[]): unknown {
    for (const tree of values) {
        let node: unknown = tree;
        for (const key of segments) {
            node = isMap(node) ? node[key] : undefined;
        }
        if (node !== undefined) {
            return node;
        }
    }
    return undefined;
}

const isScalar = (value: unknown): boolean => ["string", "number", "boolean"].includes(typeof value);

/** The keys one chart reads. */
export function chartKeys(sources: ChartSources): ChartKeys {
    const values = sources.valuesFiles.map(readValues);
    const internal = sources.istio ? ISTIO_INTERNAL : [];
    let keys: KeyNode = {};
    for (const tree of values) {
        keys = union(keys, valuesTree(tree));
    }
    const fromValues = keys;
    const templates = sources.templateKeys.filter((key) => !internal.includes(key.split(".")[0]));
    for (const key of templates) {
        keys = union(keys, pathTree(segmentsOf(fromValues, key), 1));
    }
    const readWhole = templates.filter(
        (key) =>
            !templates.some((other) => other.startsWith(`${key}.`)) &&
            !isScalar(defaultAt(values, segmentsOf(fromValues, key))),
    );
    const applicationConfig = [
        ...(sources.reference === undefined ? [] : (RENDERED_WHOLE[sources.reference] ?? [])),
        ...(APPLICATION_CONFIG[sources.chart] ?? []),
    ];
    for (const key of [...readWhole, ...applicationConfig]) {
        keys = union(keys, pathTree(segmentsOf(fromValues, key), "*"));
    }
    const descoped = descopedKey(sources.chartDir);
    const own = Object.fromEntries(
        Object.entries(keys as KeyTree).filter(([key]) => !internal.includes(key) && key !== descoped),
    );
    return { ...(descoped !== undefined && { descoped }), keys: sorted(own) };
}

/** The key a chart's templates copy to the top level (`mustMergeOverwrite $.Values (index $.Values "pilot")`). */
function descopedKey(chartDir: string): string | undefined {
    const templates = path.join(chartDir, "templates");
    for (const file of fs.readdirSync(templates).filter((name) => /\.(yaml|tpl)$/.test(name))) {
        const text = fs.readFileSync(path.join(templates, file), "utf8");
        const match = /mustMergeOverwrite \$\.Values \(index \$\.Values "([^"]+)"\)/.exec(text);
        if (match !== null) {
            return match[1];
        }
    }
    return undefined;
}

function sorted(tree: KeyTree): KeyTree {
    return Object.fromEntries(
        Object.keys(tree)
            .sort()
            .map((key) => {
                const node = tree[key];
                return [key, typeof node === "object" ? sorted(node) : node];
            }),
    );
}

/** The file's text, as `npm run chart-keys` writes it. */
export function chartKeysText(): string {
    const file: ChartKeysFile & { "//": string } = {
        "//": "Generated by `npm run chart-keys` (test/tools/chart-keys.ts) from test/reference/ and test/charts/: the keys each pinned chart reads. Do not edit.",
        charts: Object.fromEntries(chartSources().map((sources) => [sources.id, chartKeys(sources)])),
    };
    return `${JSON.stringify(file, null, 1)}\n`;
}

export function chartKeysCommand(args: readonly string[], io: Console, root = ROOT): Promise<number> {
    return generatedFileCommand(args, io, {
        script: "chart-keys",
        root,
        file: CHART_KEYS_PATH,
        expected: async () => chartKeysText(),
    });
}

if (require.main === module) {
    runAsProgram((args, io) => chartKeysCommand(args, io));
}
