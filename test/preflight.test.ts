// The preflight of `npm run up` and `npm run preview` (test/tools/preflight.ts): each missing
// thing as one line naming the key or command and the fix. Stand-ins for the cluster: a fake
// kubectl on a temporary PATH, and a local HTTP server in place of the API server.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { listOverHttps, listWithKubectl } from "./tools/cluster-queries";
import { apiAccess, kubeconfigSource, mergeKubeconfigs, readKubeconfig } from "./tools/kubeconfig";
import { memoryProblem, NodeView, preflight, targetContext } from "./tools/preflight";
import { missingNamespaceProblems } from "./tools/preflight-namespaces";

const node = (memory: string, unschedulable = false): NodeView => ({
    metadata: { name: "n" },
    ...(unschedulable && { spec: { unschedulable } }),
    status: { allocatable: { memory } },
});

/** A kubeconfig's text with one cluster and user per context. */
function kubeconfigText(
    server: string,
    contexts: string[],
    current?: string,
    user: Record<string, unknown> = { token: "t0ken" },
): string {
    return yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        ...(current !== undefined && { "current-context": current }),
        clusters: contexts.map((name) => ({ name, cluster: { server } })),
        users: contexts.map((name) => ({ name, user })),
        contexts: contexts.map((name) => ({ name, context: { cluster: name, user: name } })),
    });
}

