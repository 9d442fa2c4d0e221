import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { IstioMesh } from "../components";
import { comparable, Graph } from "./support/graph";
import { Registration } from "./support/monitor";
import { PackedConsumer, packedConsumer } from "./support/packed-consumer";
import { MESH_OUTPUT_NAMES, projectDefaults, ROOT, runProgram, runUnderMocks } from "./support/program";
import { outputNames, PackageSchema, propertyMisfits } from "./support/schema-walk";
import { componentProvider, inferredSchema, SCHEMA_FILE } from "./tools/schema";
import { COMPONENT_PAGE, componentPage, componentTables } from "./tools/component-docs";
import { PERSONAL_STACK } from "../components/config/cluster";

/**
 * The package in both senses: the component package that `pulumi package add` serves to any
 * language (its inferred schema, committed and valid, and `construct`, which registers what
 * the program registers), the examples that use it, and the npm package a TypeScript program
 * installs from the packed tarball.
 */

const TYPE = "istio-mesh:index:IstioMesh";
const PROVIDER = "pulumi:providers:kubernetes";
const EXAMPLE = path.join(ROOT, "examples", "typescript");
const YAML_EXAMPLE = path.join(ROOT, "examples", "yaml", "Pulumi.yaml");

/** A consumer given the wrong value where the types can say so. */
const WRONG_CONSUMER = `import { IstioMesh } from "istio-mesh";

new IstioMesh("typo", { telemetry: { addons: ["zipkin"] }, security: { mtlsMode: "OFF" } });
`;

// The build, the pack and the consumer's type check take seconds of other processes: started
// when mocha loads this file, they run beside the tests before it.
const consumer: Promise<PackedConsumer> = packedConsumer({
    "index.ts": fs.readFileSync(path.join(EXAMPLE, "index.ts"), "utf8"),
    "wrong.ts": WRONG_CONSUMER,
});
consumer.catch(() => undefined);

const provider = componentProvider();
let schemaText: Promise<string> | undefined;
const schema = (): Promise<string> => (schemaText ??= inferredSchema(provider));

