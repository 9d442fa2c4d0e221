import * as assert from "assert";
import { parseMeshSettings } from "../components/config/stack-config";
import { memoryBudget } from "../components/sizing/budget";
import { planSizing } from "../components/sizing/sizing";
import {
    clientScript,
    frontendConfig,
    SampleAppPlan,
    sampleNamespaceLabels,
    sampleNetworkPolicies,
    sampleWorkloads,
} from "../components/values/sample-app";
import { SAMPLE_APP_IMAGES } from "../components/versions";
import { Graph } from "./support/graph";
import { label, podSpecOf } from "./support/manifests";
import { restrictedViolations } from "./support/pod-security";
import { policyResources, violationsOf } from "./support/policies";
import { problemsOf, warningsOf } from "./support/problems";
import { evaluateStack, stackConfig } from "./support/program";
import { registeredObjects, registeredRelease } from "./support/registered";
import { renderStack } from "./support/render";
import { containerResourceProblems, kubernetesSchemaProblems, renderedMemoryRequest } from "./support/rendered-checks";

/**
 * The sample application (`sampleApp`): a client, a frontend and a backend in a namespace of
 * their own, in the mesh as the stack's data plane is, checked as every workload the mesh
 * deploys is: bounded, restricted, counted by the budget, valid, and inside STRICT mTLS.
 */

const NS = "istio-mesh-sample";
const ON = { "istio-mesh:sampleApp": true };
const AMBIENT = {
    ...ON,
    "istio-mesh:ambient": true,
    "istio-mesh:platform": "minikube",
    "istio-mesh:nodes": 2,
};
const SIZE = { cpuRequest: 10, cpuLimit: 100, memoryRequest: 16, memoryLimit: 64 };
const PLAN: SampleAppPlan = {
    namespace: NS,
    dataPlane: "sidecar",
    revision: "1-31-4",
    size: SIZE,
    networkPolicies: false,
};

