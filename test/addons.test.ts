import * as assert from "assert";
import {
    grafanaValues,
    jaegerMaxTraces,
    jaegerValues,
    KIALI_GRAFANA_DASHBOARDS,
    kialiValues,
    prometheusValues,
} from "../components/values/addon-values";
import { kialiTracing } from "../components/values/addon-endpoints";
import { dashboardTitles, ISTIO_DASHBOARD_SETS } from "../components/values/grafana-dashboards";
import { parseMeshSettings } from "../components/config/stack-config";
import { planSizing } from "../components/sizing/sizing";
import * as yaml from "js-yaml";
import { Graph } from "./support/graph";
import { releaseOf } from "./support/manifests";
import { renderStack } from "./support/render";
import { isWireSecret } from "./support/monitor";
import { evaluateStack } from "./support/program";
import { chartSchemaErrors, unknownValuePaths } from "./support/reference";
import { isSecretOutput, valueOf } from "./support/values";

const CHART = "kubernetes:helm.sh/v4:Chart";
const sizes = planSizing(parseMeshSettings({})).sizes;
const NS = "istio-system";

/** What KialiCredentials registers: the component, its signing key and the login ServiceAccount with its token and RBAC. */
const KIALI_CREDENTIALS = [
    "istio-mesh:security:KialiCredentials mesh-kiali-credentials",
    "kubernetes:core/v1:Secret mesh-kiali-credentials-login-token",
    "kubernetes:core/v1:Secret mesh-kiali-credentials-signing-key",
    "kubernetes:core/v1:ServiceAccount mesh-kiali-credentials-login",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole mesh-kiali-credentials-login",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding mesh-kiali-credentials-login",
    "kubernetes:rbac.authorization.k8s.io/v1:Role mesh-kiali-credentials-login-mesh-config",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding mesh-kiali-credentials-login-mesh-config",
    "random:index/randomPassword:RandomPassword mesh-kiali-credentials-signing-key",
];

