import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { remoteKubeconfig } from "../../components/values/multi-cluster-values";
import { Registration } from "../support/monitor";
import { ProgramRun, projectDefaults, ROOT, runProgram } from "../support/program";
import { renderCharts, StackRender } from "../support/render";
import { missingObjects } from "./apply-step";
import { KubeObject } from "./client";
import { ClusterNetwork } from "./cluster-network";
import { deployables } from "./deployables";
import { startControlPlane } from "./hooks";
import { ISTIOD_PORTS, Istiod } from "./istiod";
import { IstiodBed } from "./istiod-bed";
import { loggedErrors } from "./istiod-checks";
import { pilotDiscovery } from "./istiod-hooks";
import { OpensslTls } from "./openssl-tls";
import { ensureServiceAccount, fillTokenSecret } from "./service-accounts";
import { chainProblems, publishedRoot, workloadCertificate } from "./workload-certificate";

/**
 * The two-cluster program (examples/multi-cluster-kind's stack, issue #29) on two real API
 * servers, each with a real istiod: every cluster's objects on its own server and none of the
 * other's; each istiod reading the other cluster through the remote secret the program wrote
 * (the kubeconfig as written, its CA the other server's, its token the one that cluster's
 * token controller would have put in the reader's Secret); each istiod listing a Service of
 * the other cluster under that cluster's ID; and workload certificates of both clusters
 * chained to the one root. A remote secret with a wrong token is seen as not synced.
 *
 * Each cluster's `apiServer` is a documentation address (RFC 5737) that the program accepts
 * and ClusterNetwork carries to that cluster's API server on loopback: the program refuses a
 * loopback `apiServer`, rightly, since no other cluster reaches one.
 */

const ISTIO_NAMESPACE = "istio-system";
const REVISION = "1-31-4";
const PROVIDER = "pulumi:providers:kubernetes";

interface Cluster {
    name: string;
    /** The address the program is given as its `apiServer` host, which ClusterNetwork routes. */
    address: string;
    serviceRange: string;
    network?: string;
}

const example = yaml.load(
    fs.readFileSync(path.join(ROOT, "examples", "multi-cluster-kind", "Pulumi.local-multi.yaml"), "utf8"),
) as { config: Record<string, unknown> };

/** The example stack's config, with these clusters and their test API servers' addresses. */
function stackConfig(
    clusters: readonly Cluster[],
    urls: ReadonlyMap<string, string>,
    overrides: Record<string, unknown>,
): Record<string, string> {
    const raw = projectDefaults();
    const own = {
        ...example.config,
        ...overrides,
        "istio-mesh:clusters": Object.fromEntries(
            clusters.map((c) => [
                c.name,
                {
                    context: `suite-${c.name}`,
                    apiServer: urls.get(c.name),
                    memory: "8Gi",
                    platform: "none",
                    ...(c.network !== undefined && { network: c.network }),
                },
            ]),
        ),
    };
    for (const [key, value] of Object.entries(own))
        raw[key] = typeof value === "string" ? value : JSON.stringify(value);
    return raw;
}

/** The kubeconfig context of the provider each Kubernetes resource (or chart) of the run is on. */
function contextOf(run: ProgramRun): (r: Registration) => string | undefined {
    const contexts = new Map(
        run.registrations.filter((p) => p.type === PROVIDER).map((p) => [`${p.urn}::${p.name}-id`, p.inputs.context]),
    );
    return (r) => contexts.get(r.provider || r.providers.kubernetes || "") as string | undefined;
}

