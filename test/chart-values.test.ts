import * as assert from "assert";
import { IstioMesh, IstioMeshArgs } from "../components";
import { CHART_KEYS, chartReads } from "../components/args/known-keys";
import { CHART_VALUE_CHARTS, HELD_VALUES, installedCharts, readChartValues } from "../components/args/chart-values";
import { controlPlaneRevision, DEFAULT_TAG } from "../components/args/revisions";
import { mergeValues } from "../components/values/chart-values";
import { podSpecOf, releaseOf, theObject } from "./support/manifests";
import { chartValueProblems } from "./support/reference";
import { problemsOf, warningsOf } from "./support/problems";
import { projectDefaults, runUnderMocks } from "./support/program";
import { renderStack, StackRender } from "./support/render";

/**
 * `chartValues`: a values override per chart, merged last over what the mesh computes, and
 * checked key by key against the keys the pinned chart reads (test/chart-keys.test.ts), so
 * that a typo is refused with the key it probably meant; what it sets lands where the chart
 * puts it.
 */

const charts = CHART_KEYS.charts;
const argPath = (key: string): string => (key === "chartValues" ? "chartValues" : `<${key}>`);

describe("chartValues: the check (readChartValues) and the charts a mesh installs", () => {
    const revisions = {
        stable: controlPlaneRevision("1.31.4", DEFAULT_TAG),
        previous: controlPlaneRevision("1.30.3"),
    };
    const everything = {
        istioVersion: "1.31.4",
        revisions,
        addons: ["prometheus", "grafana", "jaeger", "kiali"] as const,
        egressGateway: true,
        ambient: {},
    };

    it("installs each chart at the versions that run: istiod at every revision's, base at the newest, the rest at the stable release's", () => {
        assert.deepStrictEqual(installedCharts(everything), {
            base: ["base 1.31"],
            istiod: ["istiod 1.30", "istiod 1.31"],
            ingressGateway: ["gateway 1.31"],
            egressGateway: ["gateway 1.31"],
            cni: ["cni 1.31"],
            ztunnel: ["ztunnel 1.31"],
            prometheus: ["prometheus 29.27.0"],
            grafana: ["grafana 12.11.1"],
            jaeger: ["jaeger 4.11.1"],
            kiali: ["kiali-server 2.29.0"],
        });
        assert.deepStrictEqual(
            installedCharts({
                istioVersion: "1.31.4",
                revisions: { stable: revisions.stable },
                addons: ["jaeger"],
                egressGateway: false,
            }),
            {
                base: ["base 1.31"],
                istiod: ["istiod 1.31"],
                ingressGateway: ["gateway 1.31"],
                jaeger: ["jaeger 4.11.1"],
            },
        );
    });

    it("keeps well-formed overrides as given", () => {
        const raw = {
            grafana: { "grafana.ini": { server: { enable_gzip: true } } },
            istiod: { pilot: { env: { PILOT_ENABLE_STATUS: "true" } } },
            prometheus: { server: { extraArgs: { "query.timeout": "1m" } } },
            ingressGateway: {
                service: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } },
            },
        };
        assert.deepStrictEqual(readChartValues(raw, installedCharts(everything), argPath), {
            overrides: raw,
            problems: [],
        });
    });

    it("refuses a typo by its path, with the value, the key it probably meant and the fix", () => {
        const { overrides, problems } = readChartValues(
            {
                grafna: { admin: {} },
                grafana: { podAnnotatons: { team: "mesh" } },
                prometheus: { server: { extraArg: { "log.level": "debug" }, image: { tag: { major: 3 } } } },
                istiod: { pilot: { envv: { PILOT_ENABLE_STATUS: "true" } } },
                kiali: ["auth"],
                jaeger: { extraArgs: { x: 1 } },
            },
            installedCharts(everything),
            argPath,
        );
        assert.deepStrictEqual(overrides, {});
        assert.deepStrictEqual(problems, [
            [
                "grafana.podAnnotatons.team",
                '"mesh" is set where grafana 12.11.1 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Did you mean podAnnotations.team? Correct the key or remove it',
            ],
            [
                "grafna",
                "is not a chart of the mesh. Did you mean grafana? Use any of base, istiod, ingressGateway, egressGateway, eastWestGateway, cni, ztunnel, prometheus, grafana, jaeger, kiali",
            ],
            [
                "istiod.pilot.envv.PILOT_ENABLE_STATUS",
                '"true" is set where istiod 1.30 and istiod 1.31 read nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Did you mean pilot.env.PILOT_ENABLE_STATUS? Correct the key or remove it',
            ],
            [
                "jaeger.extraArgs.x",
                "1 is set where jaeger 4.11.1 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Correct the key or remove it",
            ],
            [
                "kiali",
                "[\"auth\"] is not a map of the chart's values; write it as the chart's values.yaml would, e.g. { podAnnotations: { team: mesh } }",
            ],
            [
                "prometheus.server.extraArg.log.level",
                '"debug" is set where prometheus 29.27.0 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Did you mean server.extraArgs.log.level? Correct the key or remove it',
            ],
            [
                "prometheus.server.image.tag.major",
                "3 is set where prometheus 29.27.0 reads nothing, so it would change nothing: server.image.tag is a single value, with no keys under it. Correct the key or remove it",
            ],
        ]);
    });

    it("refuses a key only one running minor reads, naming both: the override reaches every istiod", () => {
        assert.deepStrictEqual(
            [
                chartReads(charts["istiod 1.30"], ["terminationMessagePolicy"]),
                chartReads(charts["istiod 1.31"], ["terminationMessagePolicy"]),
            ],
            [false, true],
        );
        assert.deepStrictEqual(
            readChartValues({ istiod: { terminationMessagePolicy: "File" } }, installedCharts(everything), argPath)
                .problems,
            [
                [
                    "istiod.terminationMessagePolicy",
                    '"File" is set where istiod 1.30 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates (istiod 1.31 reads it, but the override reaches every revision). Correct the key or remove it',
                ],
            ],
        );
    });

    it("refuses a value the mesh sets from a typed argument, or keeps for what it promises, naming what to use", () => {
        const { problems } = readChartValues(
            {
                kiali: { auth: { strategy: "anonymous" }, skipResources: [] },
                istiod: { pilot: { resources: { requests: { cpu: "2" } } }, meshConfig: { pathNormalization: null } },
                ingressGateway: { service: { externalTrafficPolicy: "Cluster" } },
                grafana: { admin: { existingSecret: "mine" } },
                prometheus: { server: { persistentVolume: { storageClass: "fast" } } },
            },
            installedCharts(everything),
            argPath,
        );
        assert.deepStrictEqual(
            problems.map(([at, message]) => `${at}: ${message}`),
            [
                'grafana.admin.existingSecret: "mine" would change admin, which the mesh sets (Grafana\'s admin credentials are the generated Secret the mesh outputs (grafanaAdminPassword), which Kiali reads Grafana with); it cannot be overridden; remove it',
                'ingressGateway.service.externalTrafficPolicy: "Cluster" would change service.externalTrafficPolicy, which the mesh sets (the dashboard allow-list needs each client\'s address); set <ingressExternalTrafficPolicy> instead, and remove this key',
                'istiod.pilot.resources.requests.cpu: "2" would change resources, which the mesh sets (the memory budget counts it); set <resources> instead, and remove this key',
                "istiod.meshConfig.pathNormalization: null would change meshConfig.pathNormalization, which the mesh sets (the dashboard routes' path rules hold only for paths normalized so (no `//prometheus` or `%2F` around them)); it cannot be overridden; remove it",
                'kiali.auth.strategy: "anonymous" would change auth.strategy, which the mesh sets (an anonymous Kiali is view-only, and its logs tab off, only through that setting); set <kialiAnonymous> instead, and remove this key',
                "kiali.skipResources: [] would change skipResources, which the mesh sets (Kiali's rights are the mesh's own, read-only and port-forward into istio-system only, not the chart's ClusterRole); it cannot be overridden; remove it",
            ],
        );
    });

    it("keeps the client address the allow-list matches, and the listener ports it names, from any override", () => {
        const trust = { gatewayTopology: { numTrustedProxies: 1 } };
        const { problems } = readChartValues(
            {
                istiod: { meshConfig: { defaultConfig: trust } },
                ingressGateway: {
                    podAnnotations: { "proxy.istio.io/config": JSON.stringify(trust), team: "web" },
                    service: { ports: [{ name: "http2", port: 80, targetPort: 8080 }] },
                },
            },
            installedCharts(everything),
            argPath,
        );
        const why = "the dashboard allow-list trusts only the address the gateway sees, never a header a client sends";
        assert.deepStrictEqual(
            problems.map(([at, message]) => `${at}: ${message}`),
            [
                `ingressGateway.podAnnotations.proxy.istio.io/config: "{\\"gatewayTopology\\":{\\"numTrustedProxies\\":1}}" would change podAnnotations.proxy.istio.io/config, which the mesh sets (its gatewayTopology would make the gateway trust X-Forwarded-For; ${why}); it cannot be overridden; remove it`,
                `ingressGateway.service.ports: [{"name":"http2","port":80,"targetPort":8080}] would change service.ports, which the mesh sets (the dashboards' Gateway and allow-list name the listeners 80 and 443, which Istio takes from the Service's targetPort); it cannot be overridden; remove it`,
                `istiod.meshConfig.defaultConfig.gatewayTopology.numTrustedProxies: 1 would change meshConfig.defaultConfig.gatewayTopology, which the mesh sets (it would make the gateways trust X-Forwarded-For; ${why}); it cannot be overridden; remove it`,
            ],
        );
    });

    it("holds only keys the charts read, at every version: a held path with a typo would never match", () => {
        const installed = installedCharts(everything);
        const unread = CHART_VALUE_CHARTS.flatMap((chart) =>
            HELD_VALUES[chart].flatMap(({ path, keys }) =>
                (installed[chart] ?? [])
                    .filter((id) => !chartReads(charts[id], keys ?? path.split(".")))
                    .map((id) => `${chart}: ${path} (${id})`),
            ),
        );
        assert.deepStrictEqual(unread, []);
    });

    it("leaves a chart that is not installed to the idle-key check", () => {
        assert.deepStrictEqual(readChartValues({ ztunnel: { typo: 1 } }, { istiod: ["istiod 1.31"] }, argPath), {
            overrides: { ztunnel: { typo: 1 } },
            problems: [],
        });
    });
});

