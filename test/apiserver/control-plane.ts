import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ControlPlaneBinaries } from "../tools/build-apiserver";
import { KubeClient } from "./client";

/**
 * etcd and kube-apiserver on 127.0.0.1, in a temporary directory, for one group of tests:
 * nothing listens beyond loopback and nothing is dialled beyond it. Every secret (serving
 * certificate, client token, service-account key) is made for this run and removed with it.
 * A control plane that the tests forget is still stopped when the process exits.
 */

/** What the suite's client presents: a static token of a `system:masters` user, so RBAC admits everything. */
const ADMIN_USER = "apiserver-suite-admin";

/**
 * Admission plugins off on top of the defaults. Both webhook plugins call the Services that
 * webhook configurations name, and here no Service has a backend (no kubelet, no pods): with
 * them on, every Istio object would fail on istiod's validating webhook. In-process admission
 * (CRD schemas and CEL rules, ValidatingAdmissionPolicy, NamespaceLifecycle) stays on.
 */
const DISABLED_ADMISSION = ["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"];

/**
 * Service IPs come from a loopback range: the API server only stores them, but should
 * anything in it ever dial a Service (an aggregated APIService), it stays on this machine.
 */
const SERVICE_RANGE = "127.1.0.0/16";

const live = new Set<ControlPlane>();

/** A port nothing listens on now, on 127.0.0.1. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts `binary` as the leader of its own process group, so that stopping it stops its children too. */
function startProcess(binary: string, args: string[], logFile: string): ChildProcess {
    const log = fs.openSync(logFile, "a");
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    return child;
}

/** Sends `signal` to the process group `child` leads, unless it has exited. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        // Already gone.
    }
}

/** Whether `child` exits within `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

export interface ControlPlaneOptions {
    /**
     * Admission webhooks on, for a bed where istiod serves them (test/apiserver/istiod.ts):
     * webhooks dial their Service's ClusterIP, in the loopback range, where istiod listens.
     */
    admissionWebhooks?: boolean;
    /**
     * The address the server advertises and puts in its serving certificate beside 127.0.0.1:
     * what another cluster's kubeconfig names (test/apiserver/cluster-network.ts carries it to
     * 127.0.0.1). It still listens on 127.0.0.1 only.
     * @default 127.0.0.1
     */
    advertiseAddress?: string;
    /**
     * The Service range, inside the loopback range: two control planes whose istiods listen on
     * their Services' ClusterIPs side by side take ranges of their own, so no two share one.
     * @default 127.1.0.0/16
     */
    serviceRange?: string;
}

export class ControlPlane {
    private constructor(
        readonly dir: string,
        readonly client: KubeClient,
        private readonly processes: ChildProcess[],
    ) {}

