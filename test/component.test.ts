import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { IstioMesh, IstioMeshArgs } from "../components";
import { PERSONAL_STACK } from "../components/config/cluster";
import { comparable, Graph } from "./support/graph";
import { MockCluster, Registration, SECRET_SIG, SECRET_SIG_KEY } from "./support/monitor";
import { projectDefaults, ProgramRun, runProgram, runUnderMocks } from "./support/program";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYMENT_RECORD_TYPE, deploymentRecordProvider } from "../components/mesh/deployment-record";

/**
 * `IstioMesh` as any program uses it: beside a cluster of its own, on the consumer's
 * provider, twice in one program, with arguments wrong in many ways at once, and across an
 * upgrade whose guards hold without the program's stack outputs.
 */

const PROVIDER = "pulumi:providers:kubernetes";

/** A consumer program: providers of its own, then the meshes `build` makes on them. */
function consumer(build: (providers: k8s.Provider[]) => IstioMesh[]): () => Promise<Record<string, unknown>> {
    return async () => {
        const clusters = ["east", "west"].map(
            (cluster) => new k8s.Provider(cluster, { kubeconfig: `kubeconfig-of-${cluster}`, context: cluster }),
        );
        const meshes = build(clusters);
        return Object.fromEntries(meshes.map((mesh, i) => [`controlPlanes${i}`, mesh.controlPlanes]));
    };
}

const run = (program: () => Promise<Record<string, unknown>>, cluster?: MockCluster): Promise<ProgramRun> =>
    runUnderMocks(program, { stack: "platform", project: "platform", cluster });

