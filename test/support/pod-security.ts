import type { K8sObject } from "./render";

/**
 * Pod Security's checks over rendered or registered workloads, each returning one line per
 * violation naming the pod, the container and what breaks the profile.
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
export function pods(objects: readonly K8sObject[]): [string, PodSpec][] {
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

/** The volume types Pod Security's `restricted` profile allows. */
const RESTRICTED_VOLUMES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/**
 * Each way a pod breaks Pod Security's `restricted` profile beyond `baseline`: a container that
 * may escalate, keeps a capability or runs as root, no RuntimeDefault or Localhost seccomp
 * profile, or a volume of another type.
 */
export function restrictedViolations(objects: readonly K8sObject[]): string[] {
    const seccomp = (context: unknown): string | undefined =>
        (context as { seccompProfile?: { type?: string } } | undefined)?.seccompProfile?.type;
    return [
        ...baselineViolations(objects),
        ...unlockedContainers(objects),
        ...pods(objects).flatMap(([pod, spec]) => [
            ...[...(spec.initContainers ?? []), ...spec.containers]
                .filter(
                    (c) =>
                        !["RuntimeDefault", "Localhost"].includes(
                            seccomp(c.securityContext) ?? seccomp(spec.securityContext) ?? "",
                        ),
                )
                .map((c) => `${pod} ${c.name}: no RuntimeDefault seccomp profile`),
            ...((spec.volumes ?? []) as Record<string, unknown>[])
                .filter((volume) => !Object.keys(volume).some((key) => RESTRICTED_VOLUMES.includes(key)))
                .map((volume) => `${pod}: volume ${String(volume.name)} of a type restricted refuses`),
        ]),
    ];
}
