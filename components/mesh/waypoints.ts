import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../chart";
import { waypointGateway } from "../values/ambient-values";

export interface WaypointsArgs {
    /**
     * Ambient namespaces that each get a waypoint named `waypoint`.
     * @default []
     */
    namespaces?: readonly string[];
}

/**
 * One waypoint per namespace: a Gateway API `Gateway` of class `istio-waypoint`, which the
 * istiod of the `default` tag runs as an Envoy Deployment in that namespace for L7 policy
 * and telemetry. The namespace label that sends its traffic through the waypoint
 * (`istio.io/use-waypoint`) is set after it (SidecarInjection depends on this), so no
 * traffic is sent to a waypoint that does not exist yet, and is removed before it.
 */
export class Waypoints extends pulumi.ComponentResource {
    public readonly namespaces: readonly string[];

    constructor(name: string, args: WaypointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:ambient:Waypoints", name, {}, opts);
        this.namespaces = [...(args.namespaces ?? [])].sort();
        for (const namespace of this.namespaces) {
            new k8s.apiextensions.CustomResource(
                `${name}-${namespace}`,
                waypointGateway(namespace) as k8s.apiextensions.CustomResourceArgs,
                childOptions(this, opts),
            );
        }
        this.registerOutputs({ namespaces: this.namespaces });
    }
}
