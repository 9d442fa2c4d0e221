import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { K8sObject } from "../support/render";
import { KubeClient } from "./client";
import { exited, killGroup, killOnExit } from "./control-plane";
import { serviceAccountToken } from "./service-accounts";

/**
 * istiod (pilot-discovery, built by test/tools/build-istio.ts) as a process beside the suite's
 * API server, one per revision a step runs, configured as its rendered Deployment configures its
 * container: the same arguments and environment, its own ServiceAccount's token, its mesh
 * config and injection templates read from the API server as a pod's istiod reads them.
 *
 * How the API server reaches its webhooks: it dials a webhook's Service at its ClusterIP and
 * Service port (`--enable-aggregator-routing=false`), and ClusterIPs come from the loopback
 * range 127.1.0.0/16. Linux routes all of 127.0.0.0/8 to `lo`, so each istiod listens on its
 * own Service's ClusterIP: the webhooks on port 443 (which needs root or
 * CAP_NET_BIND_SERVICE), every other port on the same address. Two revisions never share a
 * port, and nothing listens beyond loopback.
 */

/** The ports istiod's Service exposes and its process binds, on the Service's ClusterIP. */
export const ISTIOD_PORTS = {
    webhook: 443,
    http: 8080,
    grpc: 15010,
    secureGrpc: 15012,
    monitoring: 15014,
    ctrlz: 9876,
};

/** What the rendered Deployment of one revision tells the process. */
export interface IstiodSpec {
    revision: string;
    namespace: string;
    serviceAccount: string;
    /** The `discovery` container's arguments. */
    args: string[];
    /** Its environment, each `valueFrom` resolved as the kubelet would for the pod. */
    env: Record<string, string>;
    /** Its memory request, in bytes: what the sizing table gives it. */
    memoryRequest: number;
    /** The Secrets the pod mounts into the container, which the kubelet would write there before it starts. */
    secretVolumes: SecretVolume[];
    /** A digest of the container and its ConfigMaps: a change restarts istiod, as a rollout would. */
    digest: string;
}

/** A Secret volume mounted into the `discovery` container (the `cacerts` Secret at /etc/cacerts). */
export interface SecretVolume {
    secretName: string;
    mountPath: string;
    /** An optional volume lets the pod start without its Secret: the directory is then empty. */
    optional: boolean;
}

interface Container {
    name: string;
    volumeMounts?: { name: string; mountPath: string }[];
    args?: string[];
    env?: { name: string; value?: string; valueFrom?: Record<string, { fieldPath?: string; resource?: string }> }[];
    resources?: { requests?: { memory?: string }; limits?: { cpu?: string } };
}

/** Bytes in a Kubernetes memory quantity (`256Mi`, `1Gi`, `512M`). */
export function memoryBytes(quantity: string): number {
    const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9, "": 1 };
    const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|)$/.exec(quantity);
    if (match === null) throw new Error(`unreadable memory quantity ${quantity}`);
    return Number(match[1]) * units[match[2]];
}

/** The spec of each istiod Deployment among `objects`, by revision. */
export function istiodSpecs(objects: readonly K8sObject[]): IstiodSpec[] {
    return objects
        .filter((o) => o.kind === "Deployment" && o.metadata.labels?.app === "istiod")
        .map((deployment) => {
            const pod = (
                deployment.spec as {
                    template: {
                        spec: {
                            serviceAccountName: string;
                            containers: Container[];
                            volumes?: { name: string; secret?: { secretName: string; optional?: boolean } }[];
                        };
                    };
                }
            ).template.spec;
            const container = pod.containers.find((c) => c.name === "discovery");
            if (container === undefined) throw new Error(`${deployment.metadata.name} has no discovery container`);
            const revision = deployment.metadata.labels?.["istio.io/rev"] ?? "default";
            const namespace = deployment.metadata.namespace ?? "istio-system";
            const podName = `${deployment.metadata.name}-suite`;
            const env: Record<string, string> = {};
            for (const variable of container.env ?? []) {
                const field = variable.valueFrom?.fieldRef?.fieldPath;
                const resource = variable.valueFrom?.resourceFieldRef?.resource;
                if (variable.value !== undefined) env[variable.name] = variable.value;
                else if (field === "metadata.name") env[variable.name] = podName;
                else if (field === "metadata.namespace") env[variable.name] = namespace;
                else if (field === "spec.serviceAccountName") env[variable.name] = pod.serviceAccountName;
                // GOMAXPROCS from the CPU limit, rounded up, as the divisor 1 gives it.
                else if (resource === "limits.cpu")
                    env[variable.name] = String(cpuCores(container.resources?.limits?.cpu));
                else throw new Error(`${deployment.metadata.name}: cannot resolve env ${variable.name}`);
            }
            const configMaps = objects.filter(
                (o) => o.kind === "ConfigMap" && o.metadata.labels?.["istio.io/rev"] === revision,
            );
            return {
                revision,
                namespace,
                serviceAccount: pod.serviceAccountName,
                args: container.args ?? [],
                env,
                memoryRequest: memoryBytes(container.resources?.requests?.memory ?? "0"),
                secretVolumes: (container.volumeMounts ?? []).flatMap((mount) => {
                    const secret = pod.volumes?.find((volume) => volume.name === mount.name)?.secret;
                    return secret === undefined
                        ? []
                        : [
                              {
                                  secretName: secret.secretName,
                                  mountPath: mount.mountPath,
                                  optional: secret.optional === true,
                              },
                          ];
                }),
                digest: crypto
                    .createHash("sha256")
                    .update(JSON.stringify([container, configMaps]))
                    .digest("hex"),
            };
        });
}

