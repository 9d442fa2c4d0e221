import * as assert from "assert";
import { IstioMultiClusterMesh, IstioMultiClusterMeshArgs } from "../components";
import { clusterSetProvider } from "../components/mesh/cluster-set-record";
import { Graph } from "./support/graph";
import { allObjects } from "./support/manifests";
import { MockCluster, Registration, SECRET_SIG, SECRET_SIG_KEY } from "./support/monitor";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ProgramRun, projectDefaults, ROOT, runProgram, runUnderMocks } from "./support/program";
import { renderCharts } from "./support/render";

/**
 * One mesh across clusters: each cluster's mesh on its own provider, joined by one mesh ID,
 * one root of trust and a remote secret in every cluster for every other; east-west gateways
 * when the clusters are on several networks.
 */

const PROVIDER = "pulumi:providers:kubernetes";
const SECRET = "kubernetes:core/v1:Secret";
const CHART = "kubernetes:helm.sh/v4:Chart";

/** Both clusters have the application namespace the meshes label. */
const CLUSTERS: MockCluster = {};

const cluster = (name: string, network?: string) => ({
    name,
    context: `kind-${name}`,
    apiServer: `https://172.18.0.${name === "east" ? 2 : 3}:6443`,
    ...(network !== undefined && { network }),
});

function mesh(args: IstioMultiClusterMeshArgs): Promise<ProgramRun> {
    return runUnderMocks(
        async () => {
            new IstioMultiClusterMesh("mc", args);
            return {};
        },
        { project: "platform", stack: "prod", cluster: CLUSTERS },
    );
}

const providerOf = (r: Registration): string => r.provider || r.providers.kubernetes || "";

