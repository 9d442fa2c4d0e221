import * as assert from "assert";
import { Graph } from "./support/graph";
import { isWireSecret, Registration, SECRET_SIG, SECRET_SIG_KEY } from "./support/monitor";
import { evaluateStack, MESH_OUTPUT_NAMES, ProgramRun, runProgram, stackConfig } from "./support/program";
import { crdSchemaErrors } from "./support/reference";
import { isSecretOutput, valueOf } from "./support/values";

const CHART = "kubernetes:helm.sh/v4:Chart";
const ISTIO_REPO = "https://blob.istio.io/istio-release/charts";

describe("the dev stack as a whole program", () => {
    let run: ProgramRun;
    let graph: Graph;
    before(async () => {
        run = await evaluateStack("dev");
        graph = new Graph(run.registrations);
    });

    it("evaluates without error", () => {
        assert.strictEqual(run.error, undefined);
    });

    it("registers exactly the mesh, its add-ons and their routes", () => {
        assert.deepStrictEqual(graph.typeCounts(), {
            "istio-mesh:addons:Grafana": 1,
            "istio-mesh:addons:Jaeger": 1,
            "istio-mesh:addons:Kiali": 1,
            "istio-mesh:addons:Prometheus": 1,
            "istio-mesh:core:ControlPlane": 1,
            "istio-mesh:core:Gateway": 2,
            "istio-mesh:core:IstioBase": 1,
            "istio-mesh:core:Namespace": 3,
            "istio-mesh:core:RevisionTags": 1,
            "istio-mesh:core:SidecarInjection": 1,
            "istio-mesh:index:IstioMesh": 1,
            "istio-mesh:dashboards:DashboardRoutes": 1,
            "istio-mesh:security:KialiCredentials": 1,
            "istio-mesh:security:MeshMtls": 1,
            "istio-mesh:telemetry:MeshTracing": 1,
            "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration": 1,
            "kubernetes:core/v1:ConfigMap": 2,
            "kubernetes:core/v1:Namespace": 4,
            "kubernetes:core/v1:NamespacePatch": 1,
            "kubernetes:core/v1:Secret": 3,
            "kubernetes:core/v1:Service": 1,
            "kubernetes:core/v1:ServiceAccount": 1,
            [CHART]: 8,
            "kubernetes:networking.istio.io/v1:Gateway": 1,
            "kubernetes:networking.istio.io/v1:VirtualService": 2,
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 2,
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": 2,
            "kubernetes:rbac.authorization.k8s.io/v1:Role": 2,
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 2,
            "kubernetes:security.istio.io/v1:AuthorizationPolicy": 1,
            "kubernetes:security.istio.io/v1:PeerAuthentication": 1,
            "kubernetes:telemetry.istio.io/v1:Telemetry": 1,
            "pulumi:providers:kubernetes": 1,
            "pulumi:pulumi:StackReference": 1,
            "pulumi-nodejs:dynamic/istio-mesh:DeploymentRecord": 1,
            "random:index/randomPassword:RandomPassword": 2,
        });
    });

    it("parents everything to the mesh, and every child to its component, each named from its parent's name", () => {
        const [mesh] = graph.ofType("istio-mesh:index:IstioMesh");
        assert.deepStrictEqual([mesh.name, mesh.parent], ["mesh", ""]);
        // The read of the last deployment is the program's own, before the mesh exists.
        const [reference] = graph.ofType("pulumi:pulumi:StackReference");
        assert.strictEqual(reference.parent, "");
        const components = run.registrations.filter((r) => r.type.startsWith("istio-mesh:"));
        for (const child of run.registrations.filter((r) => r !== mesh && r !== reference)) {
            const parent = components.find((c) => c.urn === child.parent);
            assert.ok(parent, `${child.urn} has no component parent`);
            assert.ok(child.name.startsWith(parent.name), `${child.name} is not named from ${parent.name}`);
            // Two meshes in one program never clash: the mesh's name starts every name.
            assert.ok(child.name.startsWith("mesh-"), child.name);
        }
    });

    it("installs the pinned Istio charts with their release names: istiod and base in istio-system, each gateway in its own", () => {
        const charts = graph
            .ofType(CHART)
            .filter((r) => (r.inputs.repositoryOpts as { repo: string }).repo === ISTIO_REPO)
            .map((r) => ({
                name: r.name,
                chart: r.inputs.chart,
                version: r.inputs.version,
                repo: (r.inputs.repositoryOpts as { repo: string }).repo,
                release: r.inputs.name,
                namespace: r.inputs.namespace,
            }));
        assert.deepStrictEqual(charts, [
            {
                name: "mesh-istiod-1-31-4",
                chart: "istiod",
                version: "1.31.4",
                repo: ISTIO_REPO,
                release: "istiod-1-31-4",
                namespace: "istio-system",
            },
            {
                name: "mesh-egress-gateway",
                chart: "gateway",
                version: "1.31.4",
                repo: ISTIO_REPO,
                release: "istio-egressgateway",
                namespace: "istio-egress",
            },
            {
                name: "mesh-ingress-gateway",
                chart: "gateway",
                version: "1.31.4",
                repo: ISTIO_REPO,
                release: "istio-ingressgateway",
                namespace: "istio-ingress",
            },
            {
                name: "mesh-istio-base",
                chart: "base",
                version: "1.31.4",
                repo: ISTIO_REPO,
                release: "istio-base",
                namespace: "istio-system",
            },
        ]);
    });

    describe("dependency order: namespace -> base -> istiod -> {gateways, Istio resources, revision tags -> labels}", () => {
        const find = (type: string, name: string): Registration => graph.get(type, name);
        const namespace = (): Registration => find("kubernetes:core/v1:Namespace", "istio-system");
        const base = (): Registration => find(CHART, "istio-base");
        const istiod = (): Registration => find(CHART, "istiod-1-31-4");
        const tagWebhook = (): Registration =>
            find("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "revision-tags-default");
        const tagService = (): Registration => find("kubernetes:core/v1:Service", "revision-tags-default");

        it("base waits for the namespace, istiod for base", () => {
            assert.deepStrictEqual(base().dependencies, [namespace().urn]);
            assert.deepStrictEqual(istiod().dependencies, [base().urn, namespace().urn].sort());
        });

        it("gateways, the PeerAuthentication and the default tag wait for istiod; the injection label for the tag", () => {
            for (const dependent of [
                find(CHART, "ingress-gateway"),
                find(CHART, "egress-gateway"),
                find("kubernetes:security.istio.io/v1:PeerAuthentication", "mesh-mtls"),
                tagWebhook(),
                tagService(),
            ]) {
                assert.ok(dependent.dependencies.includes(istiod().urn), `${dependent.name} does not wait for istiod`);
            }
            const label = find("kubernetes:core/v1:NamespacePatch", "sidecar-injection-default");
            assert.ok(
                label.dependencies.includes(tagWebhook().urn),
                "the injection label does not wait for the tag's webhook",
            );
        });

        it("adds no edge that is not needed", () => {
            const ingress = find(CHART, "ingress-gateway");
            const egress = find(CHART, "egress-gateway");
            assert.ok(
                !graph.waitsFor(ingress, egress) && !graph.waitsFor(egress, ingress),
                "gateways wait for each other",
            );
            // The label patches an existing namespace: it needs the tag that serves it and that namespace's read, not istio-system.
            const read = run.registrations.find((r) => r.readId === "default") as Registration;
            assert.deepStrictEqual(
                find("kubernetes:core/v1:NamespacePatch", "sidecar-injection-default").dependencies,
                [tagWebhook().urn, tagService().urn, read.urn].sort(),
            );
            assert.deepStrictEqual(
                [tagWebhook().dependencies, tagService().dependencies],
                [[istiod().urn], [istiod().urn]],
            );
            // Kiali's credentials are plain Kubernetes objects: no webhook to wait for.
            for (const credential of run.registrations.filter((r) =>
                r.parent.endsWith("KialiCredentials::mesh-kiali-credentials"),
            )) {
                assert.ok(!graph.waitsFor(credential, istiod()), `${credential.name} waits for istiod`);
            }
        });

        it("Kiali waits for Grafana's admin Secret, whose credential it mounts, not for Grafana itself; Grafana for its dashboards", () => {
            const kiali = find(CHART, "kiali");
            const grafanaSecret = find("kubernetes:core/v1:Secret", "grafana-admin");
            assert.ok(kiali.dependencies.includes(grafanaSecret.urn), "Kiali does not wait for grafana-admin");
            assert.ok(!graph.waitsFor(kiali, find(CHART, "grafana")), "Kiali waits for the Grafana chart");
            const dashboards = graph
                .ofType("kubernetes:core/v1:ConfigMap")
                .filter((r) => r.parent.endsWith("Grafana::mesh-grafana"));
            assert.deepStrictEqual(
                find(CHART, "grafana").dependencies,
                [...dashboards.map((r) => r.urn), grafanaSecret.urn].sort(),
            );
        });

        // `npm run bench` reports this depth; docs/testing.md records it.
        it("is 6 resources deep: namespace, base, istiod, the default tag, the injection label, the record of it all", () => {
            assert.strictEqual(graph.depth(), 6, `a longest chain: ${graph.longestChain().join(" -> ")}`);
        });
    });

    it("adopts existing objects only for the mesh's namespaces and the base chart (destroy keeps them; a manual install made some)", () => {
        const [provider] = graph.ofType("pulumi:providers:kubernetes");
        // The cluster the dev stack names (kubernetes:context), and adoption.
        assert.deepStrictEqual(provider.inputs, {
            context: "istio-mesh-dev",
            enablePatchForce: "true",
            upsertExistingObjects: "true",
        });
        const ref = `${provider.urn}::${provider.name}-id`;
        const adopting = run.registrations.filter(
            (r) => r.provider === ref || Object.values(r.providers).includes(ref),
        );
        // Pinned: upsert turns a rename or a new parent into "create over the old object, then
        // delete the old one", which would delete what was adopted. Change these with care.
        assert.deepStrictEqual(
            adopting.map((r) => r.urn),
            [
                "urn:pulumi:dev::istio-mesh::istio-mesh:core:IstioBase$kubernetes:helm.sh/v4:Chart::mesh-istio-base",
                "urn:pulumi:dev::istio-mesh::istio-mesh:core:Namespace$kubernetes:core/v1:Namespace::mesh-istio-egress",
                "urn:pulumi:dev::istio-mesh::istio-mesh:core:Namespace$kubernetes:core/v1:Namespace::mesh-istio-ingress",
                "urn:pulumi:dev::istio-mesh::istio-mesh:core:Namespace$kubernetes:core/v1:Namespace::mesh-istio-system",
                "urn:pulumi:dev::istio-mesh::istio-mesh:index:IstioMesh$istio-mesh:core:IstioBase::mesh-istio-base",
                "urn:pulumi:dev::istio-mesh::istio-mesh:index:IstioMesh$istio-mesh:core:Namespace::mesh-istio-egress",
                "urn:pulumi:dev::istio-mesh::istio-mesh:index:IstioMesh$istio-mesh:core:Namespace::mesh-istio-ingress",
                "urn:pulumi:dev::istio-mesh::istio-mesh:index:IstioMesh$istio-mesh:core:Namespace::mesh-istio-system",
            ],
        );
        // Everything else, istiod and the add-ons included, uses the stack's default provider.
        const others = run.registrations.filter((r) => !adopting.includes(r) && r !== provider);
        assert.deepStrictEqual(
            others.filter((r) => r.provider !== "" || Object.keys(r.providers).length > 0).map((r) => r.name),
            [],
        );
    });

    it("passes the stack's kubernetes: settings to the adopting provider, its kubeconfig secret", async () => {
        const config = stackConfig("dev", {
            "kubernetes:context": "kind-istio",
            "kubernetes:kubeconfig": "/home/me/.kube/ci",
            "kubernetes:enableServerSideApply": "true",
            "kubernetes:strictMode": "true",
        });
        const [provider] = new Graph((await runProgram(config)).registrations).ofType("pulumi:providers:kubernetes");
        assert.deepStrictEqual(provider.inputs, {
            context: "kind-istio",
            enablePatchForce: "true",
            enableServerSideApply: "true",
            kubeconfig: { [SECRET_SIG_KEY]: SECRET_SIG, value: "/home/me/.kube/ci" },
            upsertExistingObjects: "true",
        });
    });

    it("never creates a missing (misspelt) injection namespace: its read fails, naming it, and no label is patched", async () => {
        const typo = await runProgram(
            stackConfig("dev", { "istio-mesh:injectionNamespaces": ["defualt", "shop"] }),
            "dev",
            { namespaces: ["shop"] },
        );
        const reads = typo.registrations
            .filter((r) => r.readId !== undefined && r.type !== "pulumi:pulumi:StackReference")
            .map((r) => [r.name, r.readError ?? "found"]);
        assert.deepStrictEqual(reads, [
            ["mesh-sidecar-injection-defualt", 'resource "defualt" does not exist'],
            ["mesh-sidecar-injection-shop", "found"],
        ]);
        const patched = typo.registrations
            .filter((r) => r.type === "kubernetes:core/v1:NamespacePatch")
            .map((r) => (r.inputs.metadata as { name: string }).name);
        assert.deepStrictEqual(patched, ["shop"]);
        const created = typo.registrations
            .filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.readId === undefined)
            .map((r) => r.name);
        assert.deepStrictEqual(created, ["mesh-istio-egress", "mesh-istio-ingress", "mesh-istio-system"]);
    });

    it("labels each injection namespace with a patch of the namespace it read, never creating or owning one", () => {
        const [patch] = graph.ofType("kubernetes:core/v1:NamespacePatch");
        assert.deepStrictEqual(patch.inputs.metadata, { name: "default", labels: { "istio-injection": "enabled" } });
        // The Namespaces the program creates are the mesh's own; `default` is only read, so a
        // missing (misspelt) namespace fails the preview instead of being created by the patch.
        const namespaces = graph.ofType("kubernetes:core/v1:Namespace");
        assert.deepStrictEqual(
            namespaces.map((r) => [r.name, r.readId ?? "created"]),
            [
                ["mesh-istio-egress", "created"],
                ["mesh-istio-ingress", "created"],
                ["mesh-istio-system", "created"],
                ["mesh-sidecar-injection-default", "default"],
            ],
        );
        const read = graph.get("kubernetes:core/v1:Namespace", "sidecar-injection-default");
        const tag = graph.ofType("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")[0];
        assert.ok(patch.dependencies.includes(read.urn) && patch.dependencies.includes(tag.urn));
    });

    it("enforces STRICT mTLS mesh-wide with a PeerAuthentication that matches its CRD", () => {
        const [policy] = graph.ofType("kubernetes:security.istio.io/v1:PeerAuthentication");
        assert.deepStrictEqual(policy.inputs, {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system" },
            spec: { mtls: { mode: "STRICT" } },
        });
    });

    it("creates every Istio resource valid against Istio 1.31's CRD schemas", () => {
        const istioResources = run.registrations.filter((r) => /^kubernetes:[a-z]+\.istio\.io\//.test(r.type));
        assert.ok(istioResources.length > 0);
        for (const resource of istioResources) {
            const errors = crdSchemaErrors(resource.inputs as { apiVersion: string; kind: string; spec: unknown });
            assert.deepStrictEqual(errors, [], `${resource.urn}`);
        }
    });

    it("gives Kiali a generated signing key and a read-only login token, both secret", async () => {
        const password = graph.get("random:index/randomPassword:RandomPassword", "kiali-credentials-signing-key");
        assert.deepStrictEqual(password.inputs, { length: 32, special: false });
        const secret = graph.get("kubernetes:core/v1:Secret", "kiali-credentials-signing-key");
        const stringData = secret.inputs.stringData as Record<string, unknown>;
        assert.ok(isWireSecret(stringData), "the signing key is not secret in the Secret's inputs");
        assert.deepStrictEqual(stringData.value, {
            "signing-key": "generated-mesh-kiali-credentials-signing-key".slice(0, 32),
        });
        assert.deepStrictEqual(secret.inputs.metadata, {
            name: "kiali",
            namespace: "istio-system",
            labels: { "app.kubernetes.io/part-of": "kiali" },
        });

        const role = graph.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kiali-credentials-login");
        const verbs = new Set((role.inputs.rules as { verbs: string[] }[]).flatMap((rule) => rule.verbs));
        assert.deepStrictEqual([...verbs].sort(), ["get", "list", "watch"]);

        const token = graph.get("kubernetes:core/v1:Secret", "kiali-credentials-login-token");
        assert.strictEqual(token.inputs.type, "kubernetes.io/service-account-token");
        assert.deepStrictEqual((token.inputs.metadata as { annotations: unknown }).annotations, {
            "kubernetes.io/service-account.name": "kiali-login",
        });

        assert.strictEqual(await isSecretOutput(run.outputs.kialiLoginToken as string), true);
        assert.strictEqual(
            await valueOf(run.outputs.kialiLoginToken as string),
            "token-of-mesh-kiali-credentials-login-token",
        );
    });

    it("never shows a credential in plaintext in any resource input", () => {
        const plaintext = (value: unknown): string[] => {
            if (isWireSecret(value)) {
                return [];
            }
            if (typeof value === "string") {
                return value.includes("generated-") || value.includes("token-of-") ? [value] : [];
            }
            if (typeof value === "object" && value !== null) {
                return Object.values(value).flatMap(plaintext);
            }
            return [];
        };
        assert.deepStrictEqual(
            run.registrations.flatMap((r) => plaintext(r.inputs)),
            [],
        );
    });

    it("exports the stack outputs", async () => {
        assert.deepStrictEqual(Object.keys(run.outputs).sort(), MESH_OUTPUT_NAMES);
        // Only with an existing Prometheus that does not scrape the mesh itself.
        assert.strictEqual(run.outputs.prometheusScrapeConfig, undefined);
        assert.strictEqual(await valueOf(run.outputs.istioVersion as string), "1.31.4");
        assert.deepStrictEqual(run.savedOutputs?.controlPlanes, {
            "istiod-1-31-4": { version: "1.31.4", tag: "default" },
        });
        // The dev stack runs sidecars only; a move back from ambient reads this next time.
        assert.deepStrictEqual(run.savedOutputs?.ambientNamespaces, []);
        // A fresh cluster: `default` is labelled in this step, so pods already running there need a restart to get a sidecar.
        assert.deepStrictEqual(await valueOf(run.outputs.restartCommands as string[]), [
            "kubectl rollout restart deployment -n default",
        ]);
        assert.strictEqual(await valueOf(run.outputs.istioNamespace as string), "istio-system");
        assert.deepStrictEqual(await valueOf(run.outputs.injectionNamespaces as string[]), ["default"]);
        const ingress = run.outputs.ingressGateway as { service: string; namespace: string };
        assert.deepStrictEqual(
            [await valueOf(ingress.service), await valueOf(ingress.namespace)],
            ["istio-ingressgateway", "istio-ingress"],
        );
    });

    it("registers the same thing, byte for byte, on a second evaluation", async () => {
        const again = await runProgram(stackConfig("dev"));
        assert.strictEqual(JSON.stringify(again.registrations), JSON.stringify(run.registrations));
    });
});

describe("the program with other config", () => {
    it("leaves out the egress gateway when it is switched off", async () => {
        const run = await runProgram(
            stackConfig("dev", {
                "istio-mesh:egressGateway": false,
                "istio-mesh:addons": [],
                "istio-mesh:tracingSampling": "1",
                "istio-mesh:kubeletTlsVerify": true,
            }),
        );
        assert.deepStrictEqual(
            new Graph(run.registrations).ofType(CHART).map((r) => r.name),
            ["mesh-istiod-1-31-4", "mesh-ingress-gateway", "mesh-istio-base"],
        );
    });

    it("keeps the gateways of a stack deployed before they had namespaces of their own where they were", async () => {
        const run = await evaluateStack(
            "staging",
            {
                "istio-mesh:ingressNamespace": "istio-system",
                "istio-mesh:egressNamespace": "istio-system",
            },
            // A mesh deployed before, whose gateways were there; a new one is refused.
            { lastOutputs: { controlPlanes: { "istiod-1-31-4": { version: "1.31.4", tag: "default" } } } },
        );
        const graph = new Graph(run.registrations);
        assert.deepStrictEqual(
            graph
                .ofType(CHART)
                .filter((r) => r.inputs.chart === "gateway")
                .map((r) => [r.name, r.inputs.name, r.inputs.namespace]),
            [
                ["mesh-egress-gateway", "istio-egressgateway", "istio-system"],
                ["mesh-ingress-gateway", "istio-ingressgateway", "istio-system"],
            ],
        );
        assert.deepStrictEqual(
            graph
                .ofType("kubernetes:core/v1:Namespace")
                .filter((r) => r.readId === undefined)
                .map((r) => r.name),
            ["mesh-istio-system"],
        );
        const routes = [
            ...graph.ofType("kubernetes:networking.istio.io/v1:Gateway"),
            ...graph.ofType("kubernetes:networking.istio.io/v1:VirtualService"),
            ...graph.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy"),
        ];
        assert.deepStrictEqual(
            [...new Set(routes.map((r) => (r.inputs.metadata as { namespace: string }).namespace))],
            ["istio-system"],
        );
    });

    it("refuses a gateway in istio-system for a stack never deployed, naming the key and the fix", async () => {
        const run = await evaluateStack("staging", { "istio-mesh:ingressNamespace": "istio-system" });
        assert.deepStrictEqual(
            run.registrations.filter((r) => r.custom && r.readId === undefined),
            [],
        );
        assert.strictEqual(
            run.error?.message,
            [
                "istio-mesh configuration has 1 problem; nothing was deployed:",
                `  - istio-mesh:ingressNamespace: "istio-system" puts the gateway beside the root CA: its role reads every Secret of its namespace, cacerts and istio-ca-secret included, so whoever takes the gateway's pod takes the mesh's identity; give it a namespace of its own, e.g. istio-ingress (docs/upgrades.md, gateways in their own namespaces); only a mesh deployed before may keep it there for now, and never one of several clusters`,
            ].join("\n"),
        );
    });

    it("patches one label per injection namespace", async () => {
        const run = await runProgram(
            stackConfig("dev", { "istio-mesh:injectionNamespaces": ["shop", "bookinfo"] }),
            "dev",
            { namespaces: ["bookinfo", "shop"] },
        );
        const patches = new Graph(run.registrations).ofType("kubernetes:core/v1:NamespacePatch");
        assert.deepStrictEqual(
            patches.map((p) => p.name),
            ["mesh-sidecar-injection-bookinfo", "mesh-sidecar-injection-shop"],
        );
        assert.deepStrictEqual(await valueOf(run.outputs.injectionNamespaces as string[]), ["bookinfo", "shop"]);
    });

    it("stops on bad config before registering anything but the read of the last deployment, listing every problem", async () => {
        const run = await runProgram(stackConfig("dev", { "istio-mesh:memroy": "8Gi", "istio-mesh:mtlsMode": "OFF" }));
        assert.deepStrictEqual(
            run.registrations.map((r) => [r.type, r.readId]),
            [["pulumi:pulumi:StackReference", "dev"]],
        );
        assert.ok(run.error);
        assert.strictEqual(run.error.name, "MeshConfigError");
        assert.match(run.error.message, /^istio-mesh configuration has 2 problems; nothing was deployed:\n/);
        assert.match(run.error.message, /istio-mesh:mtlsMode: "OFF" is not one of STRICT, PERMISSIVE/);
        assert.match(
            run.error.message,
            /istio-mesh:memroy: unknown key, so its value would be ignored. Did you mean istio-mesh:memory\?/,
        );
    });
});