describe("add-on chart values", () => {
    const prometheus = prometheusValues({
        size: sizes.prometheus,
        retention: "24h",
        kubeletTlsVerify: true,
    });
    const grafana = grafanaValues({
        size: sizes.grafana,
        prometheusUrl: "http://prometheus.istio-system.svc:9090/prometheus",
        adminSecret: "grafana-admin",
        dashboardSets: ISTIO_DASHBOARD_SETS,
    });
    const jaeger = jaegerValues({ size: sizes.jaeger, maxTraces: jaegerMaxTraces(sizes.jaeger) });
    const kiali = kialiValues({
        size: sizes.kiali,
        namespace: NS,
        signingKeyRef: "secret:kiali:signing-key",
        anonymous: false,
        addons: ["prometheus", "grafana", "jaeger", "kiali"],
        externalUrls: { grafana: "/grafana", jaeger: "/jaeger" },
        prometheusUrl: "http://prometheus.istio-system.svc:9090/prometheus",
        tracing: kialiTracing({ addons: ["jaeger"] }, NS, "/jaeger"),
    });

    it("Prometheus: the server alone as `prometheus:9090` under /prometheus, scraping itself there, no volume, no lifecycle API, no reloader, no label a pod chooses, kubelets' certificates checked, no sidecar", () => {
        assert.deepStrictEqual(prometheus, {
            alertmanager: { enabled: false },
            "kube-state-metrics": { enabled: false },
            "prometheus-node-exporter": { enabled: false },
            "prometheus-pushgateway": { enabled: false },
            server: {
                fullnameOverride: "prometheus",
                podLabels: { "sidecar.istio.io/inject": "false" },
                service: { servicePort: 9090 },
                prefixURL: "/prometheus",
                baseURL: "/prometheus",
                retention: "24h",
                persistentVolume: { enabled: false },
                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "768Mi" } },
                containerSecurityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    runAsNonRoot: true,
                    seccompProfile: { type: "RuntimeDefault" },
                    readOnlyRootFilesystem: true,
                },
                extraFlags: ["config.auto-reload"],
            },
            configmapReload: { prometheus: { enabled: false } },
            scrapeConfigs: {
                prometheus: { metrics_path: "/prometheus/metrics" },
                "kubernetes-service-endpoints": { honor_labels: false },
                "kubernetes-service-endpoints-slow": { honor_labels: false },
                "kubernetes-pods": { honor_labels: false },
                "kubernetes-pods-slow": { honor_labels: false },
                "kubernetes-nodes": { tls_config: { insecure_skip_verify: false } },
                "kubernetes-nodes-cadvisor": { tls_config: { insecure_skip_verify: false } },
                "prometheus-pushgateway": { enabled: false },
                "kubernetes-services": { enabled: false },
            },
        });
        const withVolume = prometheusValues({
            size: sizes.prometheus,
            retention: "15d",
            volumeClaim: "prometheus-server",
            externalUrl: "http://mesh.example.com/prometheus",
            kubeletTlsVerify: false,
        });
        // Where kubelets serve self-signed certificates, the node jobs keep the chart's settings.
        assert.deepStrictEqual(
            Object.keys(withVolume.scrapeConfigs as Record<string, unknown>).filter((job) =>
                job.startsWith("kubernetes-nodes"),
            ),
            [],
        );
        // The chart mounts the claim the component made (and destroy keeps); it renders none of its own.
        assert.deepStrictEqual((withVolume.server as Record<string, unknown>).persistentVolume, {
            enabled: true,
            existingClaim: "prometheus-server",
        });
        assert.strictEqual(
            (withVolume.server as Record<string, unknown>).baseURL,
            "http://mesh.example.com/prometheus",
        );
    });

    it("Grafana: admin from an existing Secret, Prometheus datasource in-cluster, Istio's dashboards from ConfigMaps, no plugin downloads", () => {
        assert.deepStrictEqual(grafana.admin, {
            existingSecret: "grafana-admin",
            userKey: "admin-user",
            passwordKey: "admin-password",
        });
        assert.deepStrictEqual(grafana.datasources, {
            "datasources.yaml": {
                apiVersion: 1,
                datasources: [
                    {
                        name: "Prometheus",
                        type: "prometheus",
                        access: "proxy",
                        url: "http://prometheus.istio-system.svc:9090/prometheus",
                        isDefault: true,
                        editable: false,
                        jsonData: { timeInterval: "15s" },
                    },
                ],
            },
        });
        // Istio's dashboards come from ConfigMaps, so nothing is downloaded at start.
        assert.deepStrictEqual(grafana.dashboardsConfigMaps, {
            istio: "istio-grafana-dashboards",
            "istio-services": "istio-services-grafana-dashboards",
        });
        assert.deepStrictEqual(
            (
                grafana.dashboardProviders as {
                    "dashboardproviders.yaml": { providers: { name: string; options: { path: string } }[] };
                }
            )["dashboardproviders.yaml"].providers.map((p) => `${p.name} ${p.options.path}`),
            ["istio /var/lib/grafana/dashboards/istio", "istio-services /var/lib/grafana/dashboards/istio-services"],
        );
        assert.strictEqual(grafana.dashboards, undefined);
        assert.deepStrictEqual((grafana["grafana.ini"] as Record<string, unknown>).plugins, {
            preinstall_disabled: true,
        });
        assert.deepStrictEqual((grafana["grafana.ini"] as Record<string, unknown>).server, {
            root_url: "%(protocol)s://%(domain)s:%(http_port)s/grafana/",
            serve_from_sub_path: true,
        });
    });

    it("Jaeger: in-memory store bounded by the memory limit, OTLP in, UI under /jaeger", () => {
        assert.strictEqual(jaegerMaxTraces(sizes.jaeger), 8192);
        const config = jaeger.userconfig as { extensions: Record<string, unknown> };
        assert.deepStrictEqual(config.extensions.jaeger_storage, {
            backends: { memstore: { memory: { max_traces: 8192 } } },
        });
        assert.deepStrictEqual(config.extensions.jaeger_query, {
            base_path: "/jaeger",
            storage: { traces: "memstore" },
        });
    });

    it("Kiali: token login with the generated signing key, wired to Prometheus, Grafana (with its admin credential by reference) and Jaeger", () => {
        assert.deepStrictEqual(kiali.auth, { strategy: "token" });
        assert.deepStrictEqual(kiali.login_token, { signing_key: "secret:kiali:signing-key" });
        assert.deepStrictEqual(kiali.server, { web_root: "/kiali" });
        assert.deepStrictEqual(kiali.external_services, {
            prometheus: { url: "http://prometheus.istio-system.svc:9090/prometheus" },
            grafana: {
                enabled: true,
                internal_url: "http://grafana.istio-system.svc:3000/grafana",
                external_url: "/grafana",
                auth: {
                    type: "basic",
                    username: "secret:grafana-admin:admin-user",
                    password: "secret:grafana-admin:admin-password",
                },
                dashboards: [
                    { name: "Istio Service Dashboard", variables: { service: "var-service" } },
                    {
                        name: "Istio Workload Dashboard",
                        variables: { namespace: "var-namespace", workload: "var-workload" },
                    },
                    { name: "Istio Mesh Dashboard" },
                    { name: "Istio Control Plane Dashboard" },
                    { name: "Istio Performance Dashboard" },
                    { name: "Istio Wasm Extension Dashboard" },
                ],
            },
            tracing: {
                enabled: true,
                provider: "jaeger",
                use_grpc: false,
                internal_url: "http://jaeger.istio-system.svc:16686/jaeger",
                external_url: "/jaeger",
            },
        });
        const alone = kialiValues({
            size: sizes.kiali,
            namespace: NS,
            signingKeyRef: "secret:kiali:signing-key",
            anonymous: true,
            addons: ["prometheus", "kiali"],
            externalUrls: {},
            prometheusUrl: "http://prometheus.istio-system.svc:9090/prometheus",
        });
        assert.deepStrictEqual(
            [
                alone.auth,
                (alone.deployment as Record<string, unknown>).view_only_mode,
                (alone.external_services as Record<string, unknown>).grafana,
            ],
            [{ strategy: "anonymous" }, true, { enabled: false }],
        );
    });

    it("Kiali links to dashboards Grafana has, with variables those dashboards define", () => {
        const shipped = ISTIO_DASHBOARD_SETS.flatMap((set) => Object.values(set.files)).map(
            (text) => JSON.parse(text) as { title: string; templating: { list: { name: string }[] } },
        );
        const problems = KIALI_GRAFANA_DASHBOARDS.flatMap((link) => {
            const dashboard = shipped.find((d) => d.title === link.name);
            if (dashboard === undefined) {
                return [`${link.name}: no shipped dashboard has that title`];
            }
            const defined = dashboard.templating.list.map((v) => v.name);
            return Object.values("variables" in link ? link.variables : {})
                .map((param) => param.replace(/^var-/, ""))
                .filter((variable) => !defined.includes(variable))
                .map((variable) => `${link.name}: no variable ${variable}`);
        });
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(KIALI_GRAFANA_DASHBOARDS.length, dashboardTitles().length);
    });

    it("sets only keys the pinned charts read", () => {
        assert.deepStrictEqual(
            unknownValuePaths("prometheus-29.27.0", ["prometheus-29.27.0/values.yaml"], prometheus),
            [],
        );
        assert.deepStrictEqual(chartSchemaErrors("prometheus-29.27.0/values.schema.json", prometheus), []);
        assert.deepStrictEqual(unknownValuePaths("grafana-12.11.1", ["grafana-12.11.1/values.yaml"], grafana), []);
        assert.deepStrictEqual(unknownValuePaths("jaeger-4.11.1", ["jaeger-4.11.1/values.yaml"], jaeger), []);
        assert.deepStrictEqual(
            unknownValuePaths("kiali-server-2.29.0", ["kiali-server-2.29.0/values.yaml"], kiali),
            [],
        );
    });
});

