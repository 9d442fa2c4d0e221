import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";

export interface SidecarInjectionArgs {
    /**
     * Existing namespaces whose new pods get an Envoy sidecar.
     * @default ["default"]
     */
    namespaces?: readonly string[];
}

/**
 * Labels existing namespaces `istio-injection=enabled`. Each namespace is read first, so a
 * missing one stops the preview; each label is a server-side-apply patch (NamespacePatch):
 * Pulumi owns only that label, never the namespace, so `pulumi destroy` removes the label
 * and leaves the namespace alone. The label is read by istiod's injection
 * webhook, so create this after the control plane (`dependsOn`). Pods already running
 * get a sidecar only when restarted.
 */
export class SidecarInjection extends pulumi.ComponentResource {
    public readonly namespaces: readonly string[];

    constructor(name: string, args: SidecarInjectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:SidecarInjection", name, {}, opts);
        this.namespaces = [...(args.namespaces ?? ["default"])].sort();
        for (const namespace of this.namespaces) {
            // A patch of a missing namespace would create it (server-side apply), and destroy
            // would leave it behind: read it first, so a typo fails on that read, by name.
            const existing = k8s.core.v1.Namespace.get(`${name}-${namespace}`, namespace, { parent: this });
            new k8s.core.v1.NamespacePatch(
                `${name}-${namespace}`,
                { metadata: { name: existing.metadata.name, labels: { "istio-injection": "enabled" } } },
                childOptions(this, opts),
            );
        }
        this.registerOutputs({ namespaces: this.namespaces });
    }
}
