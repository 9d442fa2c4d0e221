import * as pulumi from "@pulumi/pulumi";
import { ChartComponent } from "../chart";
import type { ChartValues } from "../args/chart-values";
import { ControlPlaneRevision, istiodName } from "../args/revisions";
import { istiodValues, TracingProvider } from "../values/istio-values";
import { SizingPlan } from "../sizing/sizing";
import { istioCharts } from "../versions";
import { mergeValues } from "../values/chart-values";
import type { AmbientSettings } from "../args/ambient";

export interface IstioControlPlaneArgs {
    /** Namespace of the control plane; pass the namespace's output so the chart waits for it. */
    namespace: pulumi.Input<string>;
    /**
     * The Istio version this istiod runs, the revision its objects are named from, and the
     * older minor whose behaviour it keeps while an istiod of that minor still runs.
     */
    istiod: ControlPlaneRevision & { compatibilityVersion?: string };
    /** Sizes of istiod and of the sidecar default, from the sizing module. */
    sizing: SizingPlan;
    /**
     * Tracing backends istiod may send spans to.
     * @default [] (no tracing provider)
     */
    tracing?: readonly TracingProvider[];
    /**
     * The ambient data plane, if any: istiod runs Istio's ambient profile and trusts ztunnel
     * in its namespace. Not given to the istiod of before revisions, whose values stay.
     * @default undefined (sidecars only)
     */
    ambient?: Pick<AmbientSettings, "platform" | "agentNamespace">;
    /**
     * The CNI agent of a sidecar mesh, if any: istiod's platform profile then injects no
     * `istio-init`. Not given to the istiod of before revisions, whose values stay.
     * @default undefined (each pod redirects its own traffic)
     */
    sidecarCni?: { readonly platform: "openshift" };
    /**
     * Registry, pull secrets and placement (values/workload-values.ts), over its values. Not
     * given to the istiod of before revisions, whose values stay.
     * @default none
     */
    workload?: Record<string, unknown>;
    /**
     * The consumer's values for istiod, merged last; every revision gets the same.
     * @default none
     */
    chartValues?: ChartValues;
}

/**
 * One istiod revision: the control plane, its own injection webhook (pods and namespaces
 * labelled `istio.io/rev=<revision>`) and validation webhook. The Helm release is
 * `istiod-<revision>` and every object it renders carries the revision in its name, so
 * revisions are added and removed whole and never rename one another's objects. Which
 * namespaces it serves through a tag is up to RevisionTags. The istiod of before revisions
 * (no revision) keeps its release `istiod` and serves only the proxies it already started.
 */
export class IstioControlPlane extends ChartComponent {
    constructor(name: string, args: IstioControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        const { version, revision } = args.istiod;
        const ambient = revision === undefined ? undefined : args.ambient;
        const values = mergeValues(
            {
                ...istiodValues(
                    args.istiod,
                    args.sizing,
                    args.tracing,
                    ambient,
                    revision === undefined ? undefined : args.sidecarCni,
                ),
            },
            (revision !== undefined && args.workload) || {},
        );
        super(
            "istio-mesh:core:ControlPlane",
            name,
            istioCharts(version).istiod,
            { release: istiodName(revision), namespace: args.namespace, values, override: args.chartValues },
            opts,
        );
    }
}