describe("chartValues: the merge (mergeValues)", () => {
    it("merges maps key by key, replaces lists and single values, and null stays for Helm to drop the key", () => {
        const computed = {
            server: { retention: "24h", extraFlags: ["config.auto-reload"], service: { servicePort: 9090 } },
            "grafana.ini": { server: { root_url: "/grafana/" } },
            podLabels: { "sidecar.istio.io/inject": "false" },
            replicaCount: 1,
        };
        const override = {
            server: { extraFlags: ["web.enable-admin-api"], extraArgs: { "query.timeout": "1m" } },
            "grafana.ini": { server: { enable_gzip: true } },
            podLabels: null,
            replicaCount: { min: 2 },
        };
        assert.deepStrictEqual(mergeValues(computed, override), {
            server: {
                retention: "24h",
                extraFlags: ["web.enable-admin-api"],
                service: { servicePort: 9090 },
                extraArgs: { "query.timeout": "1m" },
            },
            "grafana.ini": { server: { root_url: "/grafana/", enable_gzip: true } },
            podLabels: null,
            replicaCount: { min: 2 },
        });
        assert.deepStrictEqual(
            computed.server.extraFlags,
            ["config.auto-reload"],
            "the computed values are not changed",
        );
        assert.strictEqual(mergeValues(computed, undefined), computed);
    });
});

