import * as assert from "assert";
import { memoryBudget } from "../components/sizing/budget";
import { parseMeshSettings } from "../components/config/stack-config";
import { Address, configuredAddresses, servedPaths } from "./support/configured";
import { podMemoryRequestMi, releaseOf, theObject } from "./support/manifests";
import { stackConfig } from "./support/program";
import {
    addressProblems,
    containerResourceProblems,
    copyOf,
    editConfigFile,
    gatewayApiCrdProblems,
    istioCrdProblems,
    kialiSecretReferenceProblems,
    kubernetesSchemaProblems,
    loadBalancerWaitProblems,
    offlineStartProblems,
    renderedMemoryRequest,
    selfScrapeProblems,
    unverifiedScrapeJobs,
    servedPathProblems,
} from "./support/rendered-checks";
import { renderCharts, renderStack, StackRender } from "./support/render";
import { valueOf } from "./support/values";
import type { MockCluster } from "./support/monitor";
import { committedStacks } from "./tools/snapshot";

/**
 * What the cluster would receive: every committed stack's charts rendered by the pinned
 * Helm with the stack's exact values, as Chart v4 renders them (test/support/render.ts).
 * Each stack renders once per run; every check here reads that render.
 */

async function addressesOf(render: StackRender): Promise<Address[]> {
    return configuredAddresses(render, await valueOf(render.run.outputs.portForwardCommands as Record<string, string>));
}

/** What is rendered: each committed stack as it is, and the dev stack with ambient on. */
const RENDERED: { title: string; stack: string; overrides: Record<string, unknown>; cluster: MockCluster }[] = [
    ...committedStacks().map((stack) => ({ title: `stack ${stack}`, stack, overrides: {}, cluster: {} })),
    {
        title: "the dev stack with ambient on minikube, two nodes, shop ambient with a waypoint",
        stack: "dev",
        overrides: {
            "istio-mesh:ambient": true,
            "istio-mesh:platform": "minikube",
            "istio-mesh:nodes": 2,
            "istio-mesh:ambientNamespaces": ["shop"],
            "istio-mesh:waypointNamespaces": ["shop"],
        },
        cluster: { namespaces: ["shop"] },
    },
];