function cpuCores(limit: string | undefined): number {
    if (limit === undefined) return os.cpus().length;
    return Math.max(1, Math.ceil(limit.endsWith("m") ? Number(limit.slice(0, -1)) / 1000 : Number(limit)));
}

const live = new Set<Istiod>();

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A kubeconfig for istiod: the suite's server, its CA, and a token of istiod's own ServiceAccount. */
async function writeKubeconfig(client: KubeClient, spec: IstiodSpec, file: string): Promise<void> {
    const token = await serviceAccountToken(client, spec.namespace, spec.serviceAccount, []);
    const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "suite", cluster: { server: client.server, "certificate-authority-data": b64(client.ca) } }],
        users: [{ name: spec.serviceAccount, user: { token } }],
        contexts: [{ name: "suite", context: { cluster: "suite", user: spec.serviceAccount } }],
        "current-context": "suite",
    };
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
}

const b64 = (text: string): string => Buffer.from(text).toString("base64");

/**
 * Writes each Secret volume's keys under `root` at its mount path, as the kubelet mounts them
 * (istiod's working directory is `root`, as `/` is the pod's, so `./etc/cacerts` finds them).
 */
async function mountSecrets(client: KubeClient, spec: IstiodSpec, root: string): Promise<void> {
    for (const volume of spec.secretVolumes) {
        const secret = await client.get({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: volume.secretName, namespace: spec.namespace },
        });
        if (secret === undefined && !volume.optional) {
            throw new Error(`istiod ${spec.revision}: no Secret ${volume.secretName} to mount, and it is not optional`);
        }
        const dir = path.join(root, volume.mountPath);
        fs.mkdirSync(dir, { recursive: true });
        for (const [key, value] of Object.entries((secret?.data ?? {}) as Record<string, string>)) {
            fs.writeFileSync(path.join(dir, key), Buffer.from(value, "base64"), { mode: 0o600 });
        }
    }
}

export class Istiod {
    private constructor(
        readonly spec: IstiodSpec,
        /** The ClusterIP of Service istiod-<revision>: every port of this istiod listens there. */
        readonly address: string,
        readonly dir: string,
        private readonly child: ChildProcess,
        readonly startedAt: number,
    ) {}

