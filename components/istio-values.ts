import { IngressServiceType } from "./config";
import { SizingPlan, toResources } from "./sizing";

/**
 * Pure functions from settings to the values of Istio's `base`, `istiod` and `gateway`
 * charts. Only the keys we set are typed; every key exists in the chart version pinned in
 * versions.ts (checked by test/chart-keys.test.ts).
 */

type Resources = ReturnType<typeof toResources>;

/**
 * Chart v4 renders every update as a fresh install, where the chart would leave the
 * validating webhook at `Ignore` until istiod patches it to `Fail`: each preview would
 * flip it back (istio/istio#44285). Pinning `Fail` keeps the preview quiet.
 */
const VALIDATION = { validationFailurePolicy: "Fail" } as const;

export interface BaseValues {
    base: typeof VALIDATION;
}

export function baseValues(): BaseValues {
    return { base: VALIDATION };
}

/** One tracing backend istiod may send spans to (`meshConfig.extensionProviders`). */
export interface TracingProvider {
    name: string;
    opentelemetry: { service: string; port: number };
}

export interface IstiodValues {
    base: typeof VALIDATION;
    replicaCount: number;
    autoscaleEnabled: boolean;
    autoscaleMin?: number;
    autoscaleMax?: number;
    resources: Resources;
    global: {
        defaultPodDisruptionBudget: { enabled: boolean };
        proxy: { resources: Resources };
    };
    meshConfig: {
        accessLogFile: string;
        extensionProviders?: TracingProvider[];
    };
}

export function istiodValues(plan: SizingPlan, tracing: readonly TracingProvider[] = []): IstiodValues {
    const controlPlane = plan.scaling.istiod;
    return {
        base: VALIDATION,
        replicaCount: controlPlane.replicas,
        autoscaleEnabled: controlPlane.autoscale !== undefined,
        ...(controlPlane.autoscale && { autoscaleMin: controlPlane.autoscale.min, autoscaleMax: controlPlane.autoscale.max }),
        resources: toResources(plan.sizes.istiod),
        global: {
            // A budget of minAvailable 1 over a single replica would block every node drain.
            defaultPodDisruptionBudget: { enabled: controlPlane.podDisruptionBudget },
            proxy: { resources: toResources(plan.sizes.proxy) },
        },
        meshConfig: {
            accessLogFile: "/dev/stdout",
            ...(tracing.length > 0 && { extensionProviders: [...tracing] }),
        },
    };
}

export type GatewayRole = "ingress" | "egress";

export interface GatewayValues {
    labels: { istio: string };
    service: { type: string };
    resources: Resources;
    replicaCount: number;
    autoscaling: { enabled: boolean; minReplicas?: number; maxReplicas?: number };
    podDisruptionBudget: { minAvailable?: number };
}

/** The Kubernetes name of each gateway: the names the Istio samples and docs use. */
export const GATEWAY_NAMES: Readonly<Record<GatewayRole, string>> = {
    ingress: "istio-ingressgateway",
    egress: "istio-egressgateway",
};

/** @param serviceType the ingress Service type; the egress gateway is always cluster-internal */
export function gatewayValues(role: GatewayRole, serviceType: IngressServiceType, plan: SizingPlan): GatewayValues {
    const scaling = plan.scaling[role === "ingress" ? "ingressGateway" : "egressGateway"];
    return {
        // Samples select `istio: ingressgateway`; set it outright rather than rely on the
        // chart deriving it from the release name.
        labels: { istio: GATEWAY_NAMES[role].replace(/^istio-/, "") },
        service: { type: role === "ingress" ? serviceType : "ClusterIP" },
        resources: toResources(role === "ingress" ? plan.sizes.ingressGateway : plan.sizes.egressGateway),
        replicaCount: scaling.replicas,
        autoscaling: scaling.autoscale
            ? { enabled: true, minReplicas: scaling.autoscale.min, maxReplicas: scaling.autoscale.max }
            : { enabled: false },
        podDisruptionBudget: scaling.podDisruptionBudget ? { minAvailable: 1 } : {},
    };
}
