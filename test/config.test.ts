import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { problemsOf, warningsOf } from "./support/problems";
import { CONFIG_DEFAULTS, CONFIG_KEYS } from "../components/config/keys";
import { PROVIDER_CONFIG } from "../components/config/stack-config";
import { parseMeshSettings } from "../components/config/stack-config";
import { providerSettings } from "../components/config/kubernetes-settings";
import { MeshConfigError } from "../components/config/config-reader";
import { projectDefaults, readProjectFile, ROOT } from "./support/program";
import { configDocs, configDocsCommand, projectDeclaration } from "./tools/config-docs";

const KNOWN_KEYS = Object.keys(CONFIG_DEFAULTS)
    .sort()
    .map((key) => `istio-mesh:${key}`)
    .join(", ");

describe("config", () => {
    it("defaults to the course's environment when nothing is set", () => {
        assert.deepStrictEqual(parseMeshSettings({}), {
            memory: { quantity: "4Gi", bytes: 4 * 2 ** 30 },
            addons: ["prometheus", "grafana", "jaeger", "kiali"],
            injectionNamespaces: ["default"],
            istioVersion: "1.31.4",
            revisions: { stable: { version: "1.31.4", revision: "1-31-4", tag: "default" } },
            canaryNamespaces: [],
            chartValues: {},
            egressGateway: true,
            networkPolicies: false,
            nodes: 1,
            gatewayNamespaces: { ingress: "istio-ingress", egress: "istio-egress" },
            ingressGateway: true,
            ingressServiceType: "LoadBalancer",
            ingressService: { annotations: {}, loadBalancerSourceRanges: [] },
            awaitIngressAddress: false,
            ingressExternalTrafficPolicy: "Local",
            mtlsMode: "STRICT",
            dashboards: "none",
            dashboardAllowedCidrs: ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            dashboardsWithoutLogin: [],
            dashboardPlainHttp: false,
            tracingSampling: 1,
            kialiAnonymous: false,
            kubeletTlsVerify: true,
            prometheusRetention: "24h",
            memoryBudgetPercent: 50,
            resources: {},
            replicas: {},
            workloads: { pullSecrets: [], placement: {}, explicitPlacement: {}, availability: "auto" },
            sampleApp: false,
            cluster: { adoptExisting: true, provider: {} },
            warnings: [],
        });
    });

    it("declares each key once: Pulumi.yaml's config block and docs/configuration.md's table are written from keys.ts", () => {
        const declared = readProjectFile().config ?? {};
        assert.deepStrictEqual(
            declared,
            Object.fromEntries(Object.entries(CONFIG_KEYS).map(([key, d]) => [key, projectDeclaration(d)])),
        );
        assert.deepStrictEqual(
            projectDefaults(),
            Object.fromEntries(
                Object.entries(CONFIG_DEFAULTS).map(([key, value]) => [
                    `istio-mesh:${key}`,
                    typeof value === "string" ? value : JSON.stringify(value),
                ]),
            ),
        );
        const stale = configDocs(ROOT).filter(({ actual, expected }) => actual !== expected);
        assert.deepStrictEqual(
            stale.map(({ file }) => file),
            [],
            "stale: run `npm run config-docs`",
        );
    });

    it("npm run config-docs rewrites a stale table and Pulumi.yaml, and --check then passes (in a temporary copy)", async () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "config-docs-"));
        try {
            const readme = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
            fs.mkdirSync(path.join(copy, "docs"));
            fs.writeFileSync(
                path.join(copy, "docs", "configuration.md"),
                readme.replace("| `memory` | quantity |", "| `memory` | ? |"),
            );
            fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(copy, "Pulumi.yaml"));
            const io = { out: [] as string[], err: [] as string[] };
            const console = { out: (text: string) => io.out.push(text), err: (text: string) => io.err.push(text) };
            assert.strictEqual(await configDocsCommand(["--check"], console, copy), 1);
            assert.strictEqual(await configDocsCommand([], console, copy), 0);
            assert.strictEqual(await configDocsCommand(["--check"], console, copy), 0);
            assert.deepStrictEqual(io, {
                out: [
                    "Pulumi.yaml is up to date",
                    "Pulumi.yaml is up to date",
                    "wrote docs/configuration.md",
                    "Pulumi.yaml is up to date",
                    "docs/configuration.md is up to date",
                ],
                err: ["docs/configuration.md is stale: run `npm run config-docs`"],
            });
            assert.strictEqual(fs.readFileSync(path.join(copy, "docs", "configuration.md"), "utf8"), readme);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("reads every declared key, and only those: an undeclared read is a programming error", () => {
        // Every key read during a parse is declared (the reader throws otherwise), and every
        // declared key is known: a value for each passes the unknown-key check.
        const everyKey = Object.fromEntries(
            Object.entries(CONFIG_KEYS).map(([key, d]) => [
                `istio-mesh:${key}`,
                typeof d.default === "string" ? d.default : JSON.stringify(d.default),
            ]),
        );
        assert.deepStrictEqual(problemsOf(everyKey), []);
    });

    it("declares types the CLI lets through for every value the program accepts", () => {
        // The CLI checks stack values against Pulumi.yaml before the program runs:
        // `integer` refuses "0.5", a sampling rate production stacks need.
        const declared = readProjectFile().config ?? {};
        const cliAccepts = (key: string, value: string): boolean =>
            declared[key].type !== "integer" || /^-?[0-9]+$/.test(value);
        const accepted: [string, string][] = [
            ["tracingSampling", "0.5"],
            ["tracingSampling", "100"],
            ["memoryBudgetPercent", "30"],
        ];
        for (const [key, value] of accepted) {
            assert.deepStrictEqual(problemsOf({ [`istio-mesh:${key}`]: value }), [], `${key}=${value}`);
            assert.ok(
                cliAccepts(key, value),
                `Pulumi.yaml declares ${key} as ${String(declared[key].type)}, which the CLI would refuse for ${value}`,
            );
        }
    });

    it("reads set values, sorting namespaces and putting add-ons in canonical order", () => {
        const settings = parseMeshSettings({
            "istio-mesh:memory": "3.5Gi",
            "istio-mesh:addons": '["kiali","prometheus","jaeger"]',
            "istio-mesh:injectionNamespaces": '["shop","bookinfo"]',
            "istio-mesh:istioVersion": "1.31.0",
            "istio-mesh:egressGateway": "false",
            "istio-mesh:ingressServiceType": "NodePort",
            "istio-mesh:mtlsMode": "PERMISSIVE",
            "istio-mesh:dashboards": "ingress",
            "istio-mesh:dashboardHost": "mesh.example.com",
            "istio-mesh:dashboardTlsSecret": "mesh-tls",
            "istio-mesh:dashboardsWithoutLogin": '["prometheus"]',
            "istio-mesh:dashboardAllowedCidrs": '["203.0.113.0/24","10.0.0.0/8"]',
            "istio-mesh:ingressExternalTrafficPolicy": "Local",
            "istio-mesh:tracingSampling": "12.5",
            "istio-mesh:kialiAnonymous": "true",
            "istio-mesh:prometheusRetention": "15d",
            "istio-mesh:prometheusStorage": "8Gi",
            "kubernetes:context": "minikube",
        });
        assert.deepStrictEqual(settings, {
            memory: { quantity: "3.5Gi", bytes: 3.5 * 2 ** 30 },
            addons: ["prometheus", "jaeger", "kiali"],
            injectionNamespaces: ["bookinfo", "shop"],
            istioVersion: "1.31.0",
            revisions: { stable: { version: "1.31.0", revision: "1-31-0", tag: "default" } },
            canaryNamespaces: [],
            chartValues: {},
            egressGateway: false,
            networkPolicies: false,
            nodes: 1,
            gatewayNamespaces: { ingress: "istio-ingress", egress: "istio-egress" },
            ingressGateway: true,
            ingressServiceType: "NodePort",
            ingressService: { annotations: {}, loadBalancerSourceRanges: [] },
            awaitIngressAddress: false,
            ingressExternalTrafficPolicy: "Local",
            mtlsMode: "PERMISSIVE",
            dashboards: "ingress",
            dashboardHost: "mesh.example.com",
            dashboardAllowedCidrs: ["10.0.0.0/8", "203.0.113.0/24"],
            dashboardsWithoutLogin: ["prometheus"],
            dashboardTlsSecret: "mesh-tls",
            dashboardPlainHttp: false,
            tracingSampling: 12.5,
            kialiAnonymous: true,
            kubeletTlsVerify: true,
            prometheusRetention: "15d",
            prometheusStorage: "8Gi",
            memoryBudgetPercent: 50,
            resources: {},
            replicas: {},
            workloads: { pullSecrets: [], placement: {}, explicitPlacement: {}, availability: "auto" },
            sampleApp: false,
            cluster: { adoptExisting: true, provider: { context: "minikube" } },
            warnings: [],
        });
    });

    const badInputs: [string, Record<string, string>, string][] = [
        [
            "a malformed quantity",
            { "istio-mesh:memory": "4gb" },
            'istio-mesh:memory: "4gb" is not a Kubernetes quantity (its units are case-sensitive); did you mean 4Gi?',
        ],
        [
            "minikube's own spelling of a size",
            { "istio-mesh:memory": "4g" },
            'istio-mesh:memory: "4g" is not a Kubernetes quantity (its units are case-sensitive); did you mean 4Gi?',
        ],
        [
            "a quantity out of range",
            { "istio-mesh:memory": "512Mi" },
            'istio-mesh:memory: "512Mi" is out of range; use a quantity from 1Gi to 1Ti',
        ],
        [
            "a list where a string belongs",
            { "istio-mesh:memory": '["4Gi"]' },
            'istio-mesh:memory: ["4Gi"] is a list or map, but a string is expected',
        ],
        [
            "an unknown add-on",
            { "istio-mesh:addons": '["prometheus","zipkin"]' },
            'istio-mesh:addons: item 1 "zipkin" is not an add-on; use any of prometheus, grafana, jaeger, kiali',
        ],
        [
            "a duplicate add-on",
            { "istio-mesh:addons": '["kiali","kiali"]' },
            'istio-mesh:addons: item 1 "kiali" is a duplicate; list each value once',
        ],
        [
            "add-ons that are not a list",
            { "istio-mesh:addons": "kiali" },
            'istio-mesh:addons: "kiali" is not a list of strings; write it as a YAML list, e.g. [prometheus, grafana, jaeger, kiali]',
        ],
        [
            "an invalid namespace name",
            { "istio-mesh:injectionNamespaces": '["Book_Info"]' },
            "istio-mesh:injectionNamespaces: item 0 \"Book_Info\" is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)",
        ],
        [
            "a namespace name over 63 characters",
            { "istio-mesh:injectionNamespaces": JSON.stringify(["a".repeat(64)]) },
            `istio-mesh:injectionNamespaces: item 0 "${"a".repeat(64)}" is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)`,
        ],
        [
            "a system namespace",
            { "istio-mesh:injectionNamespaces": '["istio-system"]' },
            'istio-mesh:injectionNamespaces: item 0 "istio-system" is a system namespace; only application namespaces join the mesh',
        ],
        [
            "a duplicate namespace",
            { "istio-mesh:injectionNamespaces": '["default","default"]' },
            'istio-mesh:injectionNamespaces: item 1 "default" is a duplicate; list each value once',
        ],
        [
            "a version that is not MAJOR.MINOR.PATCH",
            { "istio-mesh:istioVersion": "1.31" },
            'istio-mesh:istioVersion: "1.31" is not a version of the form MAJOR.MINOR.PATCH, e.g. 1.31.4',
        ],
        [
            "an unsupported version",
            { "istio-mesh:istioVersion": "1.29.2" },
            'istio-mesh:istioVersion: "1.29.2" is not supported: the pinned chart values are written for Istio 1.30, 1.31; use 1.30.x or 1.31.x (default 1.31.4)',
        ],
        [
            "a boolean that is not one",
            { "istio-mesh:egressGateway": "yes" },
            'istio-mesh:egressGateway: "yes" is not a boolean; use true or false',
        ],
        [
            "an unknown service type",
            { "istio-mesh:ingressServiceType": "loadbalancer" },
            'istio-mesh:ingressServiceType: "loadbalancer" is not one of LoadBalancer, NodePort, ClusterIP (case-sensitive)',
        ],
        [
            "an unknown exposure mode",
            { "istio-mesh:dashboards": "nodeport" },
            'istio-mesh:dashboards: "nodeport" is not one of ingress, none (case-sensitive)',
        ],
        [
            "a bad host name",
            { "istio-mesh:dashboardHost": "Mesh_Host" },
            'istio-mesh:dashboardHost: "Mesh_Host" is not a DNS name; use lower-case labels separated by dots, e.g. mesh.example.com, or "" for any host',
        ],
        [
            "a bad CIDR",
            { "istio-mesh:dashboardAllowedCidrs": '["10.0.0.0/33"]' },
            'istio-mesh:dashboardAllowedCidrs: item 0 "10.0.0.0/33" is not an IPv4 CIDR; use address/prefix, e.g. 192.168.0.0/16',
        ],
        [
            "a sampling value above 100",
            { "istio-mesh:tracingSampling": "150" },
            "istio-mesh:tracingSampling: 150 is out of range; use a number from 0 to 100 (percent of requests)",
        ],
        [
            "a sampling value that is not a number",
            { "istio-mesh:tracingSampling": "all" },
            'istio-mesh:tracingSampling: "all" is not a decimal number; write digits with an optional fraction, e.g. 0.5, from 0 to 100 (percent of requests)',
        ],
        [
            "a sampling value in hexadecimal, which Number() would read as 16",
            { "istio-mesh:tracingSampling": "0x10" },
            'istio-mesh:tracingSampling: "0x10" is not a decimal number; write digits with an optional fraction, e.g. 0.5, from 0 to 100 (percent of requests)',
        ],
        [
            "a sampling value with an exponent, which Number() would read as 10",
            { "istio-mesh:tracingSampling": "1e1" },
            'istio-mesh:tracingSampling: "1e1" is not a decimal number; write digits with an optional fraction, e.g. 0.5, from 0 to 100 (percent of requests)',
        ],
        [
            "a budget with a fraction, which Pulumi.yaml's integer type refuses",
            { "istio-mesh:memoryBudgetPercent": "50.5" },
            'istio-mesh:memoryBudgetPercent: "50.5" is not a whole number; write digits only, from 10 to 90 (percent of istio-mesh:memory)',
        ],
        [
            "a bad retention",
            { "istio-mesh:prometheusRetention": "2 days" },
            'istio-mesh:prometheusRetention: "2 days" is not a Prometheus duration; use e.g. 6h, 24h or 15d',
        ],
        [
            "a zero retention, which Prometheus replaces with its default",
            { "istio-mesh:prometheusRetention": "0d" },
            'istio-mesh:prometheusRetention: "0d" is zero, which Prometheus reads as 15d; use e.g. 6h or 15d',
        ],
        [
            "a gateway in a Kubernetes system namespace",
            { "istio-mesh:ingressNamespace": "kube-system" },
            'istio-mesh:ingressNamespace: "kube-system" is a system namespace; use a namespace of the gateway\'s own, e.g. istio-ingress',
        ],
        [
            "a gateway namespace that is no namespace name",
            { "istio-mesh:egressNamespace": "Istio_Egress" },
            "istio-mesh:egressNamespace: \"Istio_Egress\" is not a valid namespace name; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (RFC 1123)",
        ],
        [
            "a gateway in an application's namespace",
            { "istio-mesh:ingressNamespace": "default" },
            "istio-mesh:ingressNamespace: \"default\" is in istio-mesh:injectionNamespaces, an application's namespace; the gateway's role reads every Secret of its namespace, and whoever may write routes or label pods there could take its hosts, its certificates and its network access, so give it one of its own, e.g. istio-ingress",
        ],
        [
            "a gateway in an ambient application's namespace (a waypoint's is one too)",
            {
                "istio-mesh:ambient": "true",
                "istio-mesh:ambientNamespaces": '["shop"]',
                "istio-mesh:waypointNamespaces": '["shop"]',
                "istio-mesh:egressNamespace": "shop",
            },
            "istio-mesh:egressNamespace: \"shop\" is in istio-mesh:ambientNamespaces, an application's namespace; the gateway's role reads every Secret of its namespace, and whoever may write routes or label pods there could take its hosts, its certificates and its network access, so give it one of its own, e.g. istio-egress",
        ],
        [
            "a bad volume size",
            { "istio-mesh:prometheusStorage": "8" },
            'istio-mesh:prometheusStorage: "8" is not a volume size; use a quantity of at least 256Mi, e.g. 8Gi, or "" for no volume',
        ],
        [
            "Grafana without Prometheus",
            { "istio-mesh:addons": '["grafana"]' },
            'istio-mesh:addons: "grafana" needs a Prometheus: its datasource and every Istio dashboard read Prometheus; add prometheus to istio-mesh:addons, give an existing one in istio-mesh:prometheusUrl, or remove grafana',
        ],
        [
            "Kiali without Prometheus",
            { "istio-mesh:addons": '["jaeger","kiali"]' },
            'istio-mesh:addons: "kiali" needs a Prometheus: its graph and health come from Prometheus metrics; add prometheus to istio-mesh:addons, give an existing one in istio-mesh:prometheusUrl, or remove kiali',
        ],
        [
            "an unknown mTLS mode",
            { "istio-mesh:mtlsMode": "DISABLE" },
            'istio-mesh:mtlsMode: "DISABLE" is not one of STRICT, PERMISSIVE (case-sensitive)',
        ],
    ];
    for (const [what, raw, message] of badInputs) {
        it(`rejects ${what}`, () => {
            assert.deepStrictEqual(problemsOf(raw), [message]);
        });
    }

    it("rejects an unknown key, naming the key it is probably a typo of", () => {
        const [problem] = problemsOf({ "istio-mesh:memroy": "8Gi" });
        assert.strictEqual(
            problem,
            `istio-mesh:memroy: unknown key, so its value would be ignored. Did you mean istio-mesh:memory? Known keys: ${KNOWN_KEYS}`,
        );
    });

    it("leaves keys of other namespaces alone: an ESC environment or an organisation's defaults may set them", () => {
        assert.deepStrictEqual(
            problemsOf({
                "aws:region": "eu-west-1",
                "istio:memory": "8Gi",
                "pulumi:tags": "{}",
                "kubernetes:context": "minikube",
            }),
            [],
        );
    });

    describe("keys that would have no effect: a warning each, never a refusal", () => {
        const noJaeger = { "istio-mesh:addons": '["prometheus","grafana","kiali"]' };
        const noPrometheus = { "istio-mesh:addons": '["jaeger"]' };
        const noKiali = { "istio-mesh:addons": '["prometheus","grafana","jaeger"]' };
        const notRouted = { "istio-mesh:dashboards": "none" };
        const keep = "Keep it for then, or remove it to silence this warning";
        const routedNone = `istio-mesh:dashboards is none, so no dashboard is routed; the routes through the ingress gateway use it once istio-mesh:dashboards is ingress. ${keep}`;
        const idle: [Record<string, string>, string][] = [
            [
                { ...noJaeger, "istio-mesh:tracingSampling": "10" },
                `istio-mesh:tracingSampling: 10 has no effect here: jaeger is not in istio-mesh:addons and istio-mesh:otlpEndpoint is empty, so no trace is collected; the bundled jaeger or an OTLP collector uses it once either is on. ${keep}`,
            ],
            [
                { ...noPrometheus, "istio-mesh:prometheusRetention": "7d" },
                `istio-mesh:prometheusRetention: "7d" has no effect here: prometheus is not in istio-mesh:addons, so no metric is kept; the bundled prometheus uses it once istio-mesh:addons lists it again. ${keep}`,
            ],
            [
                { ...noPrometheus, "istio-mesh:prometheusStorage": "8Gi" },
                `istio-mesh:prometheusStorage: "8Gi" has no effect here: prometheus is not in istio-mesh:addons, so no volume is made; the bundled prometheus uses it once istio-mesh:addons lists it again. ${keep}`,
            ],
            [
                { ...noKiali, "istio-mesh:kialiAnonymous": "true" },
                `istio-mesh:kialiAnonymous: true has no effect here: kiali is not in istio-mesh:addons, so there is no Kiali to log into; the bundled kiali uses it once istio-mesh:addons lists it again. ${keep}`,
            ],
            [
                { "istio-mesh:egressGateway": "false", "istio-mesh:egressNamespace": "egress" },
                `istio-mesh:egressNamespace: "egress" has no effect here: istio-mesh:egressGateway is false, so there is no egress gateway to place; the egress gateway uses it once istio-mesh:egressGateway is true. ${keep}`,
            ],
            [
                { ...notRouted, "istio-mesh:dashboardHost": "mesh.example.com" },
                `istio-mesh:dashboardHost: "mesh.example.com" has no effect here: ${routedNone}`,
            ],
            [
                { ...notRouted, "istio-mesh:dashboardTlsSecret": "mesh-tls" },
                `istio-mesh:dashboardTlsSecret: "mesh-tls" has no effect here: ${routedNone}`,
            ],
            [
                { ...notRouted, "istio-mesh:dashboardAllowedCidrs": '["203.0.113.0/24"]' },
                `istio-mesh:dashboardAllowedCidrs: ["203.0.113.0/24"] has no effect here: ${routedNone}`,
            ],
            [
                // Empty, it would be refused with routed dashboards; unrouted, it has no effect whatever it holds.
                { ...notRouted, "istio-mesh:dashboardAllowedCidrs": "[]" },
                `istio-mesh:dashboardAllowedCidrs: [] has no effect here: ${routedNone}`,
            ],
            [
                { ...notRouted, "istio-mesh:dashboardPlainHttp": "true" },
                `istio-mesh:dashboardPlainHttp: true has no effect here: ${routedNone}`,
            ],
            [
                { "istio-mesh:ingressServiceType": "ClusterIP", "istio-mesh:ingressExternalTrafficPolicy": "Cluster" },
                `istio-mesh:ingressExternalTrafficPolicy: "Cluster" has no effect here: istio-mesh:ingressServiceType is ClusterIP, which no client outside the cluster reaches, so no node forwards to it; the gateway's Service uses it once istio-mesh:ingressServiceType is NodePort or LoadBalancer. ${keep}`,
            ],
            [
                {
                    "istio-mesh:addons": '["prometheus"]',
                    "istio-mesh:dashboards": "ingress",
                    "istio-mesh:dashboardsWithoutLogin": '["prometheus","jaeger"]',
                },
                `istio-mesh:dashboardsWithoutLogin: "jaeger" has no effect here: jaeger is not in istio-mesh:addons, so there is no jaeger to route; its route is made once istio-mesh:addons lists it again. ${keep}`,
            ],
        ];
        for (const [raw, message] of idle) {
            const key = message.slice(0, message.indexOf(": "));
            it(`warns of ${key} when ${JSON.stringify(raw)}, and deploys`, () => {
                assert.deepStrictEqual(problemsOf(raw), []);
                assert.deepStrictEqual(warningsOf(raw), [message]);
            });
        }

        it("warns of none of them at its default, which Pulumi.yaml gives every stack", () => {
            const defaults = projectDefaults();
            const bare = { ...defaults, "istio-mesh:addons": "[]", "istio-mesh:dashboards": "none" };
            assert.deepStrictEqual([problemsOf(bare), warningsOf(bare)], [[], []]);
            // A value written differently but meaning the default is the default.
            const same = { ...noJaeger, "istio-mesh:tracingSampling": "1.0", "istio-mesh:kialiAnonymous": "false" };
            assert.deepStrictEqual([problemsOf(same), warningsOf(same)], [[], []]);
        });

        it("still refuses a bad value of a key that has no effect: a typo is a typo", () => {
            assert.deepStrictEqual(problemsOf({ ...noJaeger, "istio-mesh:tracingSampling": "ten" }), [
                'istio-mesh:tracingSampling: "ten" is not a decimal number; write digits with an optional fraction, e.g. 0.5, from 0 to 100 (percent of requests)',
            ]);
        });
    });

    describe("one mistake, one message: cross-key checks skip a refused key", () => {
        const cases: [string, Record<string, string>, string][] = [
            [
                "a malformed host with its certificate",
                {
                    "istio-mesh:dashboards": "ingress",
                    "istio-mesh:dashboardHost": "Mesh.Example.com",
                    "istio-mesh:dashboardTlsSecret": "mesh-tls",
                },
                'istio-mesh:dashboardHost: "Mesh.Example.com" is not a DNS name; use lower-case labels separated by dots, e.g. mesh.example.com, or "" for any host',
            ],
            [
                "a malformed sampling value without Jaeger",
                { "istio-mesh:addons": '["prometheus"]', "istio-mesh:tracingSampling": "ten" },
                'istio-mesh:tracingSampling: "ten" is not a decimal number; write digits with an optional fraction, e.g. 0.5, from 0 to 100 (percent of requests)',
            ],
            [
                "a misspelt add-on with a key that needs it",
                { "istio-mesh:addons": '["prometheus","jeager"]', "istio-mesh:tracingSampling": "10" },
                'istio-mesh:addons: item 1 "jeager" is not an add-on; use any of prometheus, grafana, jaeger, kiali',
            ],
            [
                "a misspelt exposure with a host",
                { "istio-mesh:dashboards": "Ingress", "istio-mesh:dashboardHost": "mesh.example.com" },
                'istio-mesh:dashboards: "Ingress" is not one of ingress, none (case-sensitive)',
            ],
        ];
        for (const [what, raw, message] of cases) {
            it(what, () => {
                assert.deepStrictEqual(problemsOf(raw), [message]);
            });
        }
    });

    it("still checks the budget when an unrelated key is bad", () => {
        const problems = problemsOf({ "istio-mesh:memory": "1Gi", "istio-mesh:dashboards": "nodeport" });
        assert.deepStrictEqual(
            problems.map((p) => p.slice(0, p.indexOf(":", "istio-mesh:".length))),
            ["istio-mesh:dashboards", "istio-mesh:memory"],
        );
    });

    it("rejects a kubernetes provider setting that does not exist, which would deploy to the default cluster", () => {
        const [problem] = problemsOf({ "kubernetes:kubeconfg": "/etc/prod.yaml" });
        assert.match(
            problem,
            /^kubernetes:kubeconfg: not a setting of the kubernetes provider, so its value would be ignored\. Did you mean kubernetes:kubeconfig\? Known keys: kubernetes:alwaysRender, /,
        );
    });

    it("knows every setting of the pinned kubernetes provider", () => {
        // ProviderArgs of the installed @pulumi/kubernetes: the settings `kubernetes:` config feeds.
        const declarations = fs.readFileSync(require.resolve("@pulumi/kubernetes/provider.d.ts"), "utf8");
        const args = declarations.slice(declarations.indexOf("export interface ProviderArgs"));
        const fields = [...args.matchAll(/^ {4}([a-zA-Z]+)\?:/gm)].map((match) => match[1]);
        assert.ok(fields.includes("kubeconfig") && fields.length > 10, "ProviderArgs not found");
        assert.deepStrictEqual(
            fields.filter((field) => !PROVIDER_CONFIG.kubernetes.includes(field)),
            [],
        );
        // Each field reaches the adopting provider in the type ProviderArgs declares for it.
        const typeOf = (field: string): string =>
            new RegExp(`^ {4}${field}\\?: pulumi\\.Input<([a-zA-Z.]+) \\| undefined>;`, "m").exec(args)?.[1] ?? "?";
        const sample: Record<string, string> = { boolean: "true", string: "text" };
        const passed = fields.map((field) => {
            const type = typeOf(field).startsWith("inputs.") ? "object" : typeOf(field);
            return [field, type, providerSettings({ [`kubernetes:${field}`]: sample[type] ?? '{"a":1}' })[field]];
        });
        assert.deepStrictEqual(
            passed.filter(([, type, value]) =>
                type === "object"
                    ? JSON.stringify(value) !== '{"a":1}'
                    : type === "boolean"
                      ? value !== true
                      : value !== "text",
            ),
            [],
        );
    });

    it("collects every problem into one error, in one message", () => {
        let thrown: unknown;
        try {
            parseMeshSettings({ "istio-mesh:memory": "lots", "istio-mesh:mtlsMode": "OFF", "istio-mesh:bogus": "1" });
        } catch (error) {
            thrown = error;
        }
        assert.ok(thrown instanceof MeshConfigError);
        assert.strictEqual(
            thrown.message,
            "istio-mesh configuration has 3 problems; nothing was deployed:\n" +
                '  - istio-mesh:memory: "lots" is not a Kubernetes quantity; use a number with a unit, e.g. 4Gi, 4096Mi or 4G\n' +
                '  - istio-mesh:mtlsMode: "OFF" is not one of STRICT, PERMISSIVE (case-sensitive)\n' +
                `  - istio-mesh:bogus: unknown key, so its value would be ignored. Known keys: ${KNOWN_KEYS}`,
        );
    });
});
