import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KialiOptions, kialiValues } from "../values/addon-values";
import { KIALI_SERVER_PORT_FORWARD_RULES, KIALI_SERVER_RULES } from "../values/kiali-rights";
import { type ChartLayers, childOptions, pinnedChart } from "../chart";
import { ADDON_CHARTS } from "../versions";
import { mergeValues } from "../values/chart-values";

export interface KialiArgs extends KialiOptions, ChartLayers {
    /** Namespace to run in; the `kiali` Secret with the signing key must be there. */
    namespace: string;
}

/** The ServiceAccount the kiali-server chart runs Kiali as (the release's full name). */
const KIALI_ACCOUNT = "kiali";

/**
 * Kiali, the mesh console. It logs in with a ServiceAccount token (`token` strategy) unless
 * the stack asks for `anonymous`; create it after Prometheus and after its credentials.
 * Its ServiceAccount's rights are ours, not the chart's: read-only, and port-forward only
 * into the mesh's namespace. They exist before Kiali starts, so its cache syncs at once.
 */
export class Kiali extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: KialiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-mesh:addons:Kiali", name, {}, opts);
        const subject = { kind: "ServiceAccount", name: KIALI_ACCOUNT, namespace: args.namespace };
        // Not the chart's names (kiali-viewer): a stack that had the chart's role creates
        // these before the chart's are deleted. A binding may name a role that does not exist
        // yet, so the bindings name theirs as text and wait for nothing: cluster-scoped
        // objects need no namespace, and the namespaced ones wait for what Kiali waits for.
        const viewer = "kiali-server-viewer";
        const portForward = "kiali-server-port-forward";
        const rbac = { apiGroup: "rbac.authorization.k8s.io" };
        new k8s.rbac.v1.ClusterRole(
            `${name}-viewer`,
            { metadata: { name: viewer }, rules: KIALI_SERVER_RULES },
            { parent: this },
        );
        const viewerBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-viewer`,
            {
                metadata: { name: viewer },
                roleRef: { ...rbac, kind: "ClusterRole", name: viewer },
                subjects: [subject],
            },
            { parent: this },
        );
        new k8s.rbac.v1.Role(
            `${name}-port-forward`,
            { metadata: { name: portForward, namespace: args.namespace }, rules: KIALI_SERVER_PORT_FORWARD_RULES },
            childOptions(this, opts),
        );
        const portForwardBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-port-forward`,
            {
                metadata: { name: portForward, namespace: args.namespace },
                roleRef: { ...rbac, kind: "Role", name: portForward },
                subjects: [subject],
            },
            childOptions(this, opts),
        );
        this.chart = pinnedChart(
            name,
            ADDON_CHARTS.kiali,
            {
                release: "kiali",
                namespace: args.namespace,
                values: mergeValues(kialiValues(args), args.workload ?? {}),
                override: args.chartValues,
            },
            childOptions(this, opts, viewerBinding, portForwardBinding),
        );
        this.registerOutputs({ chart: this.chart });
    }
}