describe("chartValues as the program's config and the component's argument", () => {
    it("the program names the stack key's path; an override of a chart that is not installed warns with what it needs", () => {
        const raw = (prometheus: unknown) => ({
            ...projectDefaults(),
            "istio-mesh:addons": '["prometheus"]',
            "istio-mesh:chartValues": JSON.stringify({
                grafana: { "grafana.ini": { server: { enable_gzip: true } } },
                egressGateway: { podAnnotations: { a: "b" } },
                prometheus,
                cni: {},
            }),
            "istio-mesh:egressGateway": "false",
        });
        assert.deepStrictEqual(problemsOf(raw({ server: { extraArg: { "log.level": "debug" } } })), [
            'istio-mesh:chartValues.prometheus.server.extraArg.log.level: "debug" is set where prometheus 29.27.0 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Did you mean server.extraArgs.log.level? Correct the key or remove it',
        ]);
        // Kept while their chart is off, so that turning it on again is one change.
        const keep = "Keep it for then, or remove it to silence this warning";
        assert.deepStrictEqual(warningsOf(raw({ server: { extraArgs: { "log.level": "debug" } } })), [
            `istio-mesh:chartValues: cni: {} has no effect here: istio-mesh:ambient is false, so the CNI agent's chart is not installed; ambient's data plane uses it once istio-mesh:ambient is true. ${keep}`,
            `istio-mesh:chartValues: egressGateway: {"podAnnotations":{"a":"b"}} has no effect here: istio-mesh:egressGateway is false, so the egress gateway's chart is not installed; it is read once istio-mesh:egressGateway is true. ${keep}`,
            `istio-mesh:chartValues: grafana: {"grafana.ini":{"server":{"enable_gzip":true}}} has no effect here: grafana is not in istio-mesh:addons, so its chart is not installed; the bundled grafana uses it once istio-mesh:addons lists it again. ${keep}`,
        ]);
    });

    it("the component refuses a typo before any child exists, by its argument path", async () => {
        const result = await runUnderMocks(async () => {
            new IstioMesh("mesh", {
                chartValues: { grafana: { "grafana.ini": {}, podAnnotatons: { team: "mesh" } }, kaili: {} },
            } as IstioMeshArgs);
            return {};
        });
        assert.strictEqual(
            result.error?.message,
            [
                "IstioMesh mesh: its arguments have 2 problems; nothing was created:",
                '  - chartValues.grafana.podAnnotatons.team: "mesh" is set where grafana 12.11.1 reads nothing, so it would change nothing: the key is neither in its values.yaml nor read by its templates. Did you mean podAnnotations.team? Correct the key or remove it',
                "  - chartValues.kaili: is not a chart of the mesh. Did you mean kiali? Use any of base, istiod, ingressGateway, egressGateway, eastWestGateway, cni, ztunnel, prometheus, grafana, jaeger, kiali",
            ].join("\n"),
        );
        assert.deepStrictEqual(result.registrations, []);
    });
});

