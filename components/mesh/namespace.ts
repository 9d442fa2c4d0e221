import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ISTIO_NAMESPACE } from "../values/istio-values";

/**
 * Pod Security Admission: the mesh's pods pass `baseline` (no privilege, host namespace,
 * hostPath or unsafe sysctl), which is enforced; `restricted` is only warned about and
 * audited, since istiod's and the gateways' charts set no seccomp profile.
 */
const POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
};

/**
 * ambient's node agents need what `baseline` refuses (NET_ADMIN, SYS_ADMIN, host paths):
 * their namespace is `privileged`, and holds nothing else.
 */
const PRIVILEGED = { "pod-security.kubernetes.io/enforce": "privileged" };

export interface MeshNamespaceArgs {
    /**
     * Name of the namespace the control plane, gateways and add-ons live in.
     * @default "istio-system"
     */
    name?: string;
    /**
     * Whether its pods may run with host privileges: only for ambient's node agents.
     * @default false (`baseline` enforced)
     */
    privileged?: boolean;
}

/**
 * A namespace the mesh owns: `istio-system`, where the control plane and add-ons live, or a
 * gateway's own. `pulumi destroy` keeps it (`retainOnDelete`), as `istioctl uninstall` and
 * Istio's Helm guide do: it holds what nobody can recreate, istiod's root CA
 * (`istio-ca-secret` in istio-system, whose loss breaks STRICT mTLS for every workload
 * holding a certificate from it), the dashboard TLS Secret (the ingress gateway's), and
 * whatever else a user put there.
 */
export class MeshNamespace extends pulumi.ComponentResource {
    /** The namespace's name, known once it exists: depend on it through this output. */
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: MeshNamespaceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:Namespace", name, args, opts);
        const namespace = new k8s.core.v1.Namespace(
            name,
            { metadata: { name: args.name ?? ISTIO_NAMESPACE, labels: args.privileged ? PRIVILEGED : POD_SECURITY } },
            { parent: this, retainOnDelete: true },
        );
        this.name = namespace.metadata.name;
        this.registerOutputs({ name: this.name });
    }
}
