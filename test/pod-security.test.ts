import * as assert from "assert";
import { K8sObject, renderStack } from "./support/render";
import { committedStacks } from "./tools/snapshot";

/**
 * What a compromised pod of the mesh starts with, read from every rendered workload: no
 * container may gain privileges or capabilities or run as root, and a pod that never calls
 * the Kubernetes API gets no ServiceAccount token. The mesh's namespaces enforce Pod
 * Security's `baseline` profile, which every rendered pod must pass.
 */

interface Container {
    name: string;
    securityContext?: {
        allowPrivilegeEscalation?: boolean;
        privileged?: boolean;
        runAsNonRoot?: boolean;
        capabilities?: { add?: string[]; drop?: string[] };
    };
    ports?: { hostPort?: number }[];
}

interface PodSpec {
    automountServiceAccountToken?: boolean;
    serviceAccountName?: string;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: { runAsNonRoot?: boolean; sysctls?: { name: string }[] };
    volumes?: { hostPath?: unknown }[];
    containers: Container[];
    initContainers?: Container[];
}

/** Every workload's pod spec among `objects`, by `Kind namespace/name`. */
function pods(objects: readonly K8sObject[]): [string, PodSpec][] {
    return objects
        .filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind))
        .map((o) => [
            `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
            (o.spec as { template: { spec: PodSpec } }).template.spec,
        ]);
}

/** Each container that could gain privileges, keeps a capability or may run as root. */
export function unlockedContainers(objects: readonly K8sObject[]): string[] {
    return pods(objects).flatMap(([pod, spec]) =>
        [...(spec.initContainers ?? []), ...spec.containers].flatMap((container) => {
            const context = container.securityContext ?? {};
            const problems = [
                ...(context.allowPrivilegeEscalation === false ? [] : ["allowPrivilegeEscalation is not false"]),
                ...(context.capabilities?.drop?.includes("ALL") ? [] : ["capabilities do not drop ALL"]),
                ...((context.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true ? [] : ["may run as root"]),
            ];
            return problems.map((problem) => `${pod} ${container.name}: ${problem}`);
        }),
    );
}

/** The sysctls Pod Security's baseline profile allows (Kubernetes 1.34). */
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
/** The capabilities baseline lets a container add. */
const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/** Each way a pod breaks Pod Security's baseline profile (the checks that apply to these charts). */
export function baselineViolations(objects: readonly K8sObject[]): string[] {
    return pods(objects).flatMap(([pod, spec]) => {
        const containers = [...(spec.initContainers ?? []), ...spec.containers];
        return [
            ...(spec.hostNetwork || spec.hostPID || spec.hostIPC ? [`${pod}: host namespaces`] : []),
            ...((spec.volumes ?? []).some((v) => v.hostPath !== undefined) ? [`${pod}: hostPath volume`] : []),
            ...(spec.securityContext?.sysctls ?? [])
                .filter((s) => !SAFE_SYSCTLS.includes(s.name))
                .map((s) => `${pod}: sysctl ${s.name}`),
            ...containers.flatMap((c) => [
                ...(c.securityContext?.privileged ? [`${pod} ${c.name}: privileged`] : []),
                ...(c.securityContext?.capabilities?.add ?? [])
                    .filter((cap) => !BASELINE_CAPABILITIES.includes(cap))
                    .map((cap) => `${pod} ${c.name}: adds ${cap}`),
                ...((c.ports ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0)
                    ? [`${pod} ${c.name}: hostPort`]
                    : []),
            ]),
        ];
    });
}

describe("pod security", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: every container drops its capabilities, cannot escalate and runs as a user`, async () => {
            const objects = (await renderStack(stack)).releases.flatMap((release) => release.objects);
            assert.deepStrictEqual(unlockedContainers(objects), []);
        });

        it(`${stack}: every pod passes Pod Security's baseline, which the mesh's namespaces enforce`, async () => {
            const { run, releases } = await renderStack(stack);
            assert.deepStrictEqual(baselineViolations(releases.flatMap((release) => release.objects)), []);
            const labels = run.registrations
                .filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.readId === undefined)
                .map((r) => [r.name, (r.inputs.metadata as { labels?: Record<string, string> }).labels]);
            const psa = {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            };
            assert.deepStrictEqual(labels, [
                ["mesh-istio-egress", psa],
                ["mesh-istio-ingress", psa],
                ["mesh-istio-system", psa],
            ]);
        });
    }

    it("Grafana and Jaeger, which never call the Kubernetes API, get no ServiceAccount token", async () => {
        const objects = (await renderStack("dev")).releases.flatMap((release) => release.objects);
        const tokenless = (name: string): boolean => {
            const [, spec] = pods(objects).find(([pod]) => pod === `Deployment istio-system/${name}`) ?? [];
            const account = objects.find(
                (o) => o.kind === "ServiceAccount" && o.metadata.name === (spec?.serviceAccountName ?? name),
            ) as { automountServiceAccountToken?: boolean } | undefined;
            return (spec?.automountServiceAccountToken ?? account?.automountServiceAccountToken) === false;
        };
        assert.deepStrictEqual([tokenless("grafana"), tokenless("jaeger")], [true, true]);
    });

    it("the checks name what they find", () => {
        const pod: K8sObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "x", namespace: "n" },
            spec: {
                template: {
                    spec: {
                        hostNetwork: true,
                        securityContext: { sysctls: [{ name: "kernel.msgmax" }] },
                        containers: [
                            { name: "c", securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } } },
                        ],
                    },
                },
            },
        };
        assert.deepStrictEqual(unlockedContainers([pod]), [
            "Deployment n/x c: allowPrivilegeEscalation is not false",
            "Deployment n/x c: capabilities do not drop ALL",
            "Deployment n/x c: may run as root",
        ]);
        assert.deepStrictEqual(baselineViolations([pod]), [
            "Deployment n/x: host namespaces",
            "Deployment n/x: sysctl kernel.msgmax",
            "Deployment n/x c: privileged",
            "Deployment n/x c: adds NET_ADMIN",
        ]);
    });
});