/** The example's program, run under the mocks with its config. */
function runExample(program: string, config: Record<string, string>) {
    return runUnderMocks(
        async () => {
            delete require.cache[require.resolve(program)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return { ...(require(program) as Record<string, unknown>) };
        },
        {
            project: "istio-mesh-two-clusters",
            stack: "dev",
            config: Object.fromEntries(
                Object.entries(config).map(([key, value]) => [`istio-mesh-two-clusters:${key}`, value]),
            ),
            cluster: { namespaces: ["shop"] },
        },
    );
}

describe("the component package", () => {
    it(`${SCHEMA_FILE} is what the SDK's analyzer infers from the types, byte for byte (npm run schema)`, async () => {
        assert.strictEqual(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8"), await schema());
    });

    it("the schema is valid by Pulumi's package metaschema, which finds a wrong one", async () => {
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        addFormats(ajv);
        const metaschema = JSON.parse(
            fs.readFileSync(path.join(ROOT, "test", "reference", "pulumi-metaschema", "pulumi.json"), "utf8"),
        ) as object;
        const validate = ajv.compile(metaschema);
        const inferred = JSON.parse(await schema()) as Record<string, unknown>;
        assert.ok(validate(inferred), JSON.stringify(validate.errors));
        const broken = JSON.parse(await schema()) as { resources: Record<string, { isComponent: unknown }> };
        broken.resources[TYPE].isComponent = "yes";
        assert.strictEqual(validate(broken), false);
    });

    it("describes every argument group and every output, with the enums a consumer may pass", async () => {
        const parsed = JSON.parse(await schema()) as PackageSchema & {
            resources: Record<string, { inputProperties: object; properties: object; description?: string }>;
            types: Record<string, { enum?: { value: string }[] }>;
        };
        assert.deepStrictEqual(Object.keys(parsed.resources), [TYPE, "istio-mesh:index:IstioMultiClusterMesh"]);
        assert.deepStrictEqual(Object.keys(parsed.resources[TYPE].inputProperties), [
            "controlPlane",
            "sidecars",
            "ambient",
            "gateways",
            "telemetry",
            "dashboards",
            "security",
            "sizing",
            "images",
            "scheduling",
            "cluster",
            "upgrade",
            "chartValues",
            "sampleApp",
            "multiCluster",
        ]);
        assert.deepStrictEqual(outputNames(parsed, TYPE).sort(), MESH_OUTPUT_NAMES);
        const enumValues = (name: string): string[] =>
            (parsed.types[`istio-mesh:index:${name}`].enum ?? []).map((member) => String(member.value));
        assert.deepStrictEqual(enumValues("Addon"), ["prometheus", "grafana", "jaeger", "kiali"]);
        assert.deepStrictEqual(enumValues("MtlsMode"), ["STRICT", "PERMISSIVE"]);
        assert.deepStrictEqual(enumValues("OtlpProtocol"), ["grpc", "http"]);
        assert.deepStrictEqual(enumValues("TracingQueryProvider"), ["jaeger", "tempo"]);
    });

    it("construct(), as the engine calls it for another language, registers what the program registers", async () => {
        // A personal stack: the only kind the program deploys without naming a cluster.
        const program = await runProgram(projectDefaults(), PERSONAL_STACK);
        let state: Record<string, unknown> = {};
        const constructed = await runUnderMocks(
            async () => {
                state = (await provider.construct("mesh", TYPE, {}, {})).state;
                return {};
            },
            { stack: PERSONAL_STACK },
        );
        assert.strictEqual(constructed.error, undefined);
        const ours = program.registrations.filter((r) => r.type !== "pulumi:pulumi:StackReference");
        assert.deepStrictEqual(constructed.registrations.map(comparable), ours.map(comparable));
        // Its outputs are the schema's, every one.
        assert.deepStrictEqual(Object.keys(state).sort(), outputNames(JSON.parse(await schema()), TYPE).sort());
    });
});

describe("the component's documentation (docs/component.md)", () => {
    it("tables every argument and output as the TSDoc says (npm run component-docs)", () => {
        const page = fs.readFileSync(path.join(ROOT, COMPONENT_PAGE), "utf8");
        assert.strictEqual(componentPage(page), page);
    });

    it("gives every argument a description and a default", () => {
        const tables = componentTables();
        const rows = [...tables.args.split("\n").slice(2), ...tables.multiArgs.split("\n").slice(2)];
        assert.ok(rows.length > 100, `${rows.length} rows`);
        const bare = rows.filter((row) => {
            const [, , , fallback, description] = row.split(/(?<!\\)\|/).map((cell) => cell.trim());
            return fallback === "" || description === "";
        });
        assert.deepStrictEqual(bare, []);
    });
});

describe("the YAML example (examples/yaml)", () => {
    const program = yaml.load(fs.readFileSync(YAML_EXAMPLE, "utf8")) as {
        packages: Record<string, string>;
        resources: Record<string, { type: string; properties: Record<string, unknown>; options?: object }>;
        outputs: Record<string, string>;
    };

    it("adds this repository's package and uses only types, properties, enum values and outputs its schema has", async () => {
        assert.strictEqual(path.resolve(path.dirname(YAML_EXAMPLE), program.packages["istio-mesh"]), ROOT);
        const parsed = JSON.parse(await schema()) as PackageSchema;
        const meshes = Object.values(program.resources).filter((r) => r.type.startsWith("istio-mesh:"));
        assert.strictEqual(meshes.length, 1);
        assert.deepStrictEqual(
            meshes.flatMap((r) => propertyMisfits(parsed, r.type, r.properties)),
            [],
        );
        const outputs = outputNames(parsed, TYPE);
        for (const [name, expression] of Object.entries(program.outputs)) {
            assert.ok(outputs.includes(/^\$\{mesh\.(\w+)\}$/.exec(expression)?.[1] ?? ""), `${name}: ${expression}`);
        }
        // The check finds what the CLI would refuse.
        const wrong = { ...meshes[0].properties, sidecar: {}, telemetry: { addons: ["zipkin"] }, sizing: 8 };
        assert.deepStrictEqual(propertyMisfits(parsed, TYPE, wrong), [
            'telemetry.addons[0]: "zipkin" is not one of prometheus, grafana, jaeger, kiali',
            "sizing: not an object",
            "sidecar: no such property; the type has controlPlane, sidecars, ambient, gateways, telemetry, dashboards, security, sizing, images, scheduling, cluster, upgrade, chartValues, sampleApp, multiCluster",
        ]);
    });

    it("constructs under the mocks with its properties, every object on the cluster's provider or the adopter made from its context", async () => {
        const context = "kind-mesh";
        const properties = JSON.parse(
            JSON.stringify(program.resources.mesh.properties).split("${context}").join(context),
        );
        const result = await runUnderMocks(async () => {
            const cluster = new k8s.Provider("cluster", { context });
            await provider.construct("mesh", TYPE, properties, { providers: { kubernetes: cluster } });
            return {};
        });
        assert.strictEqual(result.error, undefined);
        // What a TypeScript program would register with the same arguments and provider.
        const direct = await runUnderMocks(async () => {
            new IstioMesh("mesh", properties, { provider: new k8s.Provider("cluster", { context }) });
            return {};
        });
        assert.deepStrictEqual(result.registrations.map(comparable), direct.registrations.map(comparable));
        const graph = new Graph(result.registrations);
        const adopter = graph.get(PROVIDER, "mesh-adopt-existing");
        assert.strictEqual(adopter.inputs.context, context);
        const allowed = [graph.get(PROVIDER, "cluster"), adopter].map((p) => `${p.urn}::${p.name}-id`);
        const objects = result.registrations.filter(
            (r: Registration) => (r.custom || r.remote) && r.type.startsWith("kubernetes:") && r.readId === undefined,
        );
        assert.strictEqual(objects.length, 37);
        for (const r of objects) {
            assert.ok(allowed.includes(r.provider || r.providers.kubernetes), `${r.urn} on ${r.provider}`);
        }
    });
});

describe("the npm package, packed and installed into a TypeScript program", () => {
    after(async () => (await consumer.catch(() => undefined))?.dispose());

    it("holds the compiled component, its declarations, the files it reads and the plugin's manifest; no sources, tests or stacks", async () => {
        const { files } = await consumer;
        const required = [
            "PulumiPlugin.yaml",
            "README.md",
            "bin/components/index.d.ts",
            "bin/components/index.js",
            "bin/components/crds/gateway-api-v1.6.1/gateway.networking.k8s.io_gateways.yaml",
            "bin/components/values/grafana-dashboards/istio-mesh-dashboard.gen.json",
            "bin/components/args/chart-keys.json",
            "package.json",
            "schema.json",
        ];
        assert.deepStrictEqual(
            required.filter((file) => !files.includes(file)),
            [],
        );
        assert.deepStrictEqual(
            files.filter(
                (file) =>
                    !/^bin\/components\/|^(PulumiPlugin\.yaml|README\.md|package\.json|schema\.json|docs\/component\.md)$/.test(
                        file,
                    ) || /\.ts$/.test(file.replace(/\.d\.ts$/, "")),
            ),
            [],
        );
        assert.deepStrictEqual(
            files.filter((file) => /\/(config|policies)\//.test(file)),
            [],
            "the stack's config layer and the policy pack are the program's, not the package's",
        );
    });

    it("type-checks the example against the shipped declarations, and a wrong enum value is a type error", async () => {
        const { typeErrors } = await consumer;
        const lines = typeErrors.split("\n").map((line) => line.replace(/^(\S+)\(\d+,\d+\)/, "$1"));
        assert.deepStrictEqual(lines, [
            `wrong.ts: error TS2322: Type '"zipkin"' is not assignable to type 'Addon'.`,
            `wrong.ts: error TS2322: Type '"OFF"' is not assignable to type 'MtlsMode | undefined'.`,
        ]);
    });

    it("serializes the record's provider from the installed package as the engine stores it, and runs it from the program's directory", async () => {
        const { dir } = await consumer;
        // The closure serializer refers to a module under node_modules by its package path,
        // which the package's exports must allow, as Node resolves it in the dynamic provider's process.
        const installed = path.join(
            dir,
            "node_modules",
            "istio-mesh",
            "bin",
            "components",
            "mesh",
            "deployment-record.js",
        );
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { deploymentRecordProvider } = require(installed) as {
            deploymentRecordProvider: pulumi.dynamic.ResourceProvider;
        };
        const serialized = await pulumi.runtime.serializeFunction(() => deploymentRecordProvider);
        assert.match(serialized.text, /require\("istio-mesh\/bin\/components\//);
        const file = path.join(dir, "serialized-provider.js");
        fs.writeFileSync(file, serialized.text);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(file) as Record<string, () => pulumi.dynamic.ResourceProvider>;
        const provider = loaded[serialized.exportName]();
        const last = { controlPlanes: { "istiod-1-31-4": { version: "1.31.4", tag: "default" } } };
        const next = {
            record: last,
            names: {},
            planned: {
                revisions: { stable: { version: "1.31.5", revision: "1-31-5", tag: "default" } },
                ambient: false,
                injectionNamespaces: ["default"],
                ambientNamespaces: [],
                releasedNamespaces: [],
            },
        };
        const checked = await provider.check?.({ record: last }, next);
        assert.deepStrictEqual(
            checked?.failures?.map((f) => f.property),
            ["istioVersion"],
        );
    });

    it("runs the TypeScript example under the mocks from the installed package, registering what it does from the sources", async () => {
        const { dir } = await consumer;
        const config = { eastContext: "kind-east", westContext: "kind-west" };
        const installed = await runExample(path.join(dir, "index.ts"), config);
        assert.strictEqual(installed.error, undefined);
        const sources = path.join(dir, "from-sources.ts");
        fs.writeFileSync(
            sources,
            fs
                .readFileSync(path.join(dir, "index.ts"), "utf8")
                .replace('from "istio-mesh"', `from ${JSON.stringify(path.join(ROOT, "components"))}`),
        );
        const fromSources = await runExample(sources, config);
        assert.strictEqual(fromSources.error, undefined);
        assert.deepStrictEqual(installed.registrations.map(comparable), fromSources.registrations.map(comparable));
        const graph = new Graph(installed.registrations);
        assert.deepStrictEqual(
            graph.ofType("istio-mesh:index:IstioMesh").map((r) => r.name),
            ["east", "west"],
        );
        assert.deepStrictEqual(
            graph
                .ofType(PROVIDER)
                .map((r) => r.name)
                .sort(),
            ["east", "west", "west-adopt-existing"],
        );
    });
});