describe("the sample application: what it is made of", () => {
    it("pins every image by a tag, never latest", () => {
        assert.deepStrictEqual(
            Object.values(SAMPLE_APP_IMAGES).map((pin) => pin.image),
            [
                "docker.io/curlimages/curl:8.21.0",
                "docker.io/nginxinc/nginx-unprivileged:1.30.4-alpine-slim",
                "docker.io/mccutchen/go-httpbin:2.24.0",
            ],
        );
    });

    it("labels its namespace for the stack's data plane: the default tag's sidecars, or ambient with restricted enforced", () => {
        assert.deepStrictEqual(sampleNamespaceLabels("sidecar"), {
            "istio-injection": "enabled",
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
        assert.deepStrictEqual(sampleNamespaceLabels("ambient"), {
            "istio.io/dataplane-mode": "ambient",
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
    });

    it("calls client -> frontend -> backend, each by its Service's full name", () => {
        assert.strictEqual(
            clientScript(NS),
            "trap 'exit 0' TERM; while true; do curl -sS -o /dev/null -w '%{http_code} %{time_total}s\\n' http://frontend.istio-mesh-sample.svc.cluster.local:8080/get; sleep 1 & wait $!; done",
        );
        const config = frontendConfig(NS);
        assert.deepStrictEqual(
            config.split("\n").filter((line) => /listen|proxy_pass|proxy_set_header|pid/.test(line)),
            [
                "pid /tmp/nginx.pid;",
                "        listen 8080;",
                "            proxy_set_header Host backend.istio-mesh-sample.svc.cluster.local;",
                "            proxy_pass http://backend.istio-mesh-sample.svc.cluster.local:8080;",
            ],
        );
    });

    it("runs the backend as go-httpbin's own user, bounded, restricted, read-only, rolled by the default revision", () => {
        const [client, frontend, backend] = sampleWorkloads(PLAN);
        assert.deepStrictEqual(
            [client.name, frontend.name, backend.name, client.service],
            ["client", "frontend", "backend", undefined],
        );
        const labels = { app: "backend", version: "v1", "app.kubernetes.io/part-of": "istio-mesh-sample" };
        assert.deepStrictEqual(backend, {
            name: "backend",
            serviceAccount: {
                metadata: { name: "backend", namespace: NS, labels },
                automountServiceAccountToken: false,
            },
            deployment: {
                metadata: { name: "backend", namespace: NS, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: "backend" } },
                    template: {
                        metadata: { labels, annotations: { "istio-mesh.io/data-plane": "sidecar 1-31-4" } },
                        spec: {
                            serviceAccountName: "backend",
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "backend",
                                    resources: {
                                        requests: { cpu: "10m", memory: "16Mi" },
                                        limits: { cpu: "100m", memory: "64Mi" },
                                    },
                                    image: "docker.io/mccutchen/go-httpbin:2.24.0",
                                    ports: [{ name: "http", containerPort: 8080 }],
                                    readinessProbe: { httpGet: { path: "/status/200", port: 8080 }, periodSeconds: 5 },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        capabilities: { drop: ["ALL"] },
                                        readOnlyRootFilesystem: true,
                                        runAsNonRoot: true,
                                        runAsUser: 65532,
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            service: {
                metadata: { name: "backend", namespace: NS, labels },
                spec: {
                    selector: { app: "backend" },
                    ports: [{ name: "http", port: 8080, targetPort: 8080, appProtocol: "http" }],
                },
            },
        });
        const ambient = sampleWorkloads({ ...PLAN, dataPlane: "ambient" });
        const annotations = (workload: (typeof ambient)[number]): unknown =>
            (workload.deployment as { spec: { template: { metadata: { annotations: unknown } } } }).spec.template
                .metadata.annotations;
        assert.deepStrictEqual(annotations(ambient[2]), { "istio-mesh.io/data-plane": "ambient" });
        // NGINX's configuration rolls its pod when it changes.
        assert.match(
            String((annotations(frontend) as Record<string, string>)["istio-mesh.io/config"]),
            /^[0-9a-f]{16}$/,
        );
    });

    it("admits, with NetworkPolicies, only the calls, the probes and the scrapes: by port for sidecars, HBONE for ambient", () => {
        assert.deepStrictEqual(sampleNetworkPolicies(PLAN), []);
        const tcp = (port: number) => ({ protocol: "TCP", port });
        const app = (name: string) => ({ podSelector: { matchLabels: { app: name } } });
        const deny = { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } };
        assert.deepStrictEqual(sampleNetworkPolicies({ ...PLAN, networkPolicies: true, scraper: { bundled: true } }), [
            deny,
            {
                name: "frontend",
                spec: {
                    ...app("frontend"),
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [app("client")], ports: [tcp(8080)] }],
                },
            },
            {
                name: "backend",
                spec: {
                    ...app("backend"),
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [app("frontend")], ports: [tcp(8080)] }],
                },
            },
            {
                name: "metrics",
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: {
                                        matchLabels: { "kubernetes.io/metadata.name": "istio-system" },
                                    },
                                    podSelector: {
                                        matchLabels: {
                                            "app.kubernetes.io/name": "prometheus",
                                            "app.kubernetes.io/component": "server",
                                        },
                                    },
                                },
                            ],
                            ports: [tcp(15020)],
                        },
                    ],
                },
            },
        ]);
        const probes = { from: [{ ipBlock: { cidr: "169.254.7.127/32" } }], ports: [tcp(8080)] };
        assert.deepStrictEqual(
            sampleNetworkPolicies({ ...PLAN, dataPlane: "ambient", networkPolicies: true, scraper: { bundled: true } }),
            [
                deny,
                {
                    name: "frontend",
                    spec: {
                        ...app("frontend"),
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [app("client")], ports: [tcp(15008)] }, probes],
                    },
                },
                {
                    name: "backend",
                    spec: {
                        ...app("backend"),
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [app("frontend")], ports: [tcp(15008)] }, probes],
                    },
                },
            ],
        );
        const existing = sampleNetworkPolicies({
            ...PLAN,
            networkPolicies: true,
            scraper: { namespace: "monitoring" },
        });
        assert.deepStrictEqual(existing[3].spec.ingress, [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                ports: [tcp(15020)],
            },
        ]);
    });
});

