import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";

export interface MeshTracingArgs {
    /**
     * Istio's root namespace: a Telemetry resource there applies to the whole mesh. Text, not
     * the namespace's output; the component waits for the namespace through its `dependsOn`.
     */
    rootNamespace: string;
    /** Name of istiod's `meshConfig.extensionProviders` entry that receives the spans. */
    provider: string;
    /**
     * Percentage of requests traced, 0 to 100.
     * @default 1
     */
    samplingPercentage?: number;
}

/**
 * Mesh-wide tracing: a `Telemetry` resource that sends spans to the named provider. It is
 * validated by istiod's webhook, so create it after the control plane (`dependsOn`).
 */
export class MeshTracing extends pulumi.ComponentResource {
    constructor(name: string, args: MeshTracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:telemetry:MeshTracing", name, {}, opts);
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                metadata: { name: "mesh-default", namespace: args.rootNamespace },
                spec: {
                    tracing: [
                        {
                            providers: [{ name: args.provider }],
                            randomSamplingPercentage: args.samplingPercentage ?? 1,
                        },
                    ],
                },
            },
            childOptions(this, opts),
        );
        this.registerOutputs({});
    }
}
