import * as pulumi from "@pulumi/pulumi";
import { ChartComponent } from "../chart";
import type { ChartValues } from "../args/chart-values";
import { SizingPlan } from "../sizing/sizing";
import { sidecarCniValues } from "../values/ambient-values";
import { mergeValues } from "../values/chart-values";
import { istioCharts } from "../versions";

export interface SidecarCniArgs {
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
    /**
     * Registry and pull secrets (values/workload-values.ts), over its values.
     * @default none
     */
    workload?: Record<string, unknown>;
    /**
     * The consumer's values for the `cni` chart, merged last.
     * @default none
     */
    chartValues?: ChartValues;
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