describe("the sample application: settings", () => {
    it("is off by default, on with istio-mesh:sampleApp, sized by the table and counted by the budget", () => {
        assert.strictEqual(parseMeshSettings({}).sampleApp, false);
        const settings = parseMeshSettings(stackConfig("dev", ON));
        assert.strictEqual(settings.sampleApp, true);
        assert.deepStrictEqual(planSizing(settings).sizes.sampleApp, SIZE);
        const budget = memoryBudget(settings);
        assert.deepStrictEqual(budget.lines.at(-1), {
            component: "sampleApp",
            label: "sampleApp (3 pods)",
            replicas: 3,
            requestMi: 48,
        });
        assert.strictEqual(budget.totalMi, memoryBudget(parseMeshSettings(stackConfig("dev"))).totalMi + 48);
    });

    it("refuses its namespace in another role, naming the key and the fix", () => {
        assert.deepStrictEqual(
            problemsOf({ ...stackConfig("dev", ON), "istio-mesh:injectionNamespaces": `["default","${NS}"]` }),
            [
                `istio-mesh:injectionNamespaces: "${NS}" is the sample application's namespace, which the mesh creates, labels and deletes with istio-mesh:sampleApp; use another namespace here, or set istio-mesh:sampleApp: false`,
            ],
        );
        assert.deepStrictEqual(problemsOf({ ...stackConfig("dev", ON), "istio-mesh:egressNamespace": NS }), [
            `istio-mesh:egressNamespace: "${NS}" is the sample application's namespace, which the mesh creates, labels and deletes with istio-mesh:sampleApp; use another namespace here, or set istio-mesh:sampleApp: false`,
        ]);
        // Without the sample application the namespace is anybody's.
        assert.deepStrictEqual(problemsOf({ "istio-mesh:injectionNamespaces": `["${NS}"]` }), []);
    });

    it("takes resources.sampleApp for its containers; without it, that entry only warns", () => {
        const sized = {
            ...stackConfig("dev", ON),
            "istio-mesh:resources": '{"sampleApp":{"limits":{"memory":"128Mi"}}}',
        };
        assert.strictEqual(planSizing(parseMeshSettings(sized)).sizes.sampleApp.memoryLimit, 128);
        assert.deepStrictEqual(warningsOf({ "istio-mesh:resources": '{"sampleApp":{"limits":{"memory":"128Mi"}}}' }), [
            "istio-mesh:resources: the sampleApp entry has no effect here: istio-mesh:sampleApp is false, so sampleApp is not deployed; the entry applies once it is deployed again. Keep it for then, or remove it to silence this warning",
        ]);
    });
});