describe("add-ons in the program", () => {
    const ALL = ["prometheus", "grafana", "jaeger", "kiali"];
    const addonCharts = (graph: Graph): string[] =>
        graph
            .ofType(CHART)
            .map((r) => r.name.replace(/^mesh-/, ""))
            .filter((name) => ALL.includes(name))
            .sort();

    const cases: [string[], string[]][] = [
        [["prometheus", "grafana", "jaeger", "kiali"], ALL],
        [["prometheus"], ["prometheus"]],
        [["jaeger"], ["jaeger"]],
        [
            ["prometheus", "kiali"],
            ["kiali", "prometheus"],
        ],
        [[], []],
    ];
    for (const [addons, charts] of cases) {
        it(`with ${JSON.stringify(addons)}: exactly those charts, routes and outputs`, async () => {
            // One change: dev's tuning for Jaeger and Prometheus stays, and only warns while they are off.
            const run = await evaluateStack("dev", { "istio-mesh:addons": addons });
            const graph = new Graph(run.registrations);
            assert.strictEqual(run.error, undefined);
            assert.deepStrictEqual(addonCharts(graph), [...charts].sort());
            // dev routes the dashboards that have a login; its URLs are not known before deployment.
            const routes = graph
                .ofType("kubernetes:networking.istio.io/v1:VirtualService")
                .map((r) => (r.inputs.metadata as { name: string }).name);
            assert.deepStrictEqual(
                routes.sort(),
                charts
                    .filter((addon) => addon === "grafana" || addon === "kiali")
                    .map((addon) => `${addon}-dashboard`)
                    .sort(),
            );
            assert.deepStrictEqual(await valueOf(run.outputs.dashboardUrls as Record<string, string>), {});
            assert.deepStrictEqual(
                Object.keys(await valueOf(run.outputs.portForwardCommands as Record<string, string>)).sort(),
                [...charts].sort(),
            );
            assert.strictEqual(run.outputs.grafanaAdminPassword === undefined, !charts.includes("grafana"));
            // Kiali's login token reads the whole cluster: it, its RBAC and its output come only with Kiali.
            assert.strictEqual(run.outputs.kialiLoginToken === undefined, !charts.includes("kiali"));
            assert.deepStrictEqual(
                graph.registrations
                    .filter((r) => r.name.startsWith("mesh-kiali-credentials"))
                    .map((r) => `${r.type} ${r.name}`)
                    .sort(),
                charts.includes("kiali") ? KIALI_CREDENTIALS : [],
            );
            const istiod = graph.get(CHART, "istiod-1-31-4").inputs.values as { meshConfig: Record<string, unknown> };
            assert.strictEqual("extensionProviders" in istiod.meshConfig, charts.includes("jaeger"));
            assert.strictEqual(
                graph.ofType("kubernetes:telemetry.istio.io/v1:Telemetry").length,
                charts.includes("jaeger") ? 1 : 0,
            );
        });
    }

    it("Kiali without Prometheus stops before registering anything but the read of the last deployment", async () => {
        const run = await evaluateStack("dev", { "istio-mesh:addons": ["kiali"] });
        assert.deepStrictEqual(
            run.registrations.map((r) => r.type),
            ["pulumi:pulumi:StackReference"],
        );
        assert.match(run.error?.message ?? "", /istio-mesh:addons: "kiali" needs a Prometheus/);
    });

    describe("the dev stack's wiring", () => {
        let graph: Graph;
        let outputs: Record<string, unknown>;
        before(async () => {
            const run = await evaluateStack("dev");
            graph = new Graph(run.registrations);
            outputs = run.outputs;
        });

        it("sends mesh traces to Jaeger over OTLP, sampling from config", () => {
            const istiod = graph.get(CHART, "istiod-1-31-4").inputs.values as { meshConfig: Record<string, unknown> };
            assert.deepStrictEqual(istiod.meshConfig.extensionProviders, [
                { name: "jaeger", opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 } },
            ]);
            const [telemetry] = graph.ofType("kubernetes:telemetry.istio.io/v1:Telemetry");
            assert.deepStrictEqual(telemetry.inputs.spec, {
                tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 100 }],
            });
        });

        it("orders add-ons after the namespace, Grafana and Kiali after Prometheus, none after the gateways", () => {
            const namespace = graph.get("kubernetes:core/v1:Namespace", "istio-system");
            const prometheus = graph.get(CHART, "prometheus");
            for (const name of ALL) {
                assert.ok(graph.waitsFor(graph.get(CHART, name), namespace), `${name} does not wait for the namespace`);
                for (const gateway of ["ingress-gateway", "egress-gateway"]) {
                    assert.ok(
                        !graph.waitsFor(graph.get(CHART, name), graph.get(CHART, gateway)),
                        `${name} waits for ${gateway}`,
                    );
                }
            }
            assert.ok(graph.waitsFor(graph.get(CHART, "grafana"), prometheus));
            assert.ok(graph.waitsFor(graph.get(CHART, "kiali"), prometheus));
            assert.ok(
                graph.waitsFor(
                    graph.get(CHART, "kiali"),
                    graph.get("kubernetes:core/v1:Secret", "kiali-credentials-signing-key"),
                ),
            );
            assert.ok(!graph.waitsFor(graph.get(CHART, "jaeger"), prometheus));
            const telemetry = graph.get("kubernetes:telemetry.istio.io/v1:Telemetry", "mesh-tracing");
            assert.ok(telemetry.dependencies.includes(graph.get(CHART, "istiod-1-31-4").urn));
            for (const route of graph.ofType("kubernetes:networking.istio.io/v1:VirtualService")) {
                assert.ok(
                    route.dependencies.includes(graph.get(CHART, "istiod-1-31-4").urn),
                    `${route.name} does not wait for istiod`,
                );
            }
        });

        it("keeps Grafana's generated password secret in its Secret and in the output", async () => {
            const secret = graph.get("kubernetes:core/v1:Secret", "grafana-admin");
            assert.ok(isWireSecret(secret.inputs.stringData));
            assert.strictEqual(await isSecretOutput(outputs.grafanaAdminPassword as string), true);
            assert.strictEqual(
                await valueOf(outputs.grafanaAdminPassword as string),
                "generated-mesh-grafana-admin".slice(0, 24),
            );
        });
    });
});