for (const { title, stack, overrides, cluster } of RENDERED) {
    describe(`rendered charts of ${title}`, () => {
        let render: StackRender;
        const settings = (): ReturnType<typeof parseMeshSettings> => parseMeshSettings(stackConfig(stack, overrides));

        before(async function () {
            this.timeout(60000);
            render = await renderStack(stack, overrides, cluster);
        });

        it("renders every Chart the stack registers into objects", () => {
            const charts = render.run.registrations
                .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
                .map((r) => r.name.replace(/^mesh-/, ""))
                .sort();
            assert.deepStrictEqual(
                render.releases.map((r) => r.resourceName),
                charts,
            );
            assert.deepStrictEqual(
                render.releases.filter((r) => r.objects.length === 0).map((r) => r.release),
                [],
                "releases that render nothing",
            );
        });

        it("renders byte-identical manifests a second time", async () => {
            const again = await renderCharts(render.run.registrations);
            const differing = again
                .filter((release, i) => release.manifest !== render.releases[i].manifest)
                .map((release) => release.release);
            assert.deepStrictEqual(differing, [], "a chart generates something at render time");
        });

        it("gives every container a CPU request, a memory request and a memory limit", () => {
            assert.deepStrictEqual(containerResourceProblems(render.releases), []);
        });

        it("requests, over all rendered workloads, the memory total of the sizing table", () => {
            // A DaemonSet runs a pod on every node (istio-mesh:nodes).
            const rendered = renderedMemoryRequest(render.releases, settings().nodes);
            const tableMi = memoryBudget(settings()).totalMi;
            assert.strictEqual(
                rendered.totalMi,
                tableMi,
                `rendered workloads request ${rendered.totalMi}Mi (${rendered.breakdown}); the sizing table says ${tableMi}Mi`,
            );
        });

        it("resolves every configured in-cluster address to a rendered Service with that port", async () => {
            assert.deepStrictEqual(addressProblems(render.releases, await addressesOf(render)), []);
        });

        it("serves each dashboard under the sub-path its routes, links and port-forwards use", async () => {
            assert.deepStrictEqual(servedPathProblems(render, await addressesOf(render)), []);
        });

        it("runs no container that downloads at start: no init container anywhere, Grafana's dashboards mounted, no plugin preinstall", () => {
            assert.deepStrictEqual(offlineStartProblems(render), []);
        });

        it("mounts every Secret Kiali's configuration references, each one the program creates", () => {
            assert.deepStrictEqual(kialiSecretReferenceProblems(render), []);
        });

        it("has Prometheus scrape itself at a path it serves", () => {
            assert.deepStrictEqual(selfScrapeProblems(render), []);
        });

        it("has Prometheus send its token only to servers it verifies, the kubelets too unless the stack says theirs are self-signed", () => {
            const expected = settings().kubeletTlsVerify ? [] : ["kubernetes-nodes", "kubernetes-nodes-cadvisor"];
            assert.deepStrictEqual(unverifiedScrapeJobs(render), expected);
        });

        it("has Pulumi wait for a LoadBalancer's address exactly when the stack says its cluster gives one", () => {
            // minikube gives none without a tunnel: there Pulumi would wait 10 minutes, then fail.
            const awaited = loadBalancerWaitProblems(render.releases);
            const expected = settings().awaitIngressAddress
                ? ["Service istio-ingress/istio-ingressgateway: type LoadBalancer without pulumi.com/skipAwait"]
                : [];
            assert.deepStrictEqual(awaited, expected);
        });

        it("renders only objects that validate against the Kubernetes API schema", async () => {
            assert.deepStrictEqual(await kubernetesSchemaProblems(render.releases), []);
        });

        it("creates only Istio objects that validate against the CRDs the base chart renders", () => {
            assert.deepStrictEqual(istioCrdProblems(render), []);
        });

        it("creates only Gateway API objects (waypoints) that validate against the pinned standard CRDs", () => {
            assert.deepStrictEqual(gatewayApiCrdProblems(render), []);
        });
    });
}