function scratch(): { dir: string; done(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

interface ApiStandIn {
    url: string;
    requests: { url?: string; authorization?: string }[];
    close(): Promise<void>;
}

const namespaceList = (...names: string[]) => ({
    kind: "NamespaceList",
    items: names.map((name) => ({ metadata: { name } })),
});

/**
 * An API server that answers GET /api/v1/namespaces with `namespaces` (a fresh cluster's, by
 * default) and any other request with `status` and `body`.
 */
async function apiServer(
    status: number,
    body: unknown,
    namespaces: [number, unknown] = [200, namespaceList("default", "kube-system")],
): Promise<ApiStandIn> {
    const requests: ApiStandIn["requests"] = [];
    const server = http.createServer((request, response) => {
        requests.push({ url: request.url, authorization: request.headers.authorization });
        const [code, answer] = request.url === "/api/v1/namespaces" ? namespaces : [status, body];
        response.writeHead(code, { "Content-Type": "application/json" });
        response.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
            new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

const DEV_CONFIG = { "kubernetes:context": "istio-mesh-dev", "istio-mesh:memory": "4Gi" };

describe("the preflight", () => {
    describe("the kubeconfig and the context", () => {
        it("reads the stack's kubernetes:kubeconfig (a path or the file), else KUBECONFIG, else ~/.kube/config", () => {
            const home = "/home/me";
            assert.deepStrictEqual(kubeconfigSource("~/.kube/dev", {}, home), { files: ["/home/me/.kube/dev"] });
            assert.deepStrictEqual(kubeconfigSource("apiVersion: v1\nclusters: []\n", {}, home), {
                content: "apiVersion: v1\nclusters: []\n",
            });
            assert.deepStrictEqual(kubeconfigSource(undefined, { KUBECONFIG: "/a:/b::" }, home), {
                files: ["/a", "/b"],
            });
            assert.deepStrictEqual(kubeconfigSource("", {}, home), { files: ["/home/me/.kube/config"] });
        });

        it("merges files as kubectl does: the first to name an entry or the current context wins", () => {
            const merged = mergeKubeconfigs([
                { source: "/k/a", dir: "/k", text: kubeconfigText("https://a", ["a", "shared"], "a") },
                {
                    source: "/other/b",
                    dir: "/other",
                    text: kubeconfigText("https://b", ["b", "shared"], "b", { "client-certificate": "certs/me.crt" }),
                },
            ]);
            assert.deepStrictEqual(
                [merged.currentContext, merged.clusters.shared.server, merged.users.b["client-certificate"]],
                ["a", "https://a", "/other/certs/me.crt"],
            );
            assert.deepStrictEqual(Object.keys(merged.contexts).sort(), ["a", "b", "shared"]);
        });

        it("says there is no kubeconfig, and how to get one", () => {
            assert.deepStrictEqual(readKubeconfig({ files: ["/nowhere/config"] }), {
                problem:
                    "no kubeconfig: /nowhere/config does not exist; start a cluster (`minikube start --memory 4g` writes ~/.kube/config) or point KUBECONFIG at one",
            });
            assert.match(
                (readKubeconfig({ content: "apiVersion: v1\n  bad: [" }) as { problem: string }).problem,
                /^kubernetes:kubeconfig is not a kubeconfig \(.+\): set it to the path of one, or to its content$/,
            );
        });

        it("deploys a committed stack to the context it names, and says which is missing", () => {
            const kubeconfig = mergeKubeconfigs([
                {
                    source: "/home/me/.kube/config",
                    dir: "/",
                    text: kubeconfigText("https://x", ["minikube", "istio-mesh-dev"], "minikube"),
                },
            ]);
            assert.deepStrictEqual(targetContext("dev", DEV_CONFIG, kubeconfig), { context: "istio-mesh-dev" });
            assert.deepStrictEqual(
                targetContext("staging", { "kubernetes:context": "istio-mesh-staging" }, kubeconfig),
                {
                    problems: [
                        "kubernetes:context: stack staging deploys to the context istio-mesh-staging, which /home/me/.kube/config does not have (its contexts: istio-mesh-dev, minikube); add that cluster's context under this name (`kubectl config rename-context <context> istio-mesh-staging`), or name yours with `npm run pulumi -- config set kubernetes:context <context> --stack staging`",
                    ],
                },
            );
            const refused = targetContext("qa", {}, kubeconfig);
            assert.ok(
                "problems" in refused &&
                    refused.problems[0].startsWith("kubernetes:context: stack qa names no cluster"),
            );
        });

        it("deploys a personal stack to the current context, unless it names one", () => {
            const text = kubeconfigText("https://x", ["minikube", "kind-a"], "minikube");
            const kubeconfig = mergeKubeconfigs([{ source: "/home/me/.kube/config", dir: "/", text }]);
            assert.deepStrictEqual(targetContext("local", {}, kubeconfig), { context: "minikube" });
            assert.deepStrictEqual(targetContext("local", { "kubernetes:context": "kind-a" }, kubeconfig), {
                context: "kind-a",
            });
            const noCurrent = mergeKubeconfigs([
                { source: "/k", dir: "/", text: kubeconfigText("https://x", ["minikube"]) },
            ]);
            assert.deepStrictEqual(targetContext("local-ana", {}, noCurrent), {
                problems: [
                    "no current context in /k, which the personal stack local-ana deploys to; choose one with `kubectl config use-context <context>` (contexts: minikube)",
                ],
            });
        });
    });

    describe("the memory", () => {
        it("passes a cluster that has at least 90% of what the stack is sized for allocatable", () => {
            // minikube start --memory 4g: about 3.8Gi allocatable.
            assert.strictEqual(memoryProblem("local", "4Gi", [node("3990000Ki")]), undefined);
            assert.strictEqual(memoryProblem("prod", "64Gi", [node("30Gi"), node("30Gi")]), undefined);
            assert.strictEqual(
                memoryProblem("local", "4g", [node("1Gi")]),
                undefined,
                "a malformed quantity is the program's to name",
            );
        });

        it("names the key, the numbers and the fixes below that, counting schedulable nodes only", () => {
            assert.strictEqual(
                memoryProblem("local", "4Gi", [node("2Gi"), node("8Gi", true), node("1000Mi")]),
                "istio-mesh:memory: stack local is sized for 4Gi, but the cluster's 2 schedulable nodes have 3048Mi allocatable, under 90% of it; size it for what the cluster has with `npm run pulumi -- config set istio-mesh:memory 3048Mi --stack local`, or give the cluster more memory (minikube: `minikube delete && minikube start --memory 4g`)",
            );
            assert.match(
                memoryProblem("dev", "4Gi", []) ?? "",
                /the cluster's 0 schedulable nodes have 0Mi allocatable/,
            );
        });
    });

    describe("the namespaces the stack labels", () => {
        const cluster = [{ metadata: { name: "default" } }, { metadata: { name: "shop" } }];
        it("passes when each listed namespace exists, the defaults' included", () => {
            assert.deepStrictEqual(missingNamespaceProblems("local", "minikube", {}, cluster), []);
            const config = {
                "istio-mesh:injectionNamespaces": '["default"]',
                "istio-mesh:ambientNamespaces": '["shop"]',
                "istio-mesh:waypointNamespaces": '["shop"]',
            };
            assert.deepStrictEqual(missingNamespaceProblems("local", "minikube", config, cluster), []);
        });

        it("names the key, the namespace, the context and both fixes for each one missing", () => {
            const config = {
                "istio-mesh:injectionNamespaces": '["default","shpo"]',
                "istio-mesh:canaryNamespaces": '["shpo"]',
                "istio-mesh:ambientNamespaces": '["cart"]',
            };
            const fixes = (key: string, name: string) =>
                `istio-mesh:${key}: the namespace ${name} does not exist in the context istio-mesh-dev, and the mesh labels it but never creates it; create it (\`kubectl --context istio-mesh-dev create namespace ${name}\`), or take it out of istio-mesh:${key} in Pulumi.dev.yaml`;
            assert.deepStrictEqual(missingNamespaceProblems("dev", "istio-mesh-dev", config, cluster), [
                fixes("injectionNamespaces", "shpo"),
                fixes("canaryNamespaces", "shpo"),
                fixes("ambientNamespaces", "cart"),
            ]);
            // The default, `default`, is checked too: a cluster without it is told so.
            assert.deepStrictEqual(missingNamespaceProblems("dev", "istio-mesh-dev", {}, []), [
                fixes("injectionNamespaces", "default"),
            ]);
        });

        it("leaves a value that is no list of names to the program, which names it", () => {
            const config = { "istio-mesh:injectionNamespaces": "default", "istio-mesh:ambientNamespaces": '{"a":1}' };
            assert.deepStrictEqual(missingNamespaceProblems("dev", "istio-mesh-dev", config, []), []);
        });
    });

    describe("asking the cluster", () => {
        it("with kubectl, for the context and kubeconfig the stack names; its errors as one line", async () => {
            const { dir, done } = scratch();
            try {
                const kubectl = path.join(dir, "kubectl");
                const script = (body: string) => fs.writeFileSync(kubectl, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
                script(
                    `[ "$*" = "--kubeconfig /k/dev --context istio-mesh-dev --request-timeout=10s get nodes -o json" ] || { echo "unexpected: $*" >&2; exit 9; }\necho '{"items":[{"status":{"allocatable":{"memory":"4Gi"}}}]}'`,
                );
                assert.deepStrictEqual(await listWithKubectl(kubectl, "istio-mesh-dev", "nodes", "/k/dev"), {
                    items: [{ status: { allocatable: { memory: "4Gi" } } }],
                });
                script(
                    'echo "E1206 12:00:00 memcache.go:265] couldn\'t get current server API group list" >&2\necho "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused" >&2\nexit 1',
                );
                assert.deepStrictEqual(await listWithKubectl(kubectl, "minikube", "nodes"), {
                    unreachable:
                        "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused",
                });
                script(
                    'echo \'Error from server (Forbidden): nodes is forbidden: User "ana" cannot list resource "nodes"\' >&2\nexit 1',
                );
                assert.deepStrictEqual(await listWithKubectl(kubectl, "minikube", "nodes"), {
                    forbidden:
                        'Error from server (Forbidden): nodes is forbidden: User "ana" cannot list resource "nodes"',
                });
            } finally {
                done();
            }
        });

        it("over HTTP(S) as the kubeconfig's user: its token, and the API server's answer", async () => {
            const api = await apiServer(200, { kind: "NodeList", items: [node("4Gi")] });
            try {
                const kubeconfig = mergeKubeconfigs([
                    { source: "/k", dir: "/", text: kubeconfigText(api.url, ["minikube"], "minikube") },
                ]);
                assert.deepStrictEqual(await listOverHttps(apiAccess(kubeconfig, "minikube"), "nodes"), {
                    items: [node("4Gi")],
                });
                assert.deepStrictEqual(api.requests, [{ url: "/api/v1/nodes", authorization: "Bearer t0ken" }]);
            } finally {
                await api.close();
            }
            const denied = await apiServer(401, { kind: "Status", message: "Unauthorized" });
            try {
                assert.deepStrictEqual(await listOverHttps({ server: denied.url }, "nodes"), {
                    unreachable: "HTTP 401 Unauthorized",
                });
            } finally {
                await denied.close();
            }
            const forbidden = await apiServer(403, { kind: "Status", message: "nodes is forbidden" });
            try {
                assert.deepStrictEqual(await listOverHttps({ server: forbidden.url }, "nodes"), {
                    forbidden: "HTTP 403: this credential may not list nodes",
                });
            } finally {
                await forbidden.close();
            }
            assert.deepStrictEqual(await listOverHttps({ server: forbidden.url }, "nodes"), {
                unreachable: `connect ECONNREFUSED ${forbidden.url.slice("http://".length)}`,
            });
        });

        it("reads certificates and a CA from the kubeconfig, inline or from files", () => {
            const { dir, done } = scratch();
            try {
                fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
                const text = yaml.dump({
                    clusters: [
                        { name: "c", cluster: { server: "https://10.0.0.1:6443", "certificate-authority": "ca.crt" } },
                    ],
                    users: [
                        {
                            name: "u",
                            user: {
                                "client-certificate-data": Buffer.from("CERT").toString("base64"),
                                "client-key-data": Buffer.from("KEY").toString("base64"),
                            },
                        },
                    ],
                    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
                });
                const access = apiAccess(mergeKubeconfigs([{ source: "k", dir, text }]), "x");
                assert.deepStrictEqual(
                    [
                        access.server,
                        access.ca?.toString(),
                        access.cert?.toString(),
                        access.key?.toString(),
                        access.insecure,
                    ],
                    ["https://10.0.0.1:6443", "CA", "CERT", "KEY", false],
                );
            } finally {
                done();
            }
        });
    });

    describe("the whole preflight", () => {
        it("is quiet but for where it deploys when all is there", async () => {
            const { dir, done } = scratch();
            const api = await apiServer(200, { items: [node("3900Mi")] });
            try {
                fs.writeFileSync(path.join(dir, "config"), kubeconfigText(api.url, ["minikube"], "minikube"));
                const result = await preflight({
                    stack: "local",
                    config: { "istio-mesh:memory": "4Gi" },
                    env: { KUBECONFIG: path.join(dir, "config") },
                    home: dir,
                });
                assert.deepStrictEqual(result, {
                    problems: [],
                    notes: ["stack local deploys to the context minikube (the current one)"],
                });
            } finally {
                await api.close();
                done();
            }
        });

        it("lists every missing thing, one line each: the CLI, the cluster's answer, the memory", async () => {
            const { dir, done } = scratch();
            const api = await apiServer(200, { items: [node("2Gi")] });
            try {
                fs.writeFileSync(
                    path.join(dir, "config"),
                    kubeconfigText(api.url, ["istio-mesh-dev"], "istio-mesh-dev"),
                );
                const inputs = {
                    stack: "dev",
                    config: { ...DEV_CONFIG, "kubernetes:kubeconfig": path.join(dir, "config") },
                    env: {},
                    home: dir,
                    cliProblem: "pulumi: no Pulumi CLI on your PATH (…)",
                };
                const result = await preflight(inputs);
                assert.deepStrictEqual(result.problems, [
                    "pulumi: no Pulumi CLI on your PATH (…)",
                    "istio-mesh:memory: stack dev is sized for 4Gi, but the cluster's 1 schedulable node has 2048Mi allocatable, under 90% of it; size it for what the cluster has with `npm run pulumi -- config set istio-mesh:memory 2048Mi --stack dev`, or give the cluster more memory (minikube: `minikube delete && minikube start --memory 4g`)",
                ]);
                await api.close();
                const down = await preflight(inputs);
                assert.deepStrictEqual(down.problems.slice(1), [
                    `the cluster of context istio-mesh-dev (${api.url}) does not answer: connect ECONNREFUSED ${api.url.slice("http://".length)}; start it (\`minikube start --memory 4g\`), or check the context with \`kubectl --context istio-mesh-dev get nodes\``,
                ]);
                const none = await preflight({
                    ...inputs,
                    config: DEV_CONFIG,
                    env: { KUBECONFIG: path.join(dir, "missing") },
                });
                assert.deepStrictEqual(none.problems.slice(1), [
                    `no kubeconfig: ${path.join(dir, "missing")} does not exist; start a cluster (\`minikube start --memory 4g\` writes ~/.kube/config) or point KUBECONFIG at one`,
                ]);
            } finally {
                await api.close().catch(() => undefined);
                done();
            }
        });

        it("asks the API server for the namespaces, and says which are missing or that it may not list them", async () => {
            const { dir, done } = scratch();
            const missing = await apiServer(200, { items: [node("4Gi")] }, [200, namespaceList("kube-system")]);
            const refused = await apiServer(200, { items: [node("4Gi")] }, [403, { kind: "Status" }]);
            try {
                const run = (url: string) => {
                    fs.writeFileSync(path.join(dir, "config"), kubeconfigText(url, ["minikube"], "minikube"));
                    return preflight({
                        stack: "local",
                        config: { "istio-mesh:memory": "4Gi", "istio-mesh:ambientNamespaces": '["shop"]' },
                        env: { KUBECONFIG: path.join(dir, "config") },
                        home: dir,
                    });
                };
                assert.deepStrictEqual((await run(missing.url)).problems, [
                    "istio-mesh:injectionNamespaces: the namespace default does not exist in the context minikube, and the mesh labels it but never creates it; create it (`kubectl --context minikube create namespace default`), or take it out of istio-mesh:injectionNamespaces in Pulumi.local.yaml",
                    "istio-mesh:ambientNamespaces: the namespace shop does not exist in the context minikube, and the mesh labels it but never creates it; create it (`kubectl --context minikube create namespace shop`), or take it out of istio-mesh:ambientNamespaces in Pulumi.local.yaml",
                ]);
                assert.deepStrictEqual(
                    missing.requests.map((request) => request.url),
                    ["/api/v1/nodes", "/api/v1/namespaces"],
                );
                assert.deepStrictEqual(await run(refused.url), {
                    problems: [],
                    notes: [
                        "stack local deploys to the context minikube (the current one)",
                        "the namespace check is skipped: the cluster answered, but HTTP 403: this credential may not list namespaces",
                    ],
                });
            } finally {
                await missing.close();
                await refused.close();
                done();
            }
        });

        it("checks each cluster of a mesh of several on its own context, by its own memory", async () => {
            const { dir, done } = scratch();
            const east = await apiServer(200, { items: [node("4Gi")] });
            const west = await apiServer(200, { items: [node("4Gi")] });
            try {
                // kind-west's cluster entry points at the second server.
                const text = kubeconfigText(east.url, ["kind-east", "kind-west", "minikube"], "minikube").replace(
                    new RegExp(`(name: kind-west\\n\\s+cluster:\\n\\s+server: )${east.url}`),
                    `$1${west.url}`,
                );
                fs.writeFileSync(path.join(dir, "config"), text);
                const clusters = {
                    east: { context: "kind-east", memory: "8Gi" },
                    west: { context: "kind-west" },
                    south: { context: "kind-south" },
                };
                const result = await preflight({
                    stack: "local-multi",
                    config: { "istio-mesh:memory": "4Gi", "istio-mesh:clusters": JSON.stringify(clusters) },
                    env: { KUBECONFIG: path.join(dir, "config") },
                    home: dir,
                });
                assert.deepStrictEqual(result, {
                    problems: [
                        "istio-mesh:clusters.east.memory: stack local-multi is sized for 8Gi, but the cluster's 1 schedulable node has 4096Mi allocatable, under 90% of it; size it for what the cluster has with istio-mesh:clusters.east.memory: 4096Mi in Pulumi.local-multi.yaml, or give the cluster more memory (minikube: `minikube delete && minikube start --memory 4g`)",
                        `istio-mesh:clusters.south.context: cluster south deploys to the context kind-south, which ${path.join(dir, "config")} does not have (its contexts: kind-east, kind-west, minikube); create the cluster, or name its context`,
                    ],
                    notes: [
                        "stack local-multi deploys cluster east to the context kind-east",
                        "stack local-multi deploys cluster west to the context kind-west",
                    ],
                });
                // Each cluster was asked on its own server; the current context, never.
                assert.deepStrictEqual([east.requests.length, west.requests.length], [2, 2]);
            } finally {
                await east.close();
                await west.close();
                done();
            }
        });

        it("with kubectl when it is there, and skips the memory where nodes may not be listed", async () => {
            const { dir, done } = scratch();
            try {
                fs.writeFileSync(path.join(dir, "config"), kubeconfigText("https://unused", ["minikube"], "minikube"));
                const kubectl = path.join(dir, "kubectl");
                fs.writeFileSync(
                    kubectl,
                    '#!/bin/sh\necho "Error from server (Forbidden): nodes is forbidden" >&2\nexit 1\n',
                    { mode: 0o755 },
                );
                const result = await preflight({
                    stack: "local",
                    config: { "istio-mesh:memory": "4Gi" },
                    env: { KUBECONFIG: path.join(dir, "config") },
                    home: dir,
                    kubectl,
                });
                assert.deepStrictEqual(result, {
                    problems: [],
                    notes: [
                        "stack local deploys to the context minikube (the current one)",
                        "the memory check is skipped: the cluster answered, but Error from server (Forbidden): nodes is forbidden",
                        "the namespace check is skipped: the cluster answered, but Error from server (Forbidden): nodes is forbidden",
                    ],
                });
            } finally {
                done();
            }
        });
    });
});
