import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHART_KEYS, ChartKeys, chartReads, readPath, suggestPath } from "../components/args/known-keys";
import { ROOT } from "./support/program";
import { CHART_KEYS_PATH, chartKeysCommand, chartKeysText } from "./tools/chart-keys";

/**
 * The keys each pinned chart reads (components/args/chart-keys.json, made by `npm run
 * chart-keys` from the files under test/ that check the mesh's own values), which the
 * component checks `chartValues` against at run time, and the key a path it does not read
 * probably meant.
 */

const charts = CHART_KEYS.charts;

describe("the keys each pinned chart reads (components/args/chart-keys.json)", () => {
    it("is what npm run chart-keys makes from test/reference/ and test/charts/, byte for byte", () => {
        assert.strictEqual(fs.readFileSync(path.join(ROOT, CHART_KEYS_PATH), "utf8"), chartKeysText());
    });

    it("npm run chart-keys -- --check names a stale file, and without --check writes it", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "chart-keys-"));
        try {
            fs.mkdirSync(path.join(root, "components", "args"), { recursive: true });
            fs.writeFileSync(path.join(root, CHART_KEYS_PATH), '{"charts":{}}\n');
            const out: string[] = [];
            const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
            assert.strictEqual(await chartKeysCommand(["--check"], io, root), 1);
            assert.strictEqual(await chartKeysCommand([], io, root), 0);
            assert.strictEqual(await chartKeysCommand(["--check"], io, root), 0);
            assert.strictEqual(await chartKeysCommand(["--fix"], io, root), 2);
            assert.deepStrictEqual(out, [
                "components/args/chart-keys.json is stale: run `npm run chart-keys`",
                "wrote components/args/chart-keys.json",
                "components/args/chart-keys.json is up to date",
                "usage: npm run chart-keys [-- --check]",
            ]);
            assert.strictEqual(fs.readFileSync(path.join(root, CHART_KEYS_PATH), "utf8"), chartKeysText());
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("has every chart the mesh installs, Istio's at each supported minor, the add-ons at their pins", () => {
        assert.deepStrictEqual(Object.keys(charts), [
            "base 1.30",
            "istiod 1.30",
            "gateway 1.30",
            "cni 1.30",
            "ztunnel 1.30",
            "base 1.31",
            "istiod 1.31",
            "gateway 1.31",
            "cni 1.31",
            "ztunnel 1.31",
            "prometheus 29.27.0",
            "grafana 12.11.1",
            "jaeger 4.11.1",
            "kiali-server 2.29.0",
        ]);
    });

    it("reads what the charts read: values.yaml's keys, free maps, template keys, keys copied to the top", () => {
        const reads = (id: string, dotted: string[]): boolean => chartReads(charts[id], dotted);
        const read = [
            // A `{}` in values.yaml, and a map the chart writes whole into Grafana's config.
            ["prometheus 29.27.0", ["server", "extraArgs", "query.timeout"]],
            ["grafana 12.11.1", ["grafana.ini", "server", "root_url"]],
            ["grafana 12.11.1", ["podAnnotations", "team"]],
            // istiod and the CNI chart copy `pilot` and `cni` to the top level.
            ["istiod 1.31", ["pilot", "env", "PILOT_ENABLE_STATUS"]],
            ["istiod 1.30", ["env", "PILOT_ENABLE_STATUS"]],
            ["cni 1.31", ["cni", "ambient", "dnsCapture"]],
            // MeshConfig's fields are istiod's, written whole into its ConfigMap.
            ["istiod 1.31", ["meshConfig", "defaultConfig", "holdApplicationUntilProxyStarts"]],
            // Read by the templates only, not in values.yaml.
            ["istiod 1.31", ["sidecarInjectorWebhook", "neverInjectSelector"]],
            ["kiali-server 2.29.0", ["auth", "strategy"]],
        ] as const;
        assert.deepStrictEqual(
            read.filter(([id, at]) => !reads(id, [...at])),
            [],
        );
        const unread = [
            ["prometheus 29.27.0", ["server", "extraArg"]],
            // A single value takes no keys under it, though a template reads it.
            ["prometheus 29.27.0", ["server", "image", "tag", "x"]],
            // Istio's charts' machinery is not the user's.
            ["istiod 1.31", ["_internal_defaults_do_not_set", "hub"]],
            ["istiod 1.31", ["defaults", "hub"]],
            ["istiod 1.31", ["pilot", "envv", "X"]],
            ["gateway 1.31", ["service", "typo"]],
            ["kiali-server 2.29.0", ["deployment", "replica"]],
        ] as const;
        assert.deepStrictEqual(
            unread.filter(([id, at]) => reads(id, [...at])),
            [],
        );
        assert.deepStrictEqual(
            [charts["istiod 1.31"].descoped, charts["cni 1.30"].descoped, charts["gateway 1.31"].descoped],
            ["pilot", "cni", undefined],
        );
    });
});

describe("chart keys: where a path stops being read, and the key it probably meant", () => {
    const chart: ChartKeys = {
        descoped: "pilot",
        keys: {
            env: "*",
            image: { tag: 1, repository: 1 },
            server: { extraArgs: "*", retention: 1, persistentVolume: { size: 1 } },
            "grafana.ini": "*",
        },
    };

    it("reads a path to its end, into a free map, or stops at the first key it does not know", () => {
        assert.deepStrictEqual(
            [
                readPath(chart.keys, ["server", "extraArgs", "a", "b"]),
                readPath(chart.keys, ["server"]),
                readPath(chart.keys, ["server", "retenton"]),
                readPath(chart.keys, ["image", "tag", "major"]),
                readPath(chart.keys, ["pilot", "env"]),
            ],
            [
                { read: true },
                { read: true },
                { read: false, readSegments: 1, underValue: false },
                { read: false, readSegments: 2, underValue: true },
                { read: false, readSegments: 0, underValue: false },
            ],
        );
        assert.deepStrictEqual(
            [chartReads(chart, ["pilot", "env", "X"]), chartReads(chart, ["pilot"]), chartReads(chart, ["pilot", "x"])],
            [true, true, false],
        );
    });

    it("suggests the closest sibling, keeping the rest of the path where it is read; else the same keys under another parent", () => {
        assert.deepStrictEqual(
            [
                suggestPath(chart, ["server", "retenton"]),
                suggestPath(chart, ["server", "extraArg", "log.level"]),
                suggestPath(chart, ["server", "persistentVolum", "sise"]),
                suggestPath(chart, ["pilot", "evn", "X"]),
                suggestPath(chart, ["extraArgs", "log.level"]),
                suggestPath(chart, ["persistentVolume", "size"]),
                suggestPath(chart, ["server", "zzzzzz"]),
                suggestPath(chart, ["server", "retention"]),
            ],
            [
                ["server", "retention"],
                ["server", "extraArgs", "log.level"],
                ["server", "persistentVolume"],
                ["pilot", "env", "X"],
                ["server", "extraArgs", "log.level"],
                ["server", "persistentVolume", "size"],
                undefined,
                undefined,
            ],
        );
    });
});