describe("IstioMesh as a component", () => {
    it('new IstioMesh("mesh", {}) is the program with every default: the same resources, inputs and order', async () => {
        // A personal stack: the only kind the program deploys without naming a cluster.
        const program = await runProgram(projectDefaults(), PERSONAL_STACK);
        const component = await runUnderMocks(
            async () => {
                new IstioMesh("mesh", {});
                return {};
            },
            { stack: PERSONAL_STACK },
        );
        assert.strictEqual(component.error, undefined);
        const ours = program.registrations.filter((r) => r.type !== "pulumi:pulumi:StackReference");
        assert.deepStrictEqual(component.registrations.map(comparable), ours.map(comparable));
    });

    it("two meshes on two clusters: every child of each on its cluster's provider, no name shared", async () => {
        const result = await run(
            consumer(([east, west]) => [
                new IstioMesh("east", {}, { provider: east }),
                new IstioMesh("west", { telemetry: { addons: [] } }, { providers: { kubernetes: west } }),
            ]),
        );
        assert.strictEqual(result.error, undefined);
        const graph = new Graph(result.registrations);
        const [east, west] = graph.ofType(PROVIDER);
        const ref = (provider: Registration): string => `${provider.urn}::${provider.name}-id`;
        // Custom resources name their provider; a Chart v4 passes its own on to what it renders.
        const on = (r: Registration): string | undefined => r.provider || r.providers.kubernetes;
        const kubernetes = result.registrations.filter(
            (r) => (r.custom || r.remote) && r.type.startsWith("kubernetes:") && r.readId === undefined,
        );
        for (const r of kubernetes) {
            const meshName = r.name.startsWith("east-") ? "east" : "west";
            assert.ok(r.name.startsWith(`${meshName}-`), r.name);
            assert.strictEqual(on(r), ref(meshName === "east" ? east : west), r.urn);
        }
        // With a provider of its own and no connection given, neither mesh adopts: no provider of its own.
        assert.deepStrictEqual(
            graph.ofType(PROVIDER).map((p) => p.name),
            ["east", "west"],
        );
        const urns = result.registrations.map((r) => r.urn);
        assert.deepStrictEqual(
            urns.filter((urn, i) => urns.indexOf(urn) !== i),
            [],
        );
        assert.ok(kubernetes.length > 40, `only ${kubernetes.length} objects`);
    });

    it("adopts on the consumer's cluster when asked, with the connection it gives, never the ambient kubeconfig", async () => {
        const refused = await run(
            consumer(([east]) => [new IstioMesh("east", { cluster: { adoptExisting: true } }, { provider: east })]),
        );
        assert.match(
            refused.error?.message ?? "",
            /cluster\.adoptExisting: true with a provider of the consumer's, whose connection the component cannot read back: give cluster\.kubeconfig/,
        );
        assert.deepStrictEqual(
            refused.registrations.map((r) => r.name),
            ["east", "west"],
            "nothing of the mesh is registered",
        );
        const adopting = await run(
            consumer(([east]) => [
                new IstioMesh(
                    "east",
                    { cluster: { adoptExisting: true, kubeconfig: "kubeconfig-of-east", context: "east" } },
                    { provider: east },
                ),
            ]),
        );
        assert.strictEqual(adopting.error, undefined);
        const graph = new Graph(adopting.registrations);
        const adopter = graph.get(PROVIDER, "east-adopt-existing");
        assert.deepStrictEqual(adopter.inputs, {
            context: "east",
            enablePatchForce: "true",
            kubeconfig: { [SECRET_SIG_KEY]: SECRET_SIG, value: "kubeconfig-of-east" },
            upsertExistingObjects: "true",
        });
        const namespace = graph.get("kubernetes:core/v1:Namespace", "east-istio-system");
        assert.strictEqual(namespace.provider, `${adopter.urn}::${adopter.name}-id`);
        // Labels patch namespaces the consumer owns: on its provider, as without adoption.
        const consumerEast = graph.get(PROVIDER, "east");
        assert.strictEqual(
            graph.get("kubernetes:core/v1:NamespacePatch", "east-sidecar-injection-default").provider,
            `${consumerEast.urn}::east-id`,
        );
    });

    it("a provider given to a parent counts as the consumer's: no adoption through the ambient kubeconfig unless asked", async () => {
        const result = await run(async () => {
            const east = new k8s.Provider("east", { kubeconfig: "kubeconfig-of-east", context: "east" });
            const platform = new pulumi.ComponentResource(
                "platform:index:Cluster",
                "platform",
                {},
                { providers: [east] },
            );
            new IstioMesh("mesh", {}, { parent: platform });
            return {};
        });
        assert.strictEqual(result.error, undefined);
        const graph = new Graph(result.registrations);
        assert.deepStrictEqual(
            graph.ofType(PROVIDER).map((p) => p.name),
            ["east"],
        );
        const onEast = (r: Registration): boolean => (r.provider || r.providers.kubernetes || "").includes("::east::");
        const kubernetes = result.registrations.filter(
            (r) => (r.custom || r.remote) && r.type.startsWith("kubernetes:"),
        );
        assert.deepStrictEqual(
            kubernetes.filter((r) => !onEast(r)).map((r) => r.name),
            [],
        );
    });

    it("constructed for another language, keeps no dynamic record (Pulumi cannot run one there) and says what guards it then", async () => {
        const argv = process.argv;
        process.argv = [...argv.slice(0, 1), "/usr/lib/node_modules/@pulumi/pulumi/cmd/run-plugin", "/src/istio-mesh"];
        try {
            const result = await runUnderMocks(async () => {
                new IstioMesh("mesh", {});
                return {};
            });
            assert.strictEqual(result.error, undefined);
            assert.deepStrictEqual(
                result.registrations.filter((r) => r.type === DEPLOYMENT_RECORD_TYPE),
                [],
            );
            assert.deepStrictEqual(
                result.warnings.map((w) => w.slice(0, 90)),
                ["mesh: constructed for another language, the mesh keeps no record of what it applied (Pulum"],
            );
        } finally {
            process.argv = argv;
        }
    });

    it("refuses wrong arguments before any child exists, every problem in one error, each by its argument path", async () => {
        const args = {
            sizing: { memory: "4gb", budgetPercent: 95 },
            telemetry: { addons: ["prometheus", "zipkin"], tracingSampling: 150 },
            sidecars: { namespaces: ["shop"], canaryNamespaces: ["shop"] },
            gateways: { ingress: { namespace: "shop" } },
            dashboards: { exposure: "ingress", plainHttp: true, allowedCidrs: ["10.0.0.0/33", "10.0.0.0/33"] },
            security: { mtlsMode: "OFF" },
        } as unknown as IstioMeshArgs;
        const result = await runUnderMocks(async () => {
            new IstioMesh("mesh", args);
            return {};
        });
        assert.strictEqual(
            result.error?.message,
            [
                "IstioMesh mesh: its arguments have 9 problems; nothing was created:",
                '  - sizing.memory: "4gb" is not a Kubernetes quantity (its units are case-sensitive); did you mean 4Gi?',
                '  - telemetry.addons: item 1 "zipkin" is not an add-on; use any of prometheus, grafana, jaeger, kiali',
                '  - sidecars.canaryNamespaces: ["shop"] is set, but there is no canary (controlPlane.canaryVersion is unset); set controlPlane.canaryVersion, or remove sidecars.canaryNamespaces to keep every namespace on "1.31.4"',
                '  - security.mtlsMode: "OFF" is not one of STRICT, PERMISSIVE (case-sensitive)',
                '  - dashboards.allowedCidrs: item 0 "10.0.0.0/33" is not an IPv4 CIDR; use address/prefix, e.g. 192.168.0.0/16',
                '  - dashboards.allowedCidrs: item 1 "10.0.0.0/33" is not an IPv4 CIDR; use address/prefix, e.g. 192.168.0.0/16',
                "  - telemetry.tracingSampling: 150 is out of range; use a number from 0 to 100 (percent of requests)",
                "  - sizing.budgetPercent: 95 is out of range; use a number from 10 to 90 (percent of sizing.memory)",
                "  - gateways.ingress.namespace: \"shop\" is in sidecars.namespaces, an application's namespace; the gateway's role reads every Secret of its namespace, and whoever may write routes or label pods there could take its hosts, its certificates and its network access, so give it one of its own, e.g. istio-ingress",
            ].join("\n"),
        );
        assert.deepStrictEqual(
            result.registrations.map((r) => r.type),
            [],
        );
    });

    it("reads Outputs only where it passes them on (cluster.kubeconfig); anywhere else, as construct hands over a secret or a resource's value, each is refused by its path", async () => {
        const refused = await run(
            consumer(([east]) => [
                new IstioMesh(
                    "east",
                    {
                        cluster: pulumi.secret({ adoptExisting: true, context: "east" }),
                        sidecars: { namespaces: ["default", pulumi.output("shop")] },
                    } as unknown as IstioMeshArgs,
                    { provider: east },
                ),
            ]),
        );
        assert.strictEqual(
            refused.error?.message,
            [
                "IstioMesh east: its arguments have 2 problems; nothing was created:",
                "  - cluster: is an Output (a secret, or a value another resource gives), which the mesh cannot read before it plans its objects; give a plain value; a secret kubeconfig from another language arrives so: give cluster.context of the kubeconfig Pulumi runs with instead, or pass the mesh a provider and leave cluster.adoptExisting out",
                "  - sidecars.namespaces[1]: is an Output (a secret, or a value another resource gives), which the mesh cannot read before it plans its objects; give a plain value",
            ].join("\n"),
        );
        // A kubeconfig another resource gives (an EKS cluster's, a secret) is what adoption uses as is.
        const adopting = await run(
            consumer(([east]) => [
                new IstioMesh(
                    "east",
                    { cluster: { adoptExisting: true, kubeconfig: pulumi.secret("kubeconfig-of-east") } },
                    { provider: east },
                ),
            ]),
        );
        assert.strictEqual(adopting.error, undefined);
        assert.deepStrictEqual(
            new Graph(adopting.registrations).get(PROVIDER, "east-adopt-existing").inputs.kubeconfig,
            {
                [SECRET_SIG_KEY]: SECRET_SIG,
                value: "kubeconfig-of-east",
            },
        );
    });

    it("the record's provider, serialized as Pulumi stores it in the state, runs the guards on its own", async () => {
        const recordOf = async (args: IstioMeshArgs): Promise<Record<string, unknown>> => {
            const result = await runUnderMocks(async () => {
                new IstioMesh("mesh", args);
                return {};
            });
            const record = result.registrations.find((r) => r.type === DEPLOYMENT_RECORD_TYPE);
            assert.ok(record !== undefined, result.error?.message);
            return record.inputs;
        };
        const installed = await recordOf({});
        const next = await recordOf({ controlPlane: { version: "1.31.5" } });
        // The engine runs the provider from its serialized text, in a process of its own: load
        // that text as a module with nothing of ours in reach.
        const serialized = await pulumi.runtime.serializeFunction(() => deploymentRecordProvider);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "record-provider-"));
        const file = path.join(dir, "provider.js");
        try {
            fs.writeFileSync(file, serialized.text);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const loaded = require(file) as Record<string, () => pulumi.dynamic.ResourceProvider>;
            const provider = loaded[serialized.exportName]();
            const refused = await provider.check?.({ record: installed.record }, next);
            assert.deepStrictEqual(
                refused?.failures?.map((f) => f.property),
                ["controlPlane.version"],
            );
            assert.match(refused?.failures?.[0].reason ?? "", /would delete istiod-1-31-4 \(Istio 1\.31\.4\)/);
            const accepted = await provider.check?.({ record: installed.record }, installed);
            assert.strictEqual(accepted?.failures, undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