    /** Starts etcd, then kube-apiserver on it; resolves once /readyz answers ok. */
    static async start(binaries: ControlPlaneBinaries, options: ControlPlaneOptions = {}): Promise<ControlPlane> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apiserver-suite-"));
        const processes: ChildProcess[] = [];
        const token = crypto.randomBytes(24).toString("hex");
        let plane: ControlPlane | undefined;
        try {
            const [etcdClient, etcdPeer, apiserverPort] = [await freePort(), await freePort(), await freePort()];
            processes.push(startEtcd(binaries.etcd, dir, etcdClient, etcdPeer));
            processes.push(startApiserver(binaries.kubeApiserver, dir, etcdClient, apiserverPort, token, options));
            const certFile = path.join(dir, "certs", "apiserver.crt");
            const client = await waitForCertificate(certFile, processes).then(
                (ca) => new KubeClient(`https://127.0.0.1:${apiserverPort}`, ca, token),
            );
            plane = new ControlPlane(dir, client, processes);
            live.add(plane);
            await plane.waitReady();
            return plane;
        } catch (error) {
            if (plane !== undefined) await plane.stop();
            else {
                processes.forEach((child) => killGroup(child, "SIGKILL"));
                fs.rmSync(dir, { recursive: true, force: true });
            }
            throw new Error(`${(error as Error).message}\n${tailOfLogs(dir)}`);
        }
    }

    private async waitReady(): Promise<void> {
        const deadline = Date.now() + 90_000;
        let last = "";
        while (Date.now() < deadline) {
            const dead = this.processes.find((child) => child.exitCode !== null || child.signalCode !== null);
            if (dead !== undefined) throw new Error(`${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode})`);
            try {
                const reply = await this.client.raw("GET", "/readyz");
                if (reply.status === 200) return;
                last = `${reply.status} ${reply.body}`;
            } catch (error) {
                last = (error as Error).message;
            }
            await sleep(250);
        }
        throw new Error(`kube-apiserver not ready after 90 s: ${last}`);
    }

    /** Stops both processes (SIGTERM, then SIGKILL after 10 s) and removes the directory. */
    async stop(): Promise<void> {
        live.delete(this);
        for (const child of [...this.processes].reverse()) {
            killGroup(child, "SIGTERM");
            if (!(await exited(child, 10_000))) {
                killGroup(child, "SIGKILL");
                await exited(child, 5_000);
            }
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** The RSA key the server signs and checks ServiceAccount tokens with, as the controller-manager's token controller has it. */
    get serviceAccountKeyFile(): string {
        return path.join(this.dir, "service-account.key");
    }

    /** The last lines each process logged: what a failed start or a refusal may need. */
    logs(): string {
        return tailOfLogs(this.dir);
    }

    /** Synchronous last resort for process exit: no awaiting is possible there. */
    killNow(): void {
        this.processes.forEach((child) => killGroup(child, "SIGKILL"));
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function startEtcd(binary: string, dir: string, clientPort: number, peerPort: number): ChildProcess {
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    return startProcess(
        binary,
        [
            "--name=suite",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=${client}`,
            `--advertise-client-urls=${client}`,
            `--listen-peer-urls=${peer}`,
            `--initial-advertise-peer-urls=${peer}`,
            `--initial-cluster=suite=${peer}`,
            "--initial-cluster-state=new",
            // A throwaway store: durability buys nothing and costs every write an fsync.
            "--unsafe-no-fsync",
            "--log-level=warn",
        ],
        path.join(dir, "etcd.log"),
    );
}

function startApiserver(
    binary: string,
    dir: string,
    etcdPort: number,
    port: number,
    token: string,
    options: ControlPlaneOptions,
): ChildProcess {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const serviceAccountKey = path.join(dir, "service-account.key");
    fs.writeFileSync(serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const tokens = path.join(dir, "tokens.csv");
    fs.writeFileSync(tokens, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
    return startProcess(
        binary,
        [
            `--etcd-servers=http://127.0.0.1:${etcdPort}`,
            "--bind-address=127.0.0.1",
            `--advertise-address=${options.advertiseAddress ?? "127.0.0.1"}`,
            `--secure-port=${port}`,
            // No --tls-cert-file: the server makes a self-signed pair here, and the client trusts its CA.
            `--cert-dir=${path.join(dir, "certs")}`,
            `--token-auth-file=${tokens}`,
            "--authorization-mode=RBAC",
            `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
            `--service-account-key-file=${serviceAccountKey}`,
            `--service-account-signing-key-file=${serviceAccountKey}`,
            `--service-cluster-ip-range=${options.serviceRange ?? SERVICE_RANGE}`,
            ...(options.admissionWebhooks ? [] : [`--disable-admission-plugins=${DISABLED_ADMISSION.join(",")}`]),
            // Aggregated APIs are reached through their Service's IP, never an endpoint's.
            "--enable-aggregator-routing=false",
            // No kubernetes Service endpoints to keep: nothing in the suite reads them.
            "--endpoint-reconciler-type=none",
            "--profiling=false",
            "--v=1",
        ],
        path.join(dir, "kube-apiserver.log"),
    );
}

/** The CA of the certificate the server generated: the last PEM block of its file. */
async function waitForCertificate(file: string, processes: ChildProcess[]): Promise<string> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (processes.some((child) => child.exitCode !== null || child.signalCode !== null)) {
            throw new Error("a control plane process exited during startup");
        }
        if (fs.existsSync(file)) {
            const blocks = fs
                .readFileSync(file, "utf8")
                .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
            if (blocks !== null && blocks.length > 0) return blocks[blocks.length - 1];
        }
        await sleep(100);
    }
    throw new Error(`kube-apiserver wrote no serving certificate to ${file} in 60 s`);
}

function tailOfLogs(dir: string): string {
    return ["etcd.log", "kube-apiserver.log"]
        .map((name) => path.join(dir, name))
        .filter((file) => fs.existsSync(file))
        .map(
            (file) =>
                `--- ${path.basename(file)} (last lines)\n${fs.readFileSync(file, "utf8").split("\n").slice(-15).join("\n")}`,
        )
        .join("\n");
}

/** Stops every control plane still running: the suite's `afterAll`. */
export async function stopAll(): Promise<void> {
    await Promise.all([...live].map((plane) => plane.stop()));
}

/** Runs `killAll` (synchronous: nothing can be awaited there) when the process exits or is interrupted. */
export function killOnExit(killAll: () => void): void {
    process.once("exit", killAll);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            killAll();
            process.exit(128 + os.constants.signals[signal]);
        });
    }
}

// A crash, an interrupt or a failing hook must not leave processes or directories behind.
killOnExit(() => [...live].forEach((plane) => plane.killNow()));