describe("the checks on rendered objects catch what they look for (dev stack)", () => {
    let dev: StackRender;
    before(async function () {
        this.timeout(60000);
        dev = await renderStack("dev");
    });

    it("finds the configured addresses: mesh discovery and tracing, Kiali's, Grafana's, each route's and port-forward's", async () => {
        assert.deepStrictEqual(
            (await addressesOf(dev)).map((a) => `${a.where} -> ${a.service}.${a.namespace}:${a.port}${a.path ?? ""}`),
            [
                "ConfigMap istio-system/istio-1-31-4 mesh defaultConfig.discoveryAddress -> istiod-1-31-4.istio-system:15012",
                "ConfigMap istio-system/istio-1-31-4 mesh extensionProviders[0] (jaeger) -> jaeger.istio-system:4317",
                "ConfigMap istio-system/kiali config.yaml external_services.prometheus.url -> prometheus.istio-system:9090/prometheus",
                "ConfigMap istio-system/kiali config.yaml external_services.grafana.internal_url -> grafana.istio-system:3000/grafana",
                "ConfigMap istio-system/kiali config.yaml external_services.tracing.internal_url -> jaeger.istio-system:16686/jaeger",
                "ConfigMap istio-system/grafana datasources.yaml datasources[0].url -> prometheus.istio-system:9090/prometheus",
                "VirtualService mesh-dashboards-grafana http[0].route[0].destination -> grafana.istio-system:3000/grafana",
                "VirtualService mesh-dashboards-kiali http[0].route[0].destination -> kiali.istio-system:20001/kiali",
                "output portForwardCommands.prometheus -> prometheus.istio-system:9090/prometheus",
                "output portForwardCommands.grafana -> grafana.istio-system:3000/grafana",
                "output portForwardCommands.jaeger -> jaeger.istio-system:16686/jaeger",
                "output portForwardCommands.kiali -> kiali.istio-system:20001/kiali",
            ],
        );
    });

    it("reads each dashboard's sub-path from the app's own configuration", () => {
        assert.deepStrictEqual(servedPaths(dev), {
            prometheus: "/prometheus",
            grafana: "/grafana",
            jaeger: "/jaeger",
            kiali: "/kiali",
        });
    });

    it("an address with a wrong port or Service is named with what is rendered", async () => {
        const broken = copyOf(dev);
        editConfigFile(broken, "kiali", "kiali", "config.yaml", (config) => {
            const services = config.external_services as Record<string, Record<string, string>>;
            services.prometheus.url = "http://prometheus.istio-system.svc:9091/prometheus";
            services.grafana.internal_url = "http://grafana-ui.istio-system.svc:3000/grafana";
        });
        assert.deepStrictEqual(addressProblems(broken.releases, await addressesOf(broken)), [
            "ConfigMap istio-system/kiali config.yaml external_services.prometheus.url: Service istio-system/prometheus has port 9090, not 9091",
            "ConfigMap istio-system/kiali config.yaml external_services.grafana.internal_url: no Service istio-system/grafana-ui is rendered",
        ]);
    });

    it("a dashboard served under another path is named, with every address that asks for the old one", async () => {
        const broken = copyOf(dev);
        editConfigFile(broken, "kiali", "kiali", "config.yaml", (config) => {
            (config.server as Record<string, string>).web_root = "/ui";
        });
        assert.deepStrictEqual(servedPathProblems(broken, await addressesOf(broken)), [
            "kiali serves /ui, not /kiali",
            "VirtualService mesh-dashboards-kiali http[0].route[0].destination: asks kiali for /kiali, which serves /ui",
            "output portForwardCommands.kiali: asks kiali for /kiali, which serves /ui",
        ]);
    });

    it("a container without resources, a LoadBalancer Pulumi waits on, and a malformed object are each named", async () => {
        const broken = copyOf(dev);
        const kiali = theObject(releaseOf(broken.releases, "kiali"), "Deployment", "kiali");
        const container = (
            kiali.spec as { template: { spec: { containers: { resources?: unknown; ports?: unknown }[] } } }
        ).template.spec.containers[0];
        delete container.resources;
        container.ports = [{ containerPort: "http" }];
        assert.deepStrictEqual(
            containerResourceProblems(broken.releases).filter((p) => p.includes("kiali")),
            ["Deployment istio-system/kiali containers kiali: no cpu request, no memory request, no memory limit"],
        );
        assert.deepStrictEqual(await kubernetesSchemaProblems(broken.releases), [
            "kiali: Deployment istio-system/kiali: data/spec/template/spec/containers/0/ports/0/containerPort must be integer",
        ]);
        const gatewayService = theObject(
            releaseOf(broken.releases, "istio-ingressgateway"),
            "Service",
            "istio-ingressgateway",
        );
        assert.deepStrictEqual(loadBalancerWaitProblems(broken.releases), []);
        delete gatewayService.metadata.annotations?.["pulumi.com/skipAwait"];
        assert.deepStrictEqual(loadBalancerWaitProblems(broken.releases), [
            "Service istio-ingress/istio-ingressgateway: type LoadBalancer without pulumi.com/skipAwait",
        ]);
    });

    it("a download at Grafana's start is named: an init container, plugin preinstall, unmounted dashboards", () => {
        const broken = copyOf(dev);
        const grafana = releaseOf(broken.releases, "grafana");
        const deployment = theObject(grafana, "Deployment", "grafana");
        const pod = (
            deployment.spec as {
                template: { spec: { initContainers?: unknown[]; volumes: { configMap?: { name: string } }[] } };
            }
        ).template.spec;
        pod.initContainers = [{ name: "download-dashboards", image: "docker.io/curlimages/curl:8.21.0" }];
        pod.volumes = pod.volumes.filter((v) => v.configMap?.name !== "istio-services-grafana-dashboards");
        const config = theObject(grafana, "ConfigMap", "grafana").data as Record<string, string>;
        config["grafana.ini"] = config["grafana.ini"].replace(
            "preinstall_disabled = true",
            "preinstall_disabled = false",
        );
        assert.deepStrictEqual(offlineStartProblems(broken), [
            "Deployment istio-system/grafana initContainers download-dashboards: runs before the pod starts (image docker.io/curlimages/curl:8.21.0)",
            "ConfigMap istio-system/grafana grafana.ini: [plugins] preinstall_disabled is not true, so Grafana installs plugins from grafana.com at start",
            "Deployment istio-system/grafana volumes: ConfigMap istio-services-grafana-dashboards is not mounted",
        ]);
    });

    it("a Kiali secret reference with no mounted or created Secret is named", () => {
        const broken = copyOf(dev);
        editConfigFile(broken, "kiali", "kiali", "config.yaml", (config) => {
            (config.external_services as Record<string, Record<string, Record<string, string>>>).grafana.auth.password =
                "secret:grafana-creds:password";
        });
        assert.deepStrictEqual(kialiSecretReferenceProblems(broken), [
            "Deployment istio-system/kiali: mounts no Secret grafana-creds for secret:grafana-creds:password",
            "secret:grafana-creds:password: the program creates no Secret grafana-creds with key password",
        ]);
    });

    it("a token sent over HTTP, without a CA, or to a scheme a target chooses is named", () => {
        const broken = copyOf(dev);
        editConfigFile(broken, "prometheus", "prometheus", "prometheus.yml", (config) => {
            const jobs = config.scrape_configs as Record<string, unknown>[];
            const job = (name: string): Record<string, unknown> =>
                jobs.find((j) => j.job_name === name) as Record<string, unknown>;
            job("kubernetes-api-servers").scheme = "http";
            job("kubernetes-nodes").tls_config = {};
            (job("kubernetes-nodes-cadvisor").relabel_configs as unknown[]).push({ target_label: "__scheme__" });
            job("kubernetes-pods").authorization = { credentials_file: "/token" };
        });
        assert.deepStrictEqual(unverifiedScrapeJobs(broken), [
            "kubernetes-api-servers",
            "kubernetes-nodes",
            "kubernetes-nodes-cadvisor",
            "kubernetes-pods",
        ]);
    });

    it("counts a pod's memory as the scheduler does: containers and sidecar init containers, or the largest init container", () => {
        const mi = (
            memory: string,
            restartPolicy?: string,
        ): { name: string; resources: { requests: { memory: string } }; restartPolicy?: string } => ({
            name: memory,
            resources: { requests: { memory } },
            ...(restartPolicy && { restartPolicy }),
        });
        assert.strictEqual(
            podMemoryRequestMi({
                containers: [mi("100Mi"), mi("28Mi")],
                initContainers: [mi("64Mi", "Always"), mi("150Mi")],
            }),
            192,
        );
        assert.strictEqual(podMemoryRequestMi({ containers: [mi("100Mi")], initContainers: [mi("1Gi")] }), 1024);
    });

    it("an Istio object that its rendered CRD rejects is named", () => {
        const broken: StackRender = JSON.parse(
            JSON.stringify({ ...dev, run: { ...dev.run, outputs: {} } }),
        ) as StackRender;
        const mtls = broken.run.registrations.find(
            (r) => r.type === "kubernetes:security.istio.io/v1:PeerAuthentication",
        );
        (mtls?.inputs.spec as Record<string, unknown>).mtls = { mode: "STRICTER" };
        assert.deepStrictEqual(istioCrdProblems(broken), [
            "PeerAuthentication mesh-mesh-mtls: spec/mtls/mode must be equal to one of the allowed values",
        ]);
    });

    it("the sizing total the charts render equals the table's for a stack with overrides", async function () {
        this.timeout(60000);
        const overrides = {
            "istio-mesh:resources": { kiali: { requests: { memory: "192Mi" } } },
            "istio-mesh:replicas": { istiod: 3 },
        };
        const render = await renderStack("dev", overrides);
        assert.strictEqual(
            renderedMemoryRequest(render.releases).totalMi,
            memoryBudget(parseMeshSettings(stackConfig("dev", overrides))).totalMi,
        );
        assert.strictEqual(renderedMemoryRequest(render.releases).totalMi, 1024 + 64 + 2 * 256);
    });
});
