import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { istioMinor, PinnedChart } from "../../components/versions";
import { ROOT } from "./program";

/**
 * The pinned charts' sources, vendored under test/charts/ (see its README), and how a
 * Chart registration finds its directory.
 */

export const CHARTS_DIR = path.join(ROOT, "test", "charts");

/**
 * Istio's charts in git carry the placeholder version 1.0.0 and a test image registry;
 * Istio's release process writes the release into Chart.yaml and the image hub and tag
 * into istiod's values. SOURCES.yaml's `pinned` names the release each one stands for.
 */
const ISTIO_PLACEHOLDER_VERSION = "1.0.0";

/**
 * The image hub Istio's release writes into each minor's published istiod chart
 * (istio/release-builder `release/build.sh`, `DOCKER_HUB`, "which version to embed in the
 * Helm charts"): `registry.istio.io/release` on release-1.30, `docker.io/istio` from 1.31,
 * when Istio stopped publishing to registry.istio.io and gcr.io (1.31 upgrade notes).
 */
export const ISTIO_CHART_HUBS: Readonly<Record<string, string>> = {
    "1.30": "registry.istio.io/release",
    "1.31": "docker.io/istio",
};

interface Source {
    repo: string;
    ref: string;
    commit: string;
    path: string;
    /** `<chart> <version>`: the pin in components/versions.ts this directory serves. */
    pinned: string;
}

export interface VendoredChart {
    /** Directory under test/charts/. */
    dir: string;
    /** Name and version in its Chart.yaml. */
    name: string;
    chartVersion: string;
    /** The chart and version it renders as. */
    pinned: { chart: string; version: string };
    source: Source;
}

export class VendorError extends Error {}

function readYamlFile<T>(file: string): T {
    return yaml.load(fs.readFileSync(file, "utf8")) as T;
}

/** Every vendored chart, by SOURCES.yaml. */
export function vendoredCharts(): VendoredChart[] {
    const sources = readYamlFile<Record<string, Source>>(path.join(CHARTS_DIR, "SOURCES.yaml"));
    return Object.entries(sources).map(([dir, source]) => {
        const meta = readYamlFile<{ name: string; version: string }>(path.join(CHARTS_DIR, dir, "Chart.yaml"));
        const [chart, version] = source.pinned.split(" ");
        return { dir, name: meta.name, chartVersion: meta.version, pinned: { chart, version }, source };
    });
}

/** Why a vendored chart cannot serve its pin, or undefined when it can. */
export function pinMismatch(vendored: VendoredChart): string | undefined {
    const { chart, version } = vendored.pinned;
    if (vendored.name !== chart) {
        return `test/charts/${vendored.dir}: Chart.yaml names chart ${vendored.name}, SOURCES.yaml pins ${chart} ${version}`;
    }
    if (!isIstioPlaceholder(vendored) && vendored.chartVersion !== version) {
        return `test/charts/${vendored.dir}: Chart.yaml is ${chart} ${vendored.chartVersion}, the pin is ${chart} ${version}`;
    }
    return undefined;
}

/** Whether Istio's placeholder chart from git stands for every patch of its minor release. */
function isIstioPlaceholder(vendored: VendoredChart): boolean {
    return vendored.source.repo === "istio/istio" && vendored.chartVersion === ISTIO_PLACEHOLDER_VERSION;
}

/**
 * Whether `vendored` renders `pinned`: its own pin, or for Istio's placeholder charts any
 * patch of the same minor (a patch release changes images, not templates), so a canary
 * upgrade's two patch versions both render.
 */
function serves(vendored: VendoredChart, pinned: Pick<PinnedChart, "chart" | "version">): boolean {
    if (vendored.pinned.chart !== pinned.chart) {
        return false;
    }
    return (
        vendored.pinned.version === pinned.version ||
        (isIstioPlaceholder(vendored) && istioMinor(vendored.pinned.version) === istioMinor(pinned.version))
    );
}

/** The vendored directory that renders `pinned`, as that release; names what is vendored when none does. */
export function vendoredChartFor(pinned: Pick<PinnedChart, "chart" | "version">): VendoredChart {
    const all = vendoredCharts();
    const match = all.find((vendored) => serves(vendored, pinned));
    const found = match && { ...match, pinned: { chart: match.pinned.chart, version: pinned.version } };
    if (found === undefined) {
        const same = all
            .filter((vendored) => vendored.pinned.chart === pinned.chart)
            .map((v) => `${v.pinned.chart} ${v.pinned.version} (test/charts/${v.dir})`);
        throw new VendorError(
            `no vendored chart for ${pinned.chart} ${pinned.version}; test/charts/ has ${same.length > 0 ? same.join(", ") : "none of that chart"}. Vendor it as test/charts/README.md says`,
        );
    }
    const mismatch = pinMismatch(found);
    if (mismatch !== undefined) {
        throw new VendorError(mismatch);
    }
    return found;
}

const staged = new Map<string, string>();

/**
 * A directory Helm can render `vendored` from: the vendored one itself, or for an Istio
 * chart a copy with its placeholders set to the pinned release, as Istio's release does.
 */
export function chartDirectory(vendored: VendoredChart): string {
    const source = path.join(CHARTS_DIR, vendored.dir);
    if (!isIstioPlaceholder(vendored)) {
        return source;
    }
    const key = `${vendored.dir}@${vendored.pinned.version}`;
    const cached = staged.get(key);
    if (cached !== undefined && fs.existsSync(cached)) {
        return cached;
    }
    const release = vendored.pinned.version;
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "istio-release-")), vendored.pinned.chart);
    fs.cpSync(source, dir, { recursive: true });
    const rewrite = (file: string, edits: [RegExp, string][]): void => {
        const full = path.join(dir, file);
        fs.writeFileSync(
            full,
            edits.reduce(
                (text, [pattern, replacement]) =>
                    replaceExactlyOnce(text, pattern, replacement, `test/charts/${vendored.dir}/${file}`),
                fs.readFileSync(full, "utf8"),
            ),
        );
    };
    rewrite("Chart.yaml", [
        [/^version: 1\.0\.0$/m, `version: ${release}`],
        [/^appVersion: 1\.0\.0$/m, `appVersion: ${release}`],
    ]);
    // istiod and cni keep them under `global:`, ztunnel at the top of its defaults.
    const indent = { istiod: "    ", cni: "    ", ztunnel: "  " }[vendored.pinned.chart];
    if (indent !== undefined) {
        rewrite("values.yaml", [
            [new RegExp(`^${indent}hub: registry\\.istio\\.io\\/testing$`, "m"), `${indent}hub: ${chartHub(release)}`],
            [new RegExp(`^${indent}tag: latest$`, "m"), `${indent}tag: ${release}`],
        ]);
    }
    staged.set(key, dir);
    return dir;
}

function chartHub(release: string): string {
    const hub = ISTIO_CHART_HUBS[istioMinor(release)];
    if (hub === undefined) {
        throw new VendorError(`no published image hub known for Istio ${release}: add its minor to ISTIO_CHART_HUBS`);
    }
    return hub;
}

/** `text` with the one match of `pattern` replaced; a layout change upstream is an error. */
function replaceExactlyOnce(text: string, pattern: RegExp, replacement: string, file: string): string {
    const matches = text.match(new RegExp(pattern.source, "gm"))?.length ?? 0;
    if (matches !== 1) {
        throw new VendorError(
            `${file}: expected one line matching ${pattern}, found ${matches}; Istio's chart layout changed, so update chartDirectory()`,
        );
    }
    return text.replace(pattern, replacement);
}