/** One cluster's part of the run, rendered: what its provider puts on its API server. */
async function clusterRender(
    run: ProgramRun,
    cluster: string,
    keep: (r: Registration) => boolean = () => true,
): Promise<StackRender> {
    const context = contextOf(run);
    const unplaced = run.registrations.filter(
        (r) => r.type.startsWith("kubernetes:") && r.readId === undefined && context(r) === undefined,
    );
    assert.deepStrictEqual(
        unplaced.map((r) => r.name),
        [],
        "every Kubernetes resource is on a cluster's provider",
    );
    const registrations = run.registrations.filter(
        (r) => r.type === PROVIDER || (context(r) === `suite-${cluster}` && keep(r)),
    );
    return {
        stack: `local-multi/${cluster}`,
        run: { ...run, registrations },
        releases: await renderCharts(registrations),
    };
}

const isRemoteSecret = (r: Registration): boolean => /^mesh-\w+-remote-\w+$/.test(r.name);

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` until `done` holds of its value or `ms` pass; resolves to the last value. */
async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await read();
        if (done(value) || Date.now() > deadline) return value;
        await sleep(250);
    }
}

async function debug<T>(istiod: Istiod, what: string): Promise<T> {
    const reply = await istiod.httpGet(ISTIOD_PORTS.http, `/debug/${what}`);
    if (reply.status !== 200) throw new Error(`/debug/${what}: ${reply.status} ${reply.body}`);
    return JSON.parse(reply.body) as T;
}

interface ClusterStatus {
    id: string;
    secretName: string;
    syncStatus: string;
}

const clusterz = (istiod: Istiod): Promise<ClusterStatus[]> =>
    debug<ClusterStatus[]>(istiod, "clusterz").then((list) =>
        [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );

interface RegistryService {
    hostname: string;
    clusterVIPs?: { Addresses?: Record<string, string[]> };
}

/** The clusters whose address istiod's registry has for `hostname`, with the addresses. */
async function registryAddresses(istiod: Istiod, hostname: string): Promise<Record<string, string[]>> {
    const services = await debug<RegistryService[]>(istiod, "registryz");
    return services.find((s) => s.hostname === hostname)?.clusterVIPs?.Addresses ?? {};
}

const decode = (value: string | undefined): string => Buffer.from(value ?? "", "base64").toString("utf8");

interface NetworkGateway {
    Network: string;
    Cluster: string;
    Addr: string;
    Port: number;
    HBONEPort: number;
}

/** The address a LoadBalancer controller gives each cluster's east-west gateway here (RFC 5737). */
const gatewayAddress = (i: number): string => `192.0.2.${101 + i}`;

function describeMesh(
    title: string,
    clusters: readonly Cluster[],
    overrides: Record<string, unknown> = {},
    gatewayPorts?: Pick<NetworkGateway, "Port" | "HBONEPort">,
): void {
    describe(`apiserver + istiod: a mesh across two clusters, ${title}`, () => {
        const tls = new OpensslTls();
        /** Each cluster's reader-token Secret data, once its token controller (here, the suite) filled it. */
        const tokens = new Map<string, Record<string, string>>();
        const beds = new Map<string, IstiodBed>();
        const renders = new Map<string, StackRender>();
        const urls = new Map<string, string>();
        let network: ClusterNetwork | undefined;
        const [east, west] = clusters.map((c) => c.name);

        const bed = (name: string): IstiodBed => beds.get(name) as IstiodBed;
        const istiod = (name: string): Istiod => {
            const running = [...bed(name).istiods.values()];
            assert.deepStrictEqual(
                running.map((i) => i.spec.revision),
                [REVISION],
            );
            return running[0];
        };

        /** The program under the mocks, the TLS provider's work done by openssl and the reader tokens read back. */
        const runMesh = (): Promise<ProgramRun> =>
            runProgram(stackConfig(clusters, urls, overrides), "local-multi", {
                provide: async (type, name, inputs) => {
                    const token = /^mesh-(\w+)-reader-token$/.exec(name)?.[1];
                    if (token !== undefined) return tokens.has(token) ? { data: tokens.get(token) } : undefined;
                    return tls.provide(type, name, inputs);
                },
            });

        before(async function () {
            this.timeout(10 * 60_000);
            const started = Date.now();
            const routes = new Map<string, string>();
            const planes = [];
            for (const cluster of clusters) {
                const plane = await startControlPlane({
                    admissionWebhooks: true,
                    advertiseAddress: cluster.address,
                    serviceRange: cluster.serviceRange,
                });
                planes.push(plane);
                const port = new URL(plane.client.server).port;
                routes.set(`${cluster.address}:${port}`, `127.0.0.1:${port}`);
                urls.set(cluster.name, `https://${cluster.address}:${port}`);
            }
            network = await ClusterNetwork.start(routes);
            for (const [i, cluster] of clusters.entries()) {
                beds.set(cluster.name, new IstiodBed(planes[i], pilotDiscovery(), network.env));
            }
            // The first wave of `pulumi up`: everything but the remote secrets, which wait for the
            // reader tokens the other clusters' token controllers write into their Secrets.
            const first = await runMesh();
            assert.strictEqual(first.error, undefined);
            for (const cluster of clusters) {
                const outcome = await bed(cluster.name).apply(
                    await clusterRender(first, cluster.name, (r) => !isRemoteSecret(r)),
                );
                assert.deepStrictEqual(outcome.refusals, [], cluster.name);
                // What the token controller would do: a legacy token for the reader, the cluster's CA.
                const plane = bed(cluster.name).plane;
                tokens.set(
                    cluster.name,
                    await fillTokenSecret(
                        plane.client,
                        plane.serviceAccountKeyFile,
                        ISTIO_NAMESPACE,
                        "istio-reader-token",
                    ),
                );
            }
            // The provider reads the filled Secret back; the remote secrets are made of it.
            const run = await runMesh();
            assert.strictEqual(run.error, undefined);
            for (const cluster of clusters) {
                const render = await clusterRender(run, cluster.name);
                renders.set(cluster.name, render);
                const outcome = await bed(cluster.name).apply(render);
                assert.deepStrictEqual(outcome.refusals, [], cluster.name);
                // The istiod of the first wave runs on: nothing it is started from changed.
                assert.deepStrictEqual(outcome.readyAfterMs, {}, cluster.name);
            }
            console.log(
                `      two control planes, the program twice, both clusters applied, both istiods ready: ${((Date.now() - started) / 1000).toFixed(1)} s`,
            );
        });

        after(async function () {
            this.timeout(2 * 60_000);
            for (const one of beds.values()) await one.stop();
            await network?.stop();
        });

        it("each API server holds its own cluster's objects, and none of the other's", async () => {
            for (const [own, other] of [
                [east, west],
                [west, east],
            ]) {
                const client = bed(own).client;
                const mine = deployables(renders.get(own) as StackRender);
                const theirs = deployables(renders.get(other) as StackRender);
                assert.deepStrictEqual(await missingObjects(client, mine), [], `${own}: every object of its own`);
                // What only the other cluster has (its remote secret for this one) is not here.
                const ownIdentities = new Set(mine.map((d) => d.identity));
                const onlyTheirs = theirs.filter((d) => !ownIdentities.has(d.identity));
                assert.deepStrictEqual(
                    onlyTheirs.map((d) => d.identity),
                    [`Secret ${ISTIO_NAMESPACE}/istio-remote-secret-${own}`],
                );
                for (const d of onlyTheirs) {
                    assert.strictEqual(await client.get(d.object), undefined, `${own} holds ${d.identity}`);
                }
                const get = async (kind: string, name: string, namespace?: string): Promise<KubeObject> => {
                    const object = await client.get({
                        apiVersion: kind === "Deployment" ? "apps/v1" : "v1",
                        kind,
                        metadata: { name, ...(namespace !== undefined && { namespace }) },
                    });
                    assert.ok(object !== undefined, `${own}: no ${kind} ${name}`);
                    return object;
                };
                // istiod speaks for this cluster, on its network.
                const deployment = await get("Deployment", `istiod-${REVISION}`, ISTIO_NAMESPACE);
                const container = (
                    deployment.spec as {
                        template: { spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } };
                    }
                ).template.spec.containers.find((c) => c.name === "discovery");
                const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
                assert.strictEqual(env.CLUSTER_ID, own);
                // The proxies it injects get its cluster, network and mesh from its injection values.
                const ownNetwork = clusters.find((c) => c.name === own)?.network ?? "network1";
                const injector = (await get("ConfigMap", `istio-sidecar-injector-${REVISION}`, ISTIO_NAMESPACE))
                    .data as Record<string, string>;
                const global = (JSON.parse(injector.values) as { global: Record<string, unknown> }).global;
                assert.deepStrictEqual(
                    [global.meshID, (global.multiCluster as { clusterName?: string }).clusterName, global.network],
                    [example.config["istio-mesh:meshId"], own, ownNetwork],
                );
                const namespace = await get("Namespace", ISTIO_NAMESPACE);
                assert.strictEqual(namespace.metadata.labels?.["topology.istio.io/network"], ownNetwork);
                // Its own intermediate, chained to the one root.
                const cacerts = (await get("Secret", "cacerts", ISTIO_NAMESPACE)).data as Record<string, string>;
                assert.strictEqual(decode(cacerts["ca-cert.pem"]), tls.certificate(`mesh-${own}-ca-cert`));
                assert.notStrictEqual(decode(cacerts["ca-cert.pem"]), tls.certificate(`mesh-${other}-ca-cert`));
                assert.strictEqual(decode(cacerts["root-cert.pem"]), tls.certificate("mesh-root-cert"));
                // The remote secret for the other cluster: its address, its server's CA, its reader's token.
                const remote = await get("Secret", `istio-remote-secret-${other}`, ISTIO_NAMESPACE);
                assert.deepStrictEqual(remote.metadata.labels, { "istio/multiCluster": "true" });
                const kubeconfig = yaml.load(decode((remote.data as Record<string, string>)[other])) as {
                    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
                    users: { user: { token: string } }[];
                };
                const otherClient = bed(other).client;
                assert.deepStrictEqual(
                    [
                        kubeconfig.clusters[0].cluster.server,
                        decode(kubeconfig.clusters[0].cluster["certificate-authority-data"]),
                        kubeconfig.users[0].user.token,
                    ],
                    [urls.get(other), otherClient.ca, decode(tokens.get(other)?.token)],
                );
            }
        });

        it("each istiod reads the other cluster through its remote secret: synced, reached at the other's address", async () => {
            for (const [own, other] of [
                [east, west],
                [west, east],
            ]) {
                const status = await poll(
                    () => clusterz(istiod(own)),
                    (list) => list.every((c) => c.syncStatus === "synced") && list.length === 2,
                );
                assert.deepStrictEqual(
                    status,
                    [
                        { id: own, secretName: "", syncStatus: "synced" },
                        {
                            id: other,
                            secretName: `${ISTIO_NAMESPACE}/istio-remote-secret-${other}`,
                            syncStatus: "synced",
                        },
                    ].sort((a, b) => (a.id < b.id ? -1 : 1)),
                );
            }
            const reached = new Set(network?.tunnels);
            assert.deepStrictEqual(
                [...reached].sort(),
                [...urls.values()].map((url) => new URL(url).host).sort(),
                "istiod reached each other cluster's API server at its address",
            );
            for (const [own, other] of [
                [east, west],
                [west, east],
            ]) {
                // istiod's own words (pkg/kube/multicluster/secretcontroller.go) for the secret it read.
                const said = istiod(own)
                    .log()
                    .split("\n")
                    .filter((line) => /processing remote config event|Number of remote clusters/.test(line))
                    .map((line) => line.split("\t").slice(1).join(" "));
                assert.deepStrictEqual(said, [
                    `info processing remote config event for ${ISTIO_NAMESPACE}/istio-remote-secret-${other}`,
                    "info Number of remote clusters: 1",
                ]);
                assert.deepStrictEqual(loggedErrors(istiod(own)), []);
            }
        });

        it("each istiod lists a Service of the other cluster only, under that cluster's ID", async () => {
            // helloworld in one cluster only, with an endpoint, as its controllers would leave it.
            const owner = "kubectl-create";
            for (const [own, other] of [
                [west, east],
                [east, west],
            ]) {
                const client = bed(own).client;
                const namespace = `hello-${own}`;
                await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, owner);
                const service = await client.create(
                    {
                        apiVersion: "v1",
                        kind: "Service",
                        metadata: { name: "helloworld", namespace, labels: { app: "helloworld" } },
                        spec: { selector: { app: "helloworld" }, ports: [{ name: "http", port: 5000 }] },
                    },
                    owner,
                );
                await client.create(
                    {
                        apiVersion: "discovery.k8s.io/v1",
                        kind: "EndpointSlice",
                        metadata: {
                            name: "helloworld-1",
                            namespace,
                            labels: { "kubernetes.io/service-name": "helloworld" },
                        },
                        addressType: "IPv4",
                        endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true } }],
                        ports: [{ name: "http", port: 5000, protocol: "TCP" }],
                    } as unknown as KubeObject,
                    owner,
                );
                const hostname = `helloworld.${namespace}.svc.cluster.local`;
                const clusterIP = (service.spec as { clusterIP: string }).clusterIP;
                for (const reader of [other, own]) {
                    const addresses = await poll(
                        () => registryAddresses(istiod(reader), hostname),
                        (found) => Object.keys(found).length > 0,
                    );
                    assert.deepStrictEqual(addresses, { [own]: [clusterIP] }, `istiod ${reader} on ${hostname}`);
                    console.log(`      istiod ${reader}: ${hostname} ${JSON.stringify(addresses)}`);
                }
            }
        });

        it("workload certificates of both clusters chain through their own intermediate to the one root", async () => {
            const root = tls.certificate("mesh-root-cert");
            const spiffeId = "spiffe://cluster.local/ns/default/sa/default";
            for (const name of [east, west]) {
                const client = bed(name).client;
                await ensureServiceAccount(client, "default");
                assert.strictEqual(await publishedRoot(client, ISTIO_NAMESPACE), root, `${name} publishes the root`);
                const chain = await workloadCertificate(client, istiod(name), "default", "default", root);
                assert.deepStrictEqual(chainProblems(chain, root, spiffeId), [], name);
                assert.strictEqual(chain[1]?.trim(), tls.certificate(`mesh-${name}-ca-cert`).trim(), name);
            }
        });

        if (gatewayPorts !== undefined) {
            it("across networks: no network gateway until a LoadBalancer controller gives the east-west gateways addresses, then each istiod knows both", async () => {
                const gateways = async (name: string): Promise<NetworkGateway[]> =>
                    ((await debug<NetworkGateway[] | null>(istiod(name), "networkz")) ?? [])
                        .map(({ Network, Cluster, Addr, Port, HBONEPort }) => ({
                            Network,
                            Cluster,
                            Addr,
                            Port,
                            HBONEPort,
                        }))
                        .sort((a, b) => (a.Cluster < b.Cluster ? -1 : 1));
                // No LoadBalancer controller runs: the gateway Services have no address, so no gateway.
                for (const name of [east, west]) assert.deepStrictEqual(await gateways(name), [], name);
                for (const [i, cluster] of clusters.entries()) {
                    const client = bed(cluster.name).client;
                    const services = await poll(
                        async () => {
                            const reply = await client.raw(
                                "GET",
                                "/api/v1/namespaces/istio-eastwest/services?labelSelector=topology.istio.io%2Fnetwork",
                            );
                            return (JSON.parse(reply.body) as { items?: KubeObject[] }).items ?? [];
                        },
                        (items) => items.length > 0,
                    );
                    assert.deepStrictEqual(
                        services.map((service) => [
                            service.metadata.name,
                            (service.spec as { type: string }).type,
                            service.metadata.labels?.["topology.istio.io/network"],
                        ]),
                        [["istio-eastwestgateway", "LoadBalancer", cluster.network]],
                    );
                    // What the cloud's LoadBalancer controller would write: the address it allocated.
                    const reply = await client.raw(
                        "PATCH",
                        `/api/v1/namespaces/istio-eastwest/services/${services[0].metadata.name}/status`,
                        JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: gatewayAddress(i) }] } } }),
                        "application/merge-patch+json",
                    );
                    assert.strictEqual(reply.status, 200, reply.body);
                }
                const expected = clusters.map((cluster, i) => ({
                    Network: cluster.network as string,
                    Cluster: cluster.name,
                    Addr: gatewayAddress(i),
                    ...gatewayPorts,
                }));
                for (const name of [east, west]) {
                    const known = await poll(
                        () => gateways(name),
                        (list) => list.length === clusters.length,
                    );
                    assert.deepStrictEqual(known, expected, `istiod ${name}`);
                }
            });
        }

        it("a remote secret whose token the other server refuses is not synced, and adds no service", async () => {
            const otherClient = bed(west).client;
            const good = decode(tokens.get(west)?.token);
            const wrong = `${good.slice(0, -4)}${good.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
            const kubeconfig = remoteKubeconfig(
                "ghost",
                urls.get(west) as string,
                Buffer.from(otherClient.ca).toString("base64"),
                wrong,
            );
            const tunnelsBefore = network?.tunnels.length ?? 0;
            await bed(east).client.create(
                {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: {
                        name: "istio-remote-secret-ghost",
                        namespace: ISTIO_NAMESPACE,
                        labels: { "istio/multiCluster": "true" },
                    },
                    stringData: { ghost: kubeconfig },
                },
                "kubectl-create",
            );
            await poll(
                () => clusterz(istiod(east)),
                (list) => list.some((c) => c.id === "ghost"),
            );
            // Long enough for a good token to sync (well under a second above), short of istiod's 30 s timeout.
            await sleep(5_000);
            const status = await clusterz(istiod(east));
            assert.deepStrictEqual(
                status.map((c) => [c.id, c.syncStatus]),
                [
                    [east, "synced"],
                    ["ghost", "syncing"],
                    [west, "synced"],
                ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
            );
            // It reached west's server, which refused the token: not a network failure.
            assert.ok((network?.tunnels.length ?? 0) > tunnelsBefore, "istiod dialled west's address for ghost");
            const services = await debug<RegistryService[]>(istiod(east), "registryz");
            assert.deepStrictEqual(
                services.filter((s) => s.clusterVIPs?.Addresses?.ghost !== undefined).map((s) => s.hostname),
                [],
            );
        });
    });
}

describeMesh("one network, sidecars", [
    { name: "east", address: "192.0.2.1", serviceRange: "127.1.0.0/16" },
    { name: "west", address: "192.0.2.2", serviceRange: "127.2.0.0/16" },
]);

describeMesh(
    "two networks, sidecars",
    [
        { name: "east", address: "192.0.2.1", serviceRange: "127.1.0.0/16", network: "east-net" },
        { name: "west", address: "192.0.2.2", serviceRange: "127.2.0.0/16", network: "west-net" },
    ],
    {},
    { Port: 15443, HBONEPort: 0 },
);

describeMesh(
    "two networks, ambient",
    [
        { name: "east", address: "192.0.2.1", serviceRange: "127.1.0.0/16", network: "east-net" },
        { name: "west", address: "192.0.2.2", serviceRange: "127.2.0.0/16", network: "west-net" },
    ],
    { "istio-mesh:ambient": true },
    { Port: 0, HBONEPort: 15008 },
);