    /**
     * Starts istiod for `spec` on its Service's ClusterIP; resolves once started, not ready.
     * `env` is added to the container's: what the machine, not the Deployment, gives the process.
     */
    static async start(
        binary: string,
        client: KubeClient,
        spec: IstiodSpec,
        env: Record<string, string> = {},
    ): Promise<Istiod> {
        const service = await client.get({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: `istiod-${spec.revision}`, namespace: spec.namespace },
        });
        const address = (service?.spec as { clusterIP?: string } | undefined)?.clusterIP;
        if (address === undefined) throw new Error(`no Service istiod-${spec.revision} to take the address of`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `istiod-${spec.revision}-`));
        const kubeconfig = path.join(dir, "kubeconfig");
        await writeKubeconfig(client, spec, kubeconfig);
        await mountSecrets(client, spec, dir);
        const at = (port: number): string => `${address}:${port}`;
        const args = [
            ...spec.args,
            // Later flags win: every listener on the Service's address instead of every interface.
            `--httpAddr=${at(ISTIOD_PORTS.http)}`,
            `--httpsAddr=${at(ISTIOD_PORTS.webhook)}`,
            `--grpcAddr=${at(ISTIOD_PORTS.grpc)}`,
            `--secureGRPCAddr=${at(ISTIOD_PORTS.secureGrpc)}`,
            `--monitoringAddr=${at(ISTIOD_PORTS.monitoring)}`,
            `--ctrlz_address=${address}`,
            `--kubeconfig=${kubeconfig}`,
        ];
        const log = fs.openSync(path.join(dir, "istiod.log"), "a");
        // Its own directory as the working directory: istiod writes its certificates under ./var and ./etc.
        const child = spawn(binary, args, {
            cwd: dir,
            detached: true,
            stdio: ["ignore", log, log],
            env: { ...spec.env, ...env, KUBECONFIG: kubeconfig },
        });
        fs.closeSync(log);
        const istiod = new Istiod(spec, address, dir, child, Date.now());
        live.add(istiod);
        return istiod;
    }

    /** Waits until /ready answers 200; resolves to the milliseconds since start. */
    async waitReady(timeoutMs = 60_000): Promise<number> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (this.exited()) throw new Error(`istiod ${this.spec.revision} exited:\n${this.logTail()}`);
            if ((await this.httpGet(ISTIOD_PORTS.http, "/ready").catch(() => undefined))?.status === 200) {
                return Date.now() - this.startedAt;
            }
            await sleep(100);
        }
        throw new Error(`istiod ${this.spec.revision} not ready in ${timeoutMs / 1000} s:\n${this.logTail()}`);
    }

    /** One plain HTTP GET to a port of this istiod. */
    httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
        return new Promise((resolve, reject) => {
            const request = http.get(
                { host: this.address, port, path: urlPath, timeout: 5_000, agent: false },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk: Buffer) => chunks.push(chunk));
                    res.on("end", () =>
                        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
                    );
                    res.on("error", reject);
                },
            );
            request.on("timeout", () => request.destroy(new Error(`GET ${urlPath} timed out`)));
            request.on("error", reject);
        });
    }

    /** Resident memory now, in bytes (VmRSS of /proc/<pid>/status). */
    residentMemory(): number {
        const status = fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8");
        const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
        if (kib === undefined) throw new Error(`no VmRSS for istiod ${this.spec.revision}`);
        return Number(kib) * 1024;
    }

    /** Everything istiod logged so far. */
    log(): string {
        const file = path.join(this.dir, "istiod.log");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    logTail(lines = 20): string {
        return this.log().split("\n").slice(-lines).join("\n");
    }

    exited(): boolean {
        return this.child.exitCode !== null || this.child.signalCode !== null;
    }

    /** SIGTERM to its process group, SIGKILL after 10 s; then checks that none of its ports is still bound. */
    async stop(): Promise<void> {
        live.delete(this);
        killGroup(this.child, "SIGTERM");
        if (!(await exited(this.child, 10_000))) {
            killGroup(this.child, "SIGKILL");
            await exited(this.child, 5_000);
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
        const bound = await boundPorts(this.address, Object.values(ISTIOD_PORTS));
        if (bound.length > 0)
            throw new Error(`istiod ${this.spec.revision} stopped, but ${bound.join(", ")} still bound`);
    }

    /** Synchronous last resort for process exit. */
    killNow(): void {
        killGroup(this.child, "SIGKILL");
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The `address:port`s among `ports` that something still listens on. */
export async function boundPorts(address: string, ports: readonly number[]): Promise<string[]> {
    const bound: string[] = [];
    for (const port of ports) {
        const free = await new Promise<boolean>((resolve) => {
            const server = net.createServer();
            server.once("error", () => resolve(false));
            server.listen(port, address, () => server.close(() => resolve(true)));
        });
        if (!free) bound.push(`${address}:${port}`);
    }
    return bound;
}

/** Stops every istiod still running: the suite's root `afterAll`. */
export async function stopAllIstiods(): Promise<void> {
    await Promise.all([...live].map((istiod) => istiod.stop()));
}

// A crash, an interrupt or a failing hook must not leave an istiod behind.
killOnExit(() => [...live].forEach((istiod) => istiod.killNow()));
