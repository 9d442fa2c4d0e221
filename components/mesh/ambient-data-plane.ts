import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, pinnedChart } from "../chart";
import type { ChartValues } from "../args/chart-values";
import type { AmbientSettings } from "../args/ambient";
import { SizingPlan } from "../sizing/sizing";
import { agentValues } from "../values/ambient-values";
import { istioCharts } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface AmbientDataPlaneArgs {
    /** Namespace of both agents; pass a namespace's output so the charts wait for it. */
    namespace: pulumi.Input<string>;
    /** The platform whose host paths the CNI agent uses. */
    ambient: Pick<AmbientSettings, "platform">;
    /** The release of the istiod the `default` tag points to: both charts follow it. */
    version: string;
    /** That istiod's revision, which ztunnel asks for configuration and certificates. */
    revision: string;
    /** Sizes of ztunnel and the CNI agent, per node. */
    sizing: SizingPlan;
    /**
     * Registry and pull secrets of each agent (values/workload-values.ts), over its values.
     * @default none
     */
    workload?: { readonly cni: Record<string, unknown>; readonly ztunnel: Record<string, unknown> };
    /**
     * The consumer's values for each chart, merged last.
     * @default none
     */
    chartValues?: { cni?: ChartValues; ztunnel?: ChartValues };
}

/**
 * ambient's node agents, in the order of Istio's Helm guide: the CNI agent
 * (`istio-cni-node`), then ztunnel. ztunnel turns Ready only once it reaches istiod and the
 * CNI agent's socket, and Pulumi waits for a DaemonSet to be Ready (10 minutes at most), so
 * it depends on both: on istiod through the component's `dependsOn`, on the CNI chart here.
 * Namespace labels and waypoints wait for ztunnel (`ready`), so `pulumi destroy` removes them
 * before the agents, and no pod is left captured for a ztunnel that is gone. They have no
 * canary: the charts follow the `default` tag's release, and a promotion upgrades them in
 * place, CNI first, then ztunnel, each one node at a time.
 */
export class AmbientDataPlane extends pulumi.ComponentResource {
    public readonly cni: k8s.helm.v4.Chart;
    public readonly ztunnel: k8s.helm.v4.Chart;

    constructor(name: string, args: AmbientDataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:ambient:DataPlane", name, {}, opts);
        const charts = istioCharts(args.version);
        this.cni = pinnedChart(
            `${name}-cni`,
            charts.cni,
            {
                release: "istio-cni",
                namespace: args.namespace,
                values: mergeValues(
                    { ...agentValues("cni", args.ambient, args.sizing, args.revision) },
                    args.workload?.cni ?? {},
                ),
                override: args.chartValues?.cni,
            },
            childOptions(this, opts),
        );
        this.ztunnel = pinnedChart(
            `${name}-ztunnel`,
            charts.ztunnel,
            // istiod trusts the ServiceAccount `ztunnel`, which the chart names from its default `resourceName`.
            {
                release: "ztunnel",
                namespace: args.namespace,
                values: mergeValues(
                    { ...agentValues("ztunnel", args.ambient, args.sizing, args.revision) },
                    args.workload?.ztunnel ?? {},
                ),
                override: args.chartValues?.ztunnel,
            },
            childOptions(this, opts, this.cni),
        );
        this.registerOutputs({ cni: this.cni, ztunnel: this.ztunnel });
    }
}
