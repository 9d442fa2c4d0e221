import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";
import type { MtlsMode } from "../args/choices";

export interface MeshMtlsArgs {
    /**
     * Istio's root namespace: a policy there applies to the whole mesh. Text, not the
     * namespace's output, so that the policy pack reads it in every preview; the component
     * waits for the namespace through its `dependsOn`.
     */
    rootNamespace: string;
    /**
     * `STRICT` admits only mutual-TLS traffic between workloads; `PERMISSIVE` also admits
     * plain text, for a migration.
     * @default "STRICT"
     */
    mode?: MtlsMode;
}

/**
 * Mesh-wide mutual TLS: a PeerAuthentication named `default` in the root namespace. It is
 * validated by istiod's webhook, so create it after the control plane (`dependsOn`).
 */
export class MeshMtls extends pulumi.ComponentResource {
    public readonly mode: MtlsMode;

    constructor(name: string, args: MeshMtlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:security:MeshMtls", name, {}, opts);
        this.mode = args.mode ?? "STRICT";
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: { name: "default", namespace: args.rootNamespace },
                spec: { mtls: { mode: this.mode } },
            },
            childOptions(this, opts),
        );
        this.registerOutputs({ mode: this.mode });
    }
}
