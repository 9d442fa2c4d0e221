import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KialiOptions, kialiValues } from "./addon-values";
import { childOptions, pinnedChart } from "./chart";
import { ADDON_CHARTS } from "./versions";

export interface KialiArgs extends KialiOptions {
    /** Namespace to run in; the `kiali` Secret with the signing key must be there. */
    namespace: string;
}

/**
 * Kiali, the mesh console. It logs in with a ServiceAccount token (`token` strategy) unless
 * the stack asks for `anonymous`; create it after Prometheus and after its credentials.
 */
export class Kiali extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: KialiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Kiali", name, {}, opts);
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.kiali,
            { release: "kiali", namespace: args.namespace, values: kialiValues(args) },
            childOptions(this, opts),
        );
        this.registerOutputs({ chart: this.chart });
    }
}
