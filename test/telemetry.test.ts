import * as assert from "assert";
import * as yaml from "js-yaml";
import { parseMeshSettings } from "../components/config/stack-config";
import { resolveMeshSettings } from "../components/mesh-settings";
import {
    kialiTracing,
    meshTracingProvider,
    otlpTracingProvider,
    prometheusReadUrl,
} from "../components/values/addon-endpoints";
import { ANNOTATED_POD_RELABELING, meshScrapeConfig, meshScrapeJobs } from "../components/values/prometheus-scrape";
import { configFile } from "./support/configured";
import { Graph } from "./support/graph";
import { problemsOf, warningsOf } from "./support/problems";
import { evaluateStack, stackConfig } from "./support/program";
import { renderStack } from "./support/render";
import { containerResourceProblems, kubernetesSchemaProblems } from "./support/rendered-checks";
import { valueOf } from "./support/values";
import { committedStacks } from "./tools/snapshot";

/**
 * Bring your own telemetry: an existing Prometheus for Grafana and Kiali, and an
 * OpenTelemetry collector for the spans, each instead of its bundled add-on.
 */

const CHART = "kubernetes:helm.sh/v4:Chart";
const KEEP = "Keep it for then, or remove it to silence this warning";
const PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090";
const COLLECTOR = "otel-collector.observability.svc.cluster.local:4317";
const TEMPO = "http://tempo.observability.svc:3200";

/** The dev stack with its metrics and traces going to systems of the cluster's own. */
const BYO = {
    "istio-mesh:addons": ["grafana", "kiali"],
    "istio-mesh:prometheusUrl": PROMETHEUS,
    "istio-mesh:otlpEndpoint": COLLECTOR,
    "istio-mesh:tracingQueryUrl": TEMPO,
    "istio-mesh:tracingQueryProvider": "tempo",
    "istio-mesh:networkPolicies": true,
};

