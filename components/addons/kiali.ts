import * as pulumi from "@pulumi/pulumi";
import { KialiOptions, kialiValues } from "../values/addon-values";
import { ChartComponent } from "../chart";
import { ADDON_CHARTS } from "../versions";

export interface KialiArgs extends KialiOptions {
    /** Namespace to run in; the `kiali` Secret with the signing key must be there. */
    namespace: string;
}

/**
 * Kiali, the mesh console. It logs in with a ServiceAccount token (`token` strategy) unless
 * the stack asks for `anonymous`; create it after Prometheus and after its credentials.
 */
export class Kiali extends ChartComponent {
    constructor(name: string, args: KialiArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "istio-mesh:addons:Kiali",
            name,
            ADDON_CHARTS.kiali,
            { release: "kiali", namespace: args.namespace, values: kialiValues(args) },
            opts,
        );
    }
}
