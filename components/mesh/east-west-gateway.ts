import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ChartLayers, childOptions, pinnedChart } from "../chart";
import type { MembershipSettings } from "../args/membership";
import { SizingPlan, toResources } from "../sizing/sizing";
import { mergeValues } from "../values/chart-values";
import {
    ambientEastWestGateway,
    EAST_WEST_GATEWAY,
    eastWestGatewayValues,
    exposeServicesGateway,
} from "../values/multi-cluster-values";
import { istioCharts } from "../versions";

export interface EastWestGatewayArgs extends ChartLayers {
    /** Its own namespace; pass the namespace's output so it waits for it. */
    namespace: pulumi.Input<string>;
    /** The namespace's name, for the routes. */
    namespaceName: string;
    membership: MembershipSettings;
    /** With ambient, a Gateway of class `istio-east-west` taking HBONE; else the gateway chart on 15443. */
    ambient: boolean;
    /** The release of the `default` tag's istiod, which injects its proxy. */
    version: string;
    revision: string;
    sizing: SizingPlan;
}

/**
 * The east-west gateway of a cluster in a mesh that spans networks: the other networks reach
 * this cluster's services through it, with the mesh's mutual TLS passed through by SNI, so it
 * holds no key and admits only peers of the mesh's root. With sidecars, Istio's gateway chart
 * as a network gateway and the `cross-network-gateway` that exposes `*.local` on 15443; with
 * ambient, a Gateway of class `istio-east-west` that istiod runs, taking HBONE on 15008.
 */
export class EastWestGateway extends pulumi.ComponentResource {
    constructor(name: string, args: EastWestGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:multicluster:EastWestGateway", name, {}, opts);
        if (args.ambient) {
            const gateway = ambientEastWestGateway(args.namespaceName, args.membership.network);
            new k8s.apiextensions.CustomResource(
                `${name}-gateway`,
                // The namespace's output, so that the Gateway waits for its namespace.
                {
                    ...gateway,
                    metadata: { ...(gateway.metadata as object), namespace: args.namespace },
                } as k8s.apiextensions.CustomResourceArgs,
                childOptions(this, opts),
            );
        } else {
            const chart = pinnedChart(
                name,
                istioCharts(args.version).gateway,
                {
                    release: EAST_WEST_GATEWAY,
                    namespace: args.namespace,
                    values: mergeValues(
                        {
                            ...eastWestGatewayValues(args.membership),
                            revision: args.revision,
                            resources: toResources(args.sizing.sizes.ingressGateway),
                        },
                        args.workload ?? {},
                    ),
                    override: args.chartValues,
                },
                childOptions(this, opts),
            );
            new k8s.apiextensions.CustomResource(
                `${name}-cross-network`,
                exposeServicesGateway(args.namespaceName) as k8s.apiextensions.CustomResourceArgs,
                childOptions(this, opts, chart),
            );
        }
        this.registerOutputs({});
    }
}