describe("Prometheus as rendered: what any pod in the cluster can do to it", () => {
    it("has no lifecycle API (no POST /-/quit), rereads its configuration itself, and runs no reloader", async () => {
        const prometheus = releaseOf((await renderStack("dev")).releases, "prometheus");
        const deployment = prometheus.objects.find((o) => o.kind === "Deployment") as unknown as {
            spec: { template: { spec: { containers: { name: string; args: string[] }[] } } };
        };
        const containers = deployment.spec.template.spec.containers;
        assert.deepStrictEqual(
            containers.map((c) => c.name),
            ["prometheus-server"],
        );
        const flags = containers[0].args.filter((arg) => /lifecycle|auto-reload/.test(arg));
        assert.deepStrictEqual(flags, ["--config.auto-reload"]);
    });

    it("scrapes no job whose target chooses its own job, namespace or pod labels", async () => {
        const prometheus = releaseOf((await renderStack("dev")).releases, "prometheus");
        const config = prometheus.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "prometheus");
        const jobs = (
            yaml.load((config?.data as Record<string, string>)["prometheus.yml"]) as {
                scrape_configs: { job_name: string; honor_labels?: boolean }[];
            }
        ).scrape_configs;
        assert.deepStrictEqual(
            jobs.filter((job) => job.honor_labels === true).map((job) => job.job_name),
            [],
        );
        assert.deepStrictEqual(jobs.map((job) => job.job_name).sort(), [
            "kubernetes-api-servers",
            "kubernetes-nodes",
            "kubernetes-nodes-cadvisor",
            "kubernetes-pods",
            "kubernetes-pods-slow",
            "kubernetes-service-endpoints",
            "kubernetes-service-endpoints-slow",
            "prometheus",
        ]);
    });
});
