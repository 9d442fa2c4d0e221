import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ChartLayers, childOptions, pinnedChart } from "../chart";
import { GATEWAY_NAMES, GatewayRole, gatewayValues, IngressService } from "../values/istio-values";
import { SizingPlan } from "../sizing/sizing";
import { istioCharts } from "../versions";
import { mergeValues } from "../values/chart-values";

const DEFAULT_INGRESS_SERVICE: IngressService = {
    type: "LoadBalancer",
    awaitAddress: false,
    externalTrafficPolicy: "Local",
};

export interface IstioGatewayArgs extends ChartLayers {
    /** Namespace the gateway runs in; pass the namespace's output so the chart waits for it. */
    namespace: pulumi.Input<string>;
    /** Istio release of the gateway chart: the default revision's. */
    version: string;
    /** The revision whose istiod injects the gateway's proxy: the one the `default` tag points to. */
    revision: string;
    /** `ingress` (`istio-ingressgateway`) or `egress` (`istio-egressgateway`). */
    role: GatewayRole;
    /**
     * How the ingress gateway's Service is exposed; ignored for egress, which is always ClusterIP.
     * @default a LoadBalancer that keeps client addresses, not waited for
     */
    service?: IngressService;
    /** Replicas, autoscaling and resources, from the sizing module. */
    sizing: SizingPlan;
}

/**
 * An Istio gateway (the `gateway` chart). Its pods get their proxy from the webhook of the
 * revision they are labelled with, so create it after that control plane (`dependsOn`); a
 * new revision rolls them, since the label is in their pod template.
 */
export class IstioGateway extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    /** The gateway's Service name, e.g. `istio-ingressgateway`. */
    public readonly serviceName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    /**
     * The address its LoadBalancer Service got (IP or host name), or "" while it has none.
     * Known at the end of `pulumi up` only when `service.awaitAddress` made Pulumi wait for
     * it; NodePort and ClusterIP never get one.
     */
    public readonly address: pulumi.Output<string>;

    constructor(name: string, args: IstioGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:core:Gateway", name, {}, opts);
        const release = GATEWAY_NAMES[args.role];
        this.chart = pinnedChart(
            name,
            istioCharts(args.version).gateway,
            {
                release,
                namespace: args.namespace,
                values: mergeValues(
                    {
                        ...gatewayValues(
                            args.role,
                            args.service ?? DEFAULT_INGRESS_SERVICE,
                            args.sizing,
                            args.revision,
                        ),
                    },
                    args.workload ?? {},
                ),
                override: args.chartValues,
            },
            childOptions(this, opts),
        );
        this.serviceName = pulumi.output(release);
        this.namespace = pulumi.output(args.namespace);
        this.address = this.chart.resources.apply((resources): pulumi.Output<string> => {
            // The gateway chart renders exactly one Service: the gateway's own.
            const service = resources.find((resource) => k8s.core.v1.Service.isInstance(resource)) as
                | k8s.core.v1.Service
                | undefined;
            if (!service) {
                return pulumi.output("");
            }
            return service.status.loadBalancer.ingress.apply(
                (ingress) => ingress?.[0]?.ip ?? ingress?.[0]?.hostname ?? "",
            );
        });
        this.registerOutputs({
            chart: this.chart,
            serviceName: this.serviceName,
            namespace: this.namespace,
            address: this.address,
        });
    }
}