describe("bring your own telemetry: settings and checks", () => {
    it("reads an existing Prometheus and an OTLP collector, Grafana and Kiali with no bundled Prometheus", () => {
        const settings = parseMeshSettings(stackConfig("dev", BYO));
        assert.deepStrictEqual(
            [settings.addons, settings.existingPrometheus, settings.otlpTracing],
            [
                ["grafana", "kiali"],
                { url: PROMETHEUS, scrapesMesh: false },
                {
                    host: "otel-collector.observability.svc.cluster.local",
                    port: 4317,
                    protocol: "grpc",
                    query: { url: TEMPO, provider: "tempo" },
                },
            ],
        );
    });

    const bad: [string, Record<string, string>, string][] = [
        [
            "a Prometheus URL without a scheme",
            { "istio-mesh:addons": '["grafana"]', "istio-mesh:prometheusUrl": "prometheus.monitoring:9090" },
            'istio-mesh:prometheusUrl: "prometheus.monitoring:9090" is not an http or https URL; write the Prometheus\'s base URL, e.g. http://prometheus-operated.monitoring.svc:9090',
        ],
        [
            "a Prometheus URL with credentials",
            { "istio-mesh:addons": '["grafana"]', "istio-mesh:prometheusUrl": "https://admin:secret@prom.example.com" },
            'istio-mesh:prometheusUrl: "https://admin:secret@prom.example.com" holds credentials, which would be readable in the ConfigMaps of istio-system; give the URL without them (docs/telemetry.md, an existing Prometheus)',
        ],
        [
            "a Prometheus URL with a query",
            { "istio-mesh:addons": '["grafana"]', "istio-mesh:prometheusUrl": "http://prom.example.com/?x=1" },
            'istio-mesh:prometheusUrl: "http://prom.example.com/?x=1" has a query or fragment; write only the Prometheus\'s base URL, e.g. http://prometheus-operated.monitoring.svc:9090',
        ],
        [
            "an existing Prometheus and the bundled one at once",
            { "istio-mesh:prometheusUrl": PROMETHEUS },
            `istio-mesh:prometheusUrl: "${PROMETHEUS}" names an existing Prometheus, but prometheus is in istio-mesh:addons, which installs the bundled one too: both would scrape the mesh while Grafana and Kiali read only this one; remove prometheus from istio-mesh:addons to use this one, or remove istio-mesh:prometheusUrl to keep the bundled one`,
        ],
        [
            "an OTLP endpoint without a port",
            { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": "otel-collector.observability.svc.cluster.local" },
            'istio-mesh:otlpEndpoint: "otel-collector.observability.svc.cluster.local" is not host:port; write the collector\'s host and OTLP port, e.g. otel-collector.observability.svc.cluster.local:4317',
        ],
        [
            "an OTLP endpoint with a port out of range",
            { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": "collector.example.com:70000" },
            'istio-mesh:otlpEndpoint: "collector.example.com:70000" is not host:port; write the collector\'s host and OTLP port, e.g. otel-collector.observability.svc.cluster.local:4317',
        ],
        [
            "an OTLP endpoint that is a Service's short name, which istiod does not resolve",
            { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": "otel-collector.observability.svc:4317" },
            'istio-mesh:otlpEndpoint: "otel-collector.observability.svc:4317" is a short Service name, which istiod does not resolve (it finds a Service by its full name only); write otel-collector.observability.svc.cluster.local:4317 (with your cluster\'s domain if it is not cluster.local)',
        ],
        [
            "an OTLP endpoint that is a bare Service name",
            { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": "otel-collector:4317" },
            'istio-mesh:otlpEndpoint: "otel-collector:4317" is a short Service name, which istiod does not resolve (it finds a Service by its full name only); write otel-collector.<namespace>.svc.cluster.local:4317 (with your cluster\'s domain if it is not cluster.local)',
        ],
        [
            "an OTLP collector and the bundled Jaeger at once",
            { "istio-mesh:otlpEndpoint": COLLECTOR },
            `istio-mesh:otlpEndpoint: "${COLLECTOR}" names an OTLP collector, but jaeger is in istio-mesh:addons, and istiod sends spans to one backend; remove jaeger from istio-mesh:addons to send them to the collector, or remove istio-mesh:otlpEndpoint to keep Jaeger`,
        ],
        [
            "an unknown OTLP protocol",
            { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": COLLECTOR, "istio-mesh:otlpProtocol": "GRPC" },
            'istio-mesh:otlpProtocol: "GRPC" is not one of grpc, http (case-sensitive)',
        ],
        [
            "an unknown trace query API",
            {
                "istio-mesh:addons": '["prometheus","kiali"]',
                "istio-mesh:otlpEndpoint": COLLECTOR,
                "istio-mesh:tracingQueryUrl": TEMPO,
                "istio-mesh:tracingQueryProvider": "zipkin",
            },
            'istio-mesh:tracingQueryProvider: "zipkin" is not one of jaeger, tempo (case-sensitive)',
        ],
    ];
    for (const [what, raw, message] of bad) {
        it(`refuses ${what}`, () => {
            assert.deepStrictEqual(problemsOf(raw), [message]);
        });
    }

    it("names argument paths when the component is used directly", () => {
        const resolved = resolveMeshSettings({
            telemetry: {
                addons: ["grafana", "jaeger"],
                existingPrometheus: { url: "ftp://prometheus" },
                otlpTracing: { endpoint: COLLECTOR },
            },
        });
        assert.deepStrictEqual(resolved.problems, [
            'telemetry.existingPrometheus.url: "ftp://prometheus" is not an http or https URL; write the Prometheus\'s base URL, e.g. http://prometheus-operated.monitoring.svc:9090',
            `telemetry.otlpTracing.endpoint: "${COLLECTOR}" names an OTLP collector, but jaeger is in telemetry.addons, and istiod sends spans to one backend; remove jaeger from telemetry.addons to send them to the collector, or remove telemetry.otlpTracing.endpoint to keep Jaeger`,
        ]);
        const grafanaAlone = resolveMeshSettings({ telemetry: { addons: ["grafana"] } });
        assert.deepStrictEqual(grafanaAlone.problems, [
            'telemetry.addons: "grafana" needs a Prometheus: its datasource and every Istio dashboard read Prometheus; add prometheus to telemetry.addons, give an existing one in telemetry.existingPrometheus.url, or remove grafana',
        ]);
    });

    it("warns of a collector outside the cluster, which istiod reaches only through a ServiceEntry", () => {
        const raw = { "istio-mesh:addons": "[]", "istio-mesh:otlpEndpoint": "otlp.example.com:4317" };
        assert.deepStrictEqual(
            [problemsOf(raw), warningsOf(raw)],
            [
                [],
                [
                    'istio-mesh:otlpEndpoint: "otlp.example.com:4317" is no Service of the cluster (name.namespace.svc.cluster.local): istiod sends spans there only if a ServiceEntry declares otlp.example.com (docs/telemetry.md, traces to an OpenTelemetry collector)',
                ],
            ],
        );
    });

    it("warns of each collector or Prometheus setting that has no effect, with what would use it", () => {
        const idle = {
            "istio-mesh:prometheusScrapesMesh": "true",
            "istio-mesh:otlpProtocol": "http",
            "istio-mesh:tracingQueryUrl": TEMPO,
            "istio-mesh:tracingQueryProvider": "tempo",
        };
        const collectorOff = `istio-mesh:otlpEndpoint is empty, so no span goes to a collector; the collector's settings use it once istio-mesh:otlpEndpoint names one. ${KEEP}`;
        assert.deepStrictEqual(warningsOf(idle), [
            `istio-mesh:prometheusScrapesMesh: true has no effect here: istio-mesh:prometheusUrl is empty, so there is no existing Prometheus it speaks of; it is read once istio-mesh:prometheusUrl names one. ${KEEP}`,
            `istio-mesh:otlpProtocol: "http" has no effect here: ${collectorOff}`,
            `istio-mesh:tracingQueryUrl: "${TEMPO}" has no effect here: ${collectorOff}`,
            `istio-mesh:tracingQueryProvider: "tempo" has no effect here: istio-mesh:tracingQueryUrl is empty or unused, so Kiali queries no traces; it is read once Kiali queries istio-mesh:tracingQueryUrl. ${KEEP}`,
        ]);
        const noKiali = {
            "istio-mesh:addons": '["prometheus"]',
            "istio-mesh:otlpEndpoint": COLLECTOR,
            "istio-mesh:tracingQueryUrl": TEMPO,
        };
        assert.deepStrictEqual(warningsOf(noKiali), [
            `istio-mesh:tracingQueryUrl: "${TEMPO}" has no effect here: kiali is not in istio-mesh:addons, so nothing queries traces; the bundled kiali uses it once istio-mesh:addons lists it again. ${KEEP}`,
        ]);
    });

    for (const stack of committedStacks()) {
        it(`${stack}: an existing Prometheus instead of the bundled one is istio-mesh:addons without prometheus, and istio-mesh:prometheusUrl`, () => {
            const raw = stackConfig(stack, {
                "istio-mesh:addons": ["grafana", "jaeger", "kiali"],
                "istio-mesh:prometheusUrl": PROMETHEUS,
            });
            assert.deepStrictEqual(problemsOf(raw), []);
            assert.deepStrictEqual(parseMeshSettings(raw).existingPrometheus, { url: PROMETHEUS, scrapesMesh: false });
        });
    }
});

describe("bring your own telemetry: values", () => {
    const otlp = { host: "otel-collector.observability.svc.cluster.local", port: 4317 };

    it("istiod's tracing provider: OTLP over gRPC, or over HTTP to /v1/traces; Jaeger's when it is on", () => {
        assert.deepStrictEqual(otlpTracingProvider({ ...otlp, protocol: "grpc" }), {
            name: "otel-tracing",
            opentelemetry: { service: "otel-collector.observability.svc.cluster.local", port: 4317 },
        });
        assert.deepStrictEqual(otlpTracingProvider({ ...otlp, port: 4318, protocol: "http" }), {
            name: "otel-tracing",
            opentelemetry: {
                service: "otel-collector.observability.svc.cluster.local",
                port: 4318,
                http: { path: "/v1/traces" },
            },
        });
        assert.deepStrictEqual(meshTracingProvider({ addons: ["jaeger"] }, "istio-system"), {
            name: "jaeger",
            opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 },
        });
        assert.strictEqual(meshTracingProvider({ addons: ["prometheus"] }, "istio-system"), undefined);
    });

    it("Kiali's tracing: the bundled Jaeger, the query API behind a collector, or off", () => {
        assert.deepStrictEqual(kialiTracing({ addons: ["jaeger"] }, "istio-system"), {
            provider: "jaeger",
            internalUrl: "http://jaeger.istio-system.svc:16686/jaeger",
        });
        const query = { url: TEMPO, provider: "tempo" as const };
        assert.deepStrictEqual(
            kialiTracing({ addons: [], otlpTracing: { ...otlp, protocol: "grpc", query } }, "istio-system"),
            { provider: "tempo", internalUrl: TEMPO },
        );
        assert.strictEqual(
            kialiTracing({ addons: [], otlpTracing: { ...otlp, protocol: "grpc" } }, "istio-system"),
            undefined,
        );
    });

    it("the Prometheus Grafana and Kiali read: the existing one, else the bundled one", () => {
        assert.deepStrictEqual(
            [
                prometheusReadUrl({ existingPrometheus: { url: PROMETHEUS, scrapesMesh: false } }, "istio-system"),
                prometheusReadUrl({}, "istio-system"),
            ],
            [PROMETHEUS, "http://prometheus.istio-system.svc:9090/prometheus"],
        );
    });

    it("the scrape jobs: istiod, every proxy, and ztunnel with ambient, each the bundled job's relabelling after a filter", () => {
        const jobs = meshScrapeJobs({});
        assert.deepStrictEqual(
            jobs.map((job) => [job.job_name, job.honor_labels, job.kubernetes_sd_configs, job.relabel_configs[0]]),
            [
                [
                    "istiod",
                    false,
                    [{ role: "pod", namespaces: { names: ["istio-system"] } }],
                    { source_labels: ["__meta_kubernetes_pod_label_app"], action: "keep", regex: "istiod" },
                ],
                [
                    "envoy-stats",
                    false,
                    [{ role: "pod" }],
                    {
                        source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                        action: "keep",
                        regex: "/stats/prometheus",
                    },
                ],
            ],
        );
        assert.deepStrictEqual(
            jobs.map((job) => job.relabel_configs.slice(1)),
            [ANNOTATED_POD_RELABELING, ANNOTATED_POD_RELABELING],
        );
        const ambient = meshScrapeJobs({
            ambient: {
                platform: "none",
                agentNamespace: "istio-ambient",
                gatewayApiCrds: "install",
                namespaces: [],
                waypointNamespaces: [],
                releasedNamespaces: [],
            },
        });
        assert.deepStrictEqual(ambient[2].kubernetes_sd_configs, [
            { role: "pod", namespaces: { names: ["istio-ambient"] } },
        ]);
        assert.deepStrictEqual(ambient[2].relabel_configs[0], {
            source_labels: ["__meta_kubernetes_pod_label_app"],
            action: "keep",
            regex: "ztunnel",
        });
        // The output is the same jobs as YAML, ready for scrape_configs or additionalScrapeConfigs.
        assert.deepStrictEqual(yaml.load(meshScrapeConfig({})), JSON.parse(JSON.stringify(jobs)));
    });

    it("derives the relabelling from the bundled Prometheus: its rendered kubernetes-pods job, with honor_labels false", async () => {
        const render = await renderStack("dev");
        const jobs = configFile(render, "prometheus", "prometheus", "prometheus.yml").scrape_configs as {
            job_name: string;
            honor_labels: boolean;
            relabel_configs: unknown[];
        }[];
        const pods = jobs.find((job) => job.job_name === "kubernetes-pods");
        // The chart writes `regex: true` unquoted, a YAML boolean Prometheus reads as the text "true".
        const asPrometheusReads = (relabels: unknown[] = []): unknown[] =>
            relabels.map((relabel) => {
                const { regex, ...rest } = relabel as { regex?: unknown };
                return regex === undefined ? rest : { ...rest, regex: String(regex) };
            });
        assert.deepStrictEqual(
            [pods?.honor_labels, asPrometheusReads(pods?.relabel_configs)],
            [false, JSON.parse(JSON.stringify(ANNOTATED_POD_RELABELING))],
        );
    });
});

describe("bring your own telemetry: the dev stack with an existing Prometheus and an OTLP collector", () => {
    it("installs Grafana and Kiali reading that Prometheus, sends spans to the collector, and outputs the scrape jobs", async () => {
        const run = await evaluateStack("dev", BYO);
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        assert.deepStrictEqual(
            graph
                .ofType(CHART)
                .map((r) => r.name)
                .filter((n) => /prometheus|grafana|jaeger|kiali/.test(n))
                .sort(),
            ["mesh-grafana", "mesh-kiali"],
        );
        const istiod = graph.get(CHART, "istiod-1-31-4").inputs.values as { meshConfig: Record<string, unknown> };
        assert.deepStrictEqual(istiod.meshConfig.extensionProviders, [
            {
                name: "otel-tracing",
                opentelemetry: { service: "otel-collector.observability.svc.cluster.local", port: 4317 },
            },
        ]);
        const [telemetry] = graph.ofType("kubernetes:telemetry.istio.io/v1:Telemetry");
        assert.deepStrictEqual(telemetry.inputs.spec, {
            tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 100 }],
        });
        const grafana = graph.get(CHART, "grafana").inputs.values as {
            datasources: { "datasources.yaml": { datasources: { url: string }[] } };
        };
        assert.deepStrictEqual(
            grafana.datasources["datasources.yaml"].datasources.map((d) => d.url),
            [PROMETHEUS],
        );
        const kiali = graph.get(CHART, "kiali").inputs.values as { external_services: Record<string, unknown> };
        assert.deepStrictEqual(
            [kiali.external_services.prometheus, kiali.external_services.tracing],
            [{ url: PROMETHEUS }, { enabled: true, provider: "tempo", use_grpc: false, internal_url: TEMPO }],
        );
        const settings = parseMeshSettings(stackConfig("dev", BYO));
        assert.strictEqual(await valueOf(run.outputs.prometheusScrapeConfig as string), meshScrapeConfig(settings));
        // The existing Prometheus scrapes istiod from its namespace, through the NetworkPolicies.
        const istiodPolicy = graph
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((r) => (r.inputs.metadata as { name: string }).name === "istiod");
        assert.deepStrictEqual((istiodPolicy?.inputs.spec as { ingress: unknown[] }).ingress.slice(2), [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                ports: [{ protocol: "TCP", port: 15014 }],
            },
        ]);
        // dev's kubelet setting is kept for the bundled Prometheus, and only warns.
        assert.deepStrictEqual(run.warnings, [
            `istio-mesh:kubeletTlsVerify: false has no effect here: prometheus is not in istio-mesh:addons, so no node is scraped; the bundled prometheus uses it once istio-mesh:addons lists it again. ${KEEP}`,
        ]);
    });

    it("outputs no scrape jobs for a Prometheus that scrapes the mesh itself, nor without one", async () => {
        const scraping = await evaluateStack("dev", { ...BYO, "istio-mesh:prometheusScrapesMesh": true });
        const bundled = await evaluateStack("dev");
        assert.deepStrictEqual(
            [scraping.outputs.prometheusScrapeConfig, bundled.outputs.prometheusScrapeConfig],
            [undefined, undefined],
        );
    });

    it("renders Kiali's and Grafana's configuration pointing at them, every container bounded and valid", async function () {
        this.timeout(120000);
        const render = await renderStack("dev", BYO);
        const kiali = configFile(render, "kiali", "kiali", "config.yaml") as {
            external_services: { prometheus: { url: string }; tracing: Record<string, unknown> };
        };
        assert.deepStrictEqual(
            [kiali.external_services.prometheus.url, kiali.external_services.tracing],
            [PROMETHEUS, { enabled: true, provider: "tempo", use_grpc: false, internal_url: TEMPO }],
        );
        const datasources = configFile(render, "grafana", "grafana", "datasources.yaml").datasources as {
            url: string;
        }[];
        assert.deepStrictEqual(
            datasources.map((d) => d.url),
            [PROMETHEUS],
        );
        const mesh = configFile(render, "istiod-1-31-4", "istio-1-31-4", "mesh") as { extensionProviders: unknown[] };
        assert.deepStrictEqual(mesh.extensionProviders, [
            {
                name: "otel-tracing",
                opentelemetry: { service: "otel-collector.observability.svc.cluster.local", port: 4317 },
            },
        ]);
        assert.deepStrictEqual(containerResourceProblems(render.releases), []);
        assert.deepStrictEqual(await kubernetesSchemaProblems(render.releases), []);
    });
});
