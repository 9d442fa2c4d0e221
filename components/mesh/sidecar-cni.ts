import * as pulumi from "@pulumi/pulumi";
import { type ChartLayers, ChartComponent } from "../chart";
import { SizingPlan } from "../sizing/sizing";
import { sidecarCniValues } from "../values/ambient-values";
import { mergeValues } from "../values/chart-values";
import { istioCharts } from "../versions";

export interface SidecarCniArgs extends ChartLayers {
    /** Where the agent runs: kube-system, the only namespace OpenShift admits privileged node agents in. */
    namespace: pulumi.Input<string>;
    /** The platform whose paths and CNI provider it uses. */
    platform: "openshift";
    /** The release of the istiod the `default` tag points to, which it follows. */
    version: string;
    /** That istiod's revision. */
    revision: string;
    /** Its size, per node. */
    sizing: SizingPlan;
}

/**
 * The CNI agent (`istio-cni-node`) of a sidecar mesh, where pods may not redirect their own
 * traffic: on OpenShift the agent does it for every injected pod, and istiod injects no
 * `istio-init`. Pods started before it is ready would have no redirection, so the namespace
 * labels and the gateways wait for it, as they wait for ztunnel with ambient.
 */
export class SidecarCni extends ChartComponent {
    constructor(name: string, args: SidecarCniArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "istio-mesh:core:SidecarCni",
            name,
            istioCharts(args.version).cni,
            {
                release: "istio-cni",
                namespace: args.namespace,
                values: mergeValues(
                    { ...sidecarCniValues(args.platform, args.sizing, args.revision) },
                    args.workload ?? {},
                ),
                override: args.chartValues,
            },
            opts,
        );
    }
}