for (const [title, overrides] of [
    ["dev with sidecars", ON],
    ["dev with ambient on two nodes", AMBIENT],
] as const) {
    describe(`the sample application in ${title}`, () => {
        it("is a namespace the mesh creates and destroy deletes, labelled for the data plane, and three workloads that wait for it", async () => {
            const run = await evaluateStack("dev", overrides);
            assert.strictEqual(run.error, undefined);
            const graph = new Graph(run.registrations);
            const namespace = graph.get("kubernetes:core/v1:Namespace", "sample-app-namespace");
            assert.strictEqual(namespace.retainOnDelete, false);
            const ambient = "istio-mesh:ambient" in overrides;
            assert.deepStrictEqual(
                (namespace.inputs.metadata as { labels: Record<string, string> }).labels,
                sampleNamespaceLabels(ambient ? "ambient" : "sidecar"),
            );
            const deployments = graph.ofType("kubernetes:apps/v1:Deployment");
            assert.deepStrictEqual(
                deployments.map((d) => d.name),
                ["mesh-sample-app-backend", "mesh-sample-app-client", "mesh-sample-app-frontend"],
            );
            // Each pod starts once the tag that injects it (and the ztunnel that captures it) runs.
            const tags = graph.get("istio-mesh:core:RevisionTags", "revision-tags");
            const tagObjects = graph.registrations.filter((r) => r.parent === tags.urn);
            assert.ok(tagObjects.length > 0);
            for (const deployment of deployments) {
                assert.ok(deployment.dependencies.includes(namespace.urn), `${deployment.name} before its namespace`);
                for (const tag of tagObjects) {
                    assert.ok(graph.waitsFor(deployment, tag), `${deployment.name} before ${tag.name}`);
                }
                if (ambient) {
                    const ztunnel = graph
                        .ofType("kubernetes:helm.sh/v4:Chart")
                        .find((r) => r.name === "mesh-ambient-ztunnel");
                    assert.ok(
                        ztunnel !== undefined && graph.waitsFor(deployment, ztunnel),
                        `${deployment.name} before ztunnel`,
                    );
                }
            }
        });

        it("bounds every container, passes Pod Security's restricted profile, and validates against the API schema", async () => {
            const objects = registeredObjects(await evaluateStack("dev", overrides), NS);
            const workloads = objects.filter((o) => podSpecOf(o) !== undefined).map(label);
            assert.deepStrictEqual(workloads, [
                `Deployment ${NS}/backend`,
                `Deployment ${NS}/client`,
                `Deployment ${NS}/frontend`,
            ]);
            const release = registeredRelease(await evaluateStack("dev", overrides), NS);
            assert.deepStrictEqual(containerResourceProblems([release]), []);
            assert.deepStrictEqual(restrictedViolations(objects), []);
            assert.deepStrictEqual(await kubernetesSchemaProblems([release]), []);
        });

        it("is inside STRICT mTLS: no pod opts out of the data plane, no port is excluded, no policy loosens mTLS", async () => {
            const objects = registeredObjects(await evaluateStack("dev", overrides), NS);
            const optOuts = objects.flatMap((object) => {
                const template = (object.spec as { template?: { metadata: { labels?: object; annotations?: object } } })
                    ?.template?.metadata;
                const marks = { ...template?.labels, ...template?.annotations } as Record<string, string>;
                return Object.entries(marks)
                    .filter(
                        ([key, value]) =>
                            (key === "sidecar.istio.io/inject" && value === "false") ||
                            (key === "istio.io/dataplane-mode" && value === "none") ||
                            key.startsWith("traffic.sidecar.istio.io/exclude"),
                    )
                    .map(([key]) => `${label(object)}: ${key}`);
            });
            assert.deepStrictEqual(optOuts, []);
            const graph = new Graph((await evaluateStack("dev", overrides)).registrations);
            assert.deepStrictEqual(
                graph
                    .ofType("kubernetes:security.istio.io/v1:PeerAuthentication")
                    .map((r) => [(r.inputs.metadata as { namespace: string }).namespace, r.inputs.spec]),
                [["istio-system", { mtls: { mode: "STRICT" } }]],
            );
        });

        it("requests, with the charts, the memory total of the sizing table", async function () {
            this.timeout(120000);
            const render = await renderStack("dev", overrides);
            const settings = parseMeshSettings(stackConfig("dev", overrides));
            assert.strictEqual(
                renderedMemoryRequest([...render.releases, registeredRelease(render.run, NS)], settings.nodes).totalMi,
                memoryBudget(settings).totalMi,
            );
        });
    });
}

describe("the sample application with NetworkPolicies, in a protected stack", () => {
    it("staging with it: its policies admit the calls and Prometheus's scrapes, and every policy of the pack passes", async function () {
        this.timeout(120000);
        const render = await renderStack("staging", ON);
        const policies = new Graph(render.run.registrations)
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => r.inputs.metadata as { name: string; namespace: string })
            .filter((metadata) => metadata.namespace === NS)
            .map((metadata) => metadata.name);
        assert.deepStrictEqual(policies, ["backend", "default-deny-ingress", "frontend", "metrics"]);
        assert.deepStrictEqual(await violationsOf(policyResources(render), { unprotectedStacks: [] }), []);
    });
});