describe("a mesh across clusters", () => {
    it("puts every object of a cluster on that cluster's provider, and joins the two by remote secrets both ways", async () => {
        const run = await mesh({ clusters: [cluster("east"), cluster("west")] });
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        assert.deepStrictEqual(
            graph
                .ofType(PROVIDER)
                .map((p) => [p.name, p.inputs.context])
                .sort(),
            [
                ["mc-east", "kind-east"],
                ["mc-west", "kind-west"],
                ["mc-east-adopt-existing", "kind-east"],
                ["mc-west-adopt-existing", "kind-west"],
            ].sort(),
        );
        const objects = run.registrations.filter(
            (r) => r.custom && r.type.startsWith("kubernetes:") && r.readId === undefined,
        );
        for (const r of objects) {
            const home = /^mc-(east|west)/.exec(r.name)?.[1];
            assert.ok(home !== undefined, r.name);
            assert.match(providerOf(r), new RegExp(`::mc-${home}(-adopt-existing)?::`), r.name);
        }
        // Remote secrets: in east for west, in west for east, and none for a cluster itself.
        const remote = graph
            .ofType(SECRET)
            .filter(
                (r) =>
                    (r.inputs.metadata as { labels?: Record<string, string> }).labels?.["istio/multiCluster"] ===
                    "true",
            );
        assert.deepStrictEqual(remote.map((r) => [r.name, (r.inputs.metadata as { name: string }).name]).sort(), [
            ["mc-east-remote-west", "istio-remote-secret-west"],
            ["mc-west-remote-east", "istio-remote-secret-east"],
        ]);
        const west = remote.find((r) => r.name === "mc-east-remote-west") as Registration;
        assert.match(providerOf(west), /::mc-east::/);
        // The SDK marks the whole map secret when its value is.
        const data = west.inputs.stringData as { value: { west: string }; [key: string]: unknown };
        assert.strictEqual(data[SECRET_SIG_KEY], SECRET_SIG, "the kubeconfig is a secret");
        assert.match(data.value.west, /server: https:\/\/172\.18\.0\.3:6443/);
        assert.match(data.value.west, /token: token-of-mc-west-reader-token/);
        assert.match(data.value.west, /certificate-authority-data: Y2Etb2YtbWMtd2VzdC1yZWFkZXItdG9rZW4=/);
        // One network: no east-west gateway.
        assert.deepStrictEqual(
            run.registrations.filter((r) => /east-west/.test(r.name)).map((r) => r.name),
            [],
        );
    });

    it("gives each cluster's istiod the intermediate CA of a root they share, and no CA key in the clear anywhere", async () => {
        const run = await mesh({ clusters: [cluster("east"), cluster("west")] });
        const graph = new Graph(run.registrations);
        const cacerts = graph.ofType(SECRET).filter((r) => (r.inputs.metadata as { name: string }).name === "cacerts");
        assert.deepStrictEqual(cacerts.map((r) => r.name).sort(), ["mc-east-cacerts", "mc-west-cacerts"]);
        for (const secret of cacerts) {
            const data = secret.inputs.stringData as { [SECRET_SIG_KEY]: string; value: Record<string, string> };
            assert.strictEqual(data[SECRET_SIG_KEY], SECRET_SIG, `${secret.name} is secret`);
            assert.deepStrictEqual(Object.keys(data.value).sort(), [
                "ca-cert.pem",
                "ca-key.pem",
                "cert-chain.pem",
                "root-cert.pem",
            ]);
            const cluster = secret.name.split("-")[1];
            assert.strictEqual(
                data.value["root-cert.pem"],
                "-----BEGIN CERTIFICATE-----\nmc-root-cert\n-----END CERTIFICATE-----\n",
            );
            assert.strictEqual(
                data.value["ca-cert.pem"],
                `-----BEGIN CERTIFICATE-----\nmc-${cluster}-ca-cert\n-----END CERTIFICATE-----\n`,
            );
            assert.strictEqual(
                data.value["cert-chain.pem"],
                `${data.value["ca-cert.pem"]}${data.value["root-cert.pem"]}`,
            );
            // The istiods wait for it: without it, istiod makes a root of its own.
            const istiod = graph.get(CHART, `${secret.name.replace(/-cacerts$/, "")}-istiod-1-31-4`);
            assert.ok(graph.waitsFor(istiod, secret), istiod.name);
        }
        // The root key is kept (protected); every private key is secret in every registration.
        assert.strictEqual(graph.get("tls:index/privateKey:PrivateKey", "mc-root-key").protect, true);
        const leaks = run.registrations.filter((r) => /PRIVATE KEY/.test(JSON.stringify(stripSecrets(r.inputs))));
        assert.deepStrictEqual(
            leaks.map((r) => r.name),
            [],
        );
    });

    it("across networks: each cluster's network on istio-system and istiod, and an east-west gateway that passes mTLS through on 15443", async () => {
        const run = await mesh({ meshId: "shop-mesh", clusters: [cluster("east", "net-a"), cluster("west", "net-b")] });
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        const namespace = graph.get("kubernetes:core/v1:Namespace", "mc-east-istio-system");
        assert.strictEqual(
            (namespace.inputs.metadata as { labels: Record<string, string> }).labels["topology.istio.io/network"],
            "net-a",
        );
        const istiod = graph.get(CHART, "mc-west-istiod-1-31-4");
        assert.deepStrictEqual(
            (istiod.inputs.values as { global: Record<string, unknown> }).global.meshID,
            "shop-mesh",
        );
        const releases = await renderCharts(
            run.registrations.filter((r) => /^mc-east-(istiod-1-31-4|east-west-gateway)$/.test(r.name)),
        );
        const service = allObjects(releases).find(
            ({ object }) => object.kind === "Service" && object.metadata.name === "istio-eastwestgateway",
        )?.object as unknown as {
            metadata: { namespace: string; labels: Record<string, string> };
            spec: { type: string; ports: { port: number }[] };
        };
        assert.deepStrictEqual(
            [service.metadata.namespace, service.metadata.labels["topology.istio.io/network"], service.spec.type],
            ["istio-eastwest", "net-a", "LoadBalancer"],
        );
        assert.deepStrictEqual(
            service.spec.ports.map((p) => p.port),
            [15021, 15443, 15012, 15017],
        );
        const meshConfig = allObjects(releases).find(
            ({ object }) => object.kind === "ConfigMap" && object.metadata.name === "istio-1-31-4",
        )?.object.data as Record<string, string>;
        assert.match(meshConfig.mesh, /meshId: shop-mesh/);
        const istiodPod = allObjects(releases).find(
            ({ object }) => object.kind === "Deployment" && object.metadata.name === "istiod-1-31-4",
        )?.object as unknown as {
            spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
        };
        const env = Object.fromEntries(istiodPod.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
        assert.strictEqual(env.CLUSTER_ID, "east");
        // The proxies istiod injects get the network from its injection values.
        const injector = allObjects(releases).find(
            ({ object }) => object.kind === "ConfigMap" && object.metadata.name === "istio-sidecar-injector-1-31-4",
        )?.object.data as Record<string, string>;
        assert.strictEqual((JSON.parse(injector.values) as { global: { network: string } }).global.network, "net-a");
        const crossNetwork = graph.get(
            "kubernetes:networking.istio.io/v1:Gateway",
            "mc-east-east-west-gateway-cross-network",
        );
        assert.deepStrictEqual((crossNetwork.inputs.spec as { servers: unknown[] }).servers, [
            {
                port: { number: 15443, name: "tls", protocol: "TLS" },
                tls: { mode: "AUTO_PASSTHROUGH" },
                hosts: ["*.local"],
            },
        ]);
    });

    it("ambient across networks: an istio-east-west Gateway taking HBONE, and istiod's multi-network switch", async () => {
        const run = await mesh({
            clusters: [cluster("east", "net-a"), cluster("west", "net-b")],
            mesh: { ambient: { enabled: true }, cluster: { platform: "kind" as never } },
        });
        assert.match(String(run.error), /platform/);
        const ok = await mesh({
            clusters: [cluster("east", "net-a"), cluster("west", "net-b")],
            mesh: { ambient: { enabled: true }, sampleApp: { enabled: true } },
        });
        assert.strictEqual(ok.error, undefined);
        const graph = new Graph(ok.registrations);
        const gateway = graph.get(
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            "mc-east-east-west-gateway-gateway",
        );
        assert.strictEqual((gateway.inputs.spec as { gatewayClassName: string }).gatewayClassName, "istio-east-west");
        // It waits for its namespace, through the namespace's name.
        assert.deepStrictEqual(
            gateway.propertyDependencies.metadata?.filter((urn) => urn.includes("Namespace::")),
            [graph.get("kubernetes:core/v1:Namespace", "mc-east-istio-eastwest").urn],
        );
        // Ambient's profile scopes a Service to its cluster unless it is labelled global.
        const sampleServices = graph
            .ofType("kubernetes:core/v1:Service")
            .filter((r) => r.name.startsWith("mc-east-sample"))
            .map((r) => {
                const metadata = r.inputs.metadata as { name: string; labels: Record<string, string> };
                return [metadata.name, metadata.labels["istio.io/global"]];
            });
        assert.deepStrictEqual(sampleServices.sort(), [
            ["backend", "true"],
            ["frontend", "true"],
        ]);
        const istiod = graph.get(CHART, "mc-east-istiod-1-31-4");
        assert.deepStrictEqual((istiod.inputs.values as { env: unknown }).env, {
            AMBIENT_ENABLE_MULTI_NETWORK: "true",
        });
        const ztunnel = graph.get(CHART, "mc-east-ambient-ztunnel");
        assert.deepStrictEqual(
            [
                (ztunnel.inputs.values as { multiCluster: unknown }).multiCluster,
                (ztunnel.inputs.values as { network: unknown }).network,
            ],
            [{ clusterName: "east" }, "net-a"],
        );
    });

    it("reaches each cluster through its own connection only, a kubeconfig a secret in the state", async () => {
        const run = await mesh({
            clusters: [
                { ...cluster("east"), context: undefined, kubeconfig: "apiVersion: v1\nkind: Config # east" },
                cluster("west"),
            ],
            mesh: { cluster: { kubeClientSettings: { qps: 50 } } },
        });
        assert.strictEqual(run.error, undefined);
        const providers = new Graph(run.registrations).ofType(PROVIDER);
        const input = (name: string, key: string) => providers.find((p) => p.name === name)?.inputs[key];
        for (const name of ["mc-east", "mc-east-adopt-existing"]) {
            assert.deepStrictEqual(input(name, "kubeconfig"), {
                [SECRET_SIG_KEY]: SECRET_SIG,
                value: "apiVersion: v1\nkind: Config # east",
            });
        }
        assert.deepStrictEqual(
            ["mc-west", "mc-west-adopt-existing"].map((name) => input(name, "context")),
            ["kind-west", "kind-west"],
        );
        // What every cluster shares, but its connection, reaches its adopting provider.
        assert.deepStrictEqual(JSON.parse(String(input("mc-west-adopt-existing", "kubeClientSettings"))), { qps: 50 });
    });

    it("takes the east-west gateway's chart values (source ranges) across networks, and holds what the mesh keeps", async () => {
        const ranges = { service: { loadBalancerSourceRanges: ["198.51.100.0/24"] } };
        const run = await mesh({
            clusters: [cluster("east", "net-a"), cluster("west", "net-b")],
            mesh: { chartValues: { eastWestGateway: ranges } },
        });
        assert.strictEqual(run.error, undefined);
        const releases = await renderCharts(run.registrations.filter((r) => r.name === "mc-east-east-west-gateway"));
        const service = allObjects(releases).find(({ object }) => object.kind === "Service")?.object as unknown as {
            spec: { type: string; loadBalancerSourceRanges: string[] };
        };
        assert.deepStrictEqual(
            [service.spec.type, service.spec.loadBalancerSourceRanges],
            ["LoadBalancer", ["198.51.100.0/24"]],
        );
        const held = await mesh({
            clusters: [cluster("east", "net-a"), cluster("west", "net-b")],
            mesh: { chartValues: { eastWestGateway: { networkGateway: "other" } } },
        });
        assert.deepStrictEqual(held.registrations, []);
        const refusal = (cluster: string) =>
            `  - ${cluster}: mesh.chartValues.eastWestGateway.networkGateway: "other" would change networkGateway, which the mesh sets (the gateway serves its cluster's network in the mesh); it cannot be overridden; remove it`;
        assert.strictEqual(
            held.error?.message,
            [
                "IstioMultiClusterMesh mc: its arguments have 2 problems; nothing was created:",
                refusal("east"),
                refusal("west"),
            ].join("\n"),
        );
    });

    it("refuses every mistake by its path before anything is registered", async () => {
        const run = await mesh({
            meshId: "Mesh One",
            clusters: [
                cluster("east", "net-a"),
                { ...cluster("east"), apiServer: "https://127.0.0.1:6443" },
                { name: "north", apiServer: "http://north:6443", mesh: { sizing: { memory: "4g" } } },
                { ...cluster("west", "net-b"), apiServer: "https://[::1]:6443" },
                { ...cluster("south", "net-c"), apiServer: "https://172.18.0.2:6443" },
            ],
            mesh: { cluster: { context: "kind-dev" } },
            rootCa: { certPem: "-----BEGIN CERTIFICATE-----", keyPem: " " },
        });
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            [
                "IstioMultiClusterMesh mc: its arguments have 12 problems; nothing was created:",
                `  - meshId: "Mesh One" is not a name Istio can put in a label; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. east`,
                `  - clusters[1].name "east" is also the name of clusters[0]; every cluster of the mesh has a name of its own, which its remote secrets in the others carry`,
                `  - clusters[1].apiServer "https://127.0.0.1:6443" is this machine's loopback, which no other cluster reaches; give its address on their network (kind: the node container's, https://<kind-control-plane IP>:6443)`,
                `  - clusters[1] is reached through the same context "kind-east" as clusters[0], so both meshes would go to one cluster; give each cluster its own context or kubeconfig`,
                `  - clusters[2].apiServer "http://north:6443" is not an https URL of an API server; give the address the other clusters reach it at, e.g. https://10.0.1.10:6443`,
                "  - clusters[2] names neither context nor kubeconfig; give the one Pulumi reaches this cluster with, or every cluster's mesh would go to the current context",
                `  - clusters[3].apiServer "https://[::1]:6443" is this machine's loopback, which no other cluster reaches; give its address on their network (kind: the node container's, https://<kind-control-plane IP>:6443)`,
                `  - clusters[4].apiServer "https://172.18.0.2:6443" is also the API server of clusters[0]; each cluster's remote secrets in the others reach its own`,
                "  - mesh.cluster.context: a mesh of several clusters reaches each through its own clusters[].context or clusters[].kubeconfig; set it there, not for every cluster",
                "  - clusters: clusters[1], clusters[2] name no network while others do; in a mesh across networks every cluster names its own (clusters on one network name the same)",
                "  - rootCa: certPem without keyPem; the intermediates are signed with the root's key and chained to its certificate, so give both, or neither for a generated root",
                `  - north: mesh.sizing.memory: "4g" is not a Kubernetes quantity (its units are case-sensitive); did you mean 4Gi?`,
            ].join("\n"),
        );
    });

    it("refuses every loopback apiServer, IPv6's and an upper-case localhost too: no other cluster reaches one", async () => {
        for (const apiServer of ["https://[::1]:6443", "https://LOCALHOST:6443", "https://127.0.0.2:6443"]) {
            const run = await mesh({ clusters: [cluster("east"), { ...cluster("west"), apiServer }] });
            assert.deepStrictEqual(run.registrations, []);
            assert.match(
                String(run.error?.message),
                new RegExp(
                    `clusters\\[1\\]\\.apiServer "${apiServer.replace(/[[\]]/g, "\\$&")}" is this machine's loopback`,
                ),
            );
        }
        // A documentation address is not loopback (the API-server suite routes one to its servers).
        const run = await mesh({
            clusters: [cluster("east"), { ...cluster("west"), apiServer: "https://192.0.2.2:6443" }],
        });
        assert.strictEqual(run.error, undefined);
    });

    it("keeps the east-west gateway's namespace and istio-system apart from applications and other gateways", async () => {
        const run = await mesh({
            clusters: [cluster("east", "net-a"), cluster("west", "net-b")],
            mesh: {
                sidecars: { namespaces: ["default", "istio-eastwest"] },
                gateways: { egress: { namespace: "istio-system" } },
            },
        });
        assert.deepStrictEqual(run.registrations, []);
        const problems = (run.error as { problems?: string[] } | undefined)?.problems ?? [];
        assert.deepStrictEqual(
            problems
                .filter((problem) => problem.startsWith("east: "))
                .map((problem) => problem.split(":").slice(0, 2).join(":")),
            ["east: mesh.sidecars.namespaces", "east: mesh.gateways.egress.namespace"],
        );
        assert.match(problems[0], /"istio-eastwest" is the east-west gateway's namespace in a mesh across networks/);
        assert.match(problems[1], /never one of several clusters$/);
    });

    it("refuses dropping a joined cluster; a leaving one loses its remote secrets both ways and keeps its mesh, then may go", async () => {
        const clusters = [
            cluster("east"),
            cluster("west"),
            { ...cluster("west"), name: "south", context: "kind-south", apiServer: "https://172.18.0.4:6443" },
        ];
        const last = { clusters: clusters.map((c) => ({ name: c.name, leaving: false })), setting: "clusters" };
        const dropped = await clusterSetProvider.check?.(last, {
            clusters: [
                { name: "east", leaving: false },
                { name: "west", leaving: false },
            ],
            setting: "clusters",
        });
        assert.deepStrictEqual(
            dropped?.failures?.map((f) => f.reason.slice(0, 80)),
            ['would drop "south", which the last step left joined to the mesh: its istiod and '],
        );
        const leaving = await mesh({ clusters: [clusters[0], clusters[1], { ...clusters[2], leaving: true }] });
        assert.strictEqual(leaving.error, undefined);
        const remote = leaving.registrations.filter((r) => /-remote-/.test(r.name)).map((r) => r.name);
        assert.deepStrictEqual(remote.sort(), ["mc-east-remote-west", "mc-west-remote-east"]);
        assert.ok(
            leaving.registrations.some((r) => r.name === "mc-south-istiod-1-31-4"),
            "its mesh stays",
        );
        const gone = await clusterSetProvider.check?.(
            { clusters: [...last.clusters.slice(0, 2), { name: "south", leaving: true }], setting: "clusters" },
            { clusters: last.clusters.slice(0, 2), setting: "clusters" },
        );
        assert.strictEqual(gone?.failures, undefined);
    });
});

describe("a mesh across clusters, as the program's stack (examples/multi-cluster-kind)", () => {
    const example = yaml.load(
        fs.readFileSync(path.join(ROOT, "examples", "multi-cluster-kind", "Pulumi.local-multi.yaml"), "utf8"),
    ) as { config: Record<string, unknown> };
    const config = (overrides: Record<string, unknown> = {}): Record<string, string> => {
        const raw = projectDefaults();
        for (const [key, value] of Object.entries({ ...example.config, ...overrides })) {
            raw[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
        return raw;
    };

    it("makes one mesh per cluster on its context, and outputs each cluster and the root certificate", async () => {
        const run = await runProgram(config(), "local-multi");
        assert.strictEqual(run.error, undefined);
        const graph = new Graph(run.registrations);
        assert.deepStrictEqual(
            graph.ofType("istio-mesh:index:IstioMesh").map((r) => r.name),
            ["mesh-east", "mesh-west"],
        );
        assert.deepStrictEqual(Object.keys(run.savedOutputs ?? {}).sort(), ["clusters", "meshId", "rootCertificate"]);
        const clusters = run.savedOutputs?.clusters as Record<
            string,
            { network: string; intermediateCaValidUntil: unknown }
        >;
        // The mocks echo inputs: the provider's computed expiry is absent, but the key is there.
        assert.deepStrictEqual(Object.keys(clusters.east).sort(), [
            "controlPlanes",
            "intermediateCaValidUntil",
            "network",
            "restartCommands",
        ]);
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries(clusters).map(([name, info]) => [name, info.network])),
            { east: "east-net", west: "west-net" },
        );
        // Each cluster sized from its own memory.
        const istiod = graph.get(CHART, "mesh-east-istiod-1-31-4");
        assert.ok(istiod !== undefined);
    });

    it("takes a cluster out in two steps from the stack: leaving, then gone", async () => {
        const clusters = (west: Record<string, unknown>) => ({
            "istio-mesh:clusters": {
                east: { context: "kind-east", apiServer: "https://172.18.0.2:6443", network: "east-net" },
                west: { context: "kind-west", apiServer: "https://172.18.0.3:6443", network: "west-net", ...west },
                south: { context: "kind-south", apiServer: "https://172.18.0.4:6443", network: "south-net" },
            },
        });
        const run = await runProgram(config(clusters({ leaving: true })), "local-multi");
        assert.strictEqual(run.error, undefined);
        const remote = run.registrations.filter((r) => /-remote-/.test(r.name)).map((r) => r.name);
        assert.deepStrictEqual(remote.sort(), ["mesh-east-remote-south", "mesh-south-remote-east"]);
        const record = run.registrations.find((r) => r.name === "mesh-cluster-set");
        assert.deepStrictEqual(record?.inputs.clusters, [
            { name: "east", leaving: false },
            { name: "west", leaving: true },
            { name: "south", leaving: false },
        ]);
    });

    it("refuses one cluster for all, and a change between one cluster and several, naming the key and the way", async () => {
        const named = await runProgram(config({ "kubernetes:context": "kind-east" }), "local-multi");
        assert.deepStrictEqual(
            named.registrations.filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference"),
            [],
        );
        assert.strictEqual(
            named.error?.message,
            [
                "istio-mesh configuration has 1 problem; nothing was deployed:",
                "  - kubernetes:context: with istio-mesh:clusters each cluster names its own (istio-mesh:clusters.<name>.context or .kubeconfig), and one for all would send every cluster's objects to one cluster; remove kubernetes:context from the stack",
            ].join("\n"),
        );
        const single = await runProgram(config(), "local-multi", {
            lastOutputs: { controlPlanes: { "istiod-1-31-4": { version: "1.31.4", tag: "default" } } },
        });
        assert.strictEqual(
            single.error?.message,
            [
                "istio-mesh configuration has 1 problem; nothing was deployed:",
                "  - istio-mesh:clusters: the stack's last deployment is a mesh on one cluster (istiod-1-31-4); it does not become a mesh of several in place, since every resource would be replaced under running workloads; deploy the mesh of several from a new stack, then destroy this one (docs/multi-cluster.md, from one cluster to several)",
            ].join("\n"),
        );
        const withoutClusters = { ...config(), "istio-mesh:clusters": "{}", "kubernetes:context": "kind-east" };
        const several = await runProgram(withoutClusters, "local-multi", {
            lastOutputs: { meshId: "kind-mesh", clusters: { east: {}, west: {} } },
        });
        assert.strictEqual(
            several.error?.message,
            [
                "istio-mesh configuration has 1 problem; nothing was deployed:",
                "  - istio-mesh:clusters: the stack's last deployment is a mesh across east, west; without this key it would delete every cluster's mesh and make one on a single cluster; put the key back, or take clusters out of the mesh with leaving: true first (docs/multi-cluster.md, day 2)",
            ].join("\n"),
        );
    });

    it("names the stack's keys in its refusals: a cluster's field, a setting every cluster shares", async () => {
        const run = await runProgram(
            config({
                "istio-mesh:clusters": {
                    east: { context: "kind-east", apiServer: "https://172.18.0.2:6443", netwrok: "a" },
                },
                "istio-mesh:mtlsMode": "OFF",
            }),
            "local-multi",
        );
        assert.strictEqual(
            run.error?.message,
            [
                "istio-mesh configuration has 2 problems; nothing was deployed:",
                "  - istio-mesh:clusters.east.netwrok: not a field of a cluster; did you mean network?",
                '  - istio-mesh:mtlsMode: "OFF" is not one of STRICT, PERMISSIVE (case-sensitive)',
            ].join("\n"),
        );
    });
});

/** A value with every secret replaced by a marker: what shows in the clear. */
function stripSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(stripSecrets);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG_KEY] === SECRET_SIG) {
            return "[secret]";
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, stripSecrets(item)]));
    }
    return value;
}