/** One marker per chart: a key each reads, with a value no computed one has. */
const MARKERS = {
    base: { global: { imagePullSecrets: ["base-marker"] } },
    istiod: { pilot: { env: { PILOT_ENABLE_STATUS: "true" } } },
    ingressGateway: { service: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } } },
    egressGateway: { podAnnotations: { marker: "egress" } },
    cni: { podAnnotations: { marker: "cni" } },
    ztunnel: { podAnnotations: { marker: "ztunnel" } },
    prometheus: { server: { extraArgs: { "query.timeout": "1m" } } },
    grafana: { "grafana.ini": { server: { enable_gzip: true } } },
    jaeger: { jaeger: { podLabels: { marker: "jaeger" } } },
    kiali: { deployment: { pod_annotations: { marker: "kiali" } } },
};

/** The dev stack with two istiods of two minors, ambient, the egress gateway and every add-on: every chart installed. */
const EVERY_CHART = {
    "istio-mesh:istioVersion": "1.30.3",
    "istio-mesh:canaryVersion": "1.31.4",
    "istio-mesh:ambient": true,
    "istio-mesh:platform": "minikube",
    "istio-mesh:chartValues": MARKERS,
};

describe("chartValues rendered: each override where its chart puts it (the pinned Helm, the vendored charts)", () => {
    let render: StackRender;

    before(async function () {
        this.timeout(120000);
        render = await renderStack("dev", EVERY_CHART);
    });

    it("every chart the mesh installs gets its own override, every istiod revision istiod's", () => {
        const charts = render.run.registrations
            .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
            .map((r) => ({ name: r.name.replace(/^mesh-/, ""), values: r.inputs.values as Record<string, unknown> }));
        const marker = (name: string): keyof typeof MARKERS =>
            name.startsWith("istiod-")
                ? "istiod"
                : (({
                      "istio-base": "base",
                      "ingress-gateway": "ingressGateway",
                      "egress-gateway": "egressGateway",
                      "ambient-cni": "cni",
                      "ambient-ztunnel": "ztunnel",
                  }[name] ?? name) as keyof typeof MARKERS);
        assert.deepStrictEqual(charts.map(({ name }) => name).sort(), [
            "ambient-cni",
            "ambient-ztunnel",
            "egress-gateway",
            "grafana",
            "ingress-gateway",
            "istio-base",
            "istiod-1-30-3",
            "istiod-1-31-4",
            "jaeger",
            "kiali",
            "prometheus",
        ]);
        const missing = charts.filter(({ name, values }) => {
            const merged = mergeValues(values, MARKERS[marker(name)]);
            return JSON.stringify(merged) !== JSON.stringify(values);
        });
        assert.deepStrictEqual(
            missing.map(({ name }) => name),
            [],
        );
    });

    it("the tests' own check of chart values (test/support/reference.ts) finds nothing unread in the merged values either", () => {
        const problems = render.run.registrations
            .filter(
                (r) => r.type === "kubernetes:helm.sh/v4:Chart" && !["cni", "ztunnel"].includes(String(r.inputs.chart)),
            )
            .flatMap((r) => chartValueProblems(String(r.inputs.chart), String(r.inputs.version), r.inputs.values));
        assert.deepStrictEqual(problems, []);
    });

    it("grafana.ini's key is in Grafana's grafana.ini, beside the mesh's own settings", () => {
        const ini = String(
            (theObject(releaseOf(render.releases, "grafana"), "ConfigMap", "grafana").data as Record<string, string>)[
                "grafana.ini"
            ],
        );
        const server = ini.slice(ini.indexOf("[server]")).split("\n[")[0];
        assert.deepStrictEqual(
            server.split("\n").filter((line) => /^(enable_gzip|serve_from_sub_path) =/.test(line)),
            ["enable_gzip = true", "serve_from_sub_path = true"],
        );
    });

    it("Prometheus's server.extraArgs is a flag of its server", () => {
        const pod = podSpecOf(theObject(releaseOf(render.releases, "prometheus"), "Deployment", "prometheus"));
        const server = pod?.containers.find((container) => container.name === "prometheus-server");
        assert.ok(server?.args?.includes("--query.timeout=1m"), JSON.stringify(server?.args));
        assert.ok(server?.args?.includes("--storage.tsdb.retention.time=24h"), "the mesh's own flags stay");
    });

    it("istiod's pilot.env reaches every revision, of both minors", () => {
        const env = (release: string): unknown =>
            podSpecOf(theObject(releaseOf(render.releases, release), "Deployment", release))?.containers.find(
                (container) => container.name === "discovery",
            )?.env as { name: string; value?: string }[] | undefined;
        assert.deepStrictEqual(
            ["istiod-1-30-3", "istiod-1-31-4"].map((release) =>
                (env(release) as { name: string; value?: string }[]).find((e) => e.name === "PILOT_ENABLE_STATUS"),
            ),
            [
                { name: "PILOT_ENABLE_STATUS", value: "true" },
                { name: "PILOT_ENABLE_STATUS", value: "true" },
            ],
        );
    });

    it("the ingress gateway's Service annotation is merged with the mesh's own", () => {
        const service = theObject(
            releaseOf(render.releases, "istio-ingressgateway"),
            "Service",
            "istio-ingressgateway",
        );
        assert.deepStrictEqual(service.metadata.annotations, {
            "pulumi.com/skipAwait": "true",
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        });
    });
});
