import type { IngressServiceType } from "../args/choices";
import { TrafficPolicy } from "../args/exposure";
import { SizingPlan, toResources } from "../sizing/sizing";
import { ISTIO_IMAGE_HUB } from "../versions";
import { istiodAmbientValues, IstiodAmbientValues } from "./ambient-values";
import type { AmbientSettings } from "../args/ambient";

/**
 * Pure functions from settings to the values of Istio's `base`, `istiod` and `gateway`
 * charts. Only the keys we set are typed; every key exists in the chart version pinned in
 * versions.ts (checked by test/plans.test.ts: every chart value is one its chart reads).
 */

type Resources = ReturnType<typeof toResources>;

/** The namespace Istio's charts, samples and add-ons all expect: istiod's, and the mesh's root. */
export const ISTIO_NAMESPACE = "istio-system";

/**
 * Chart v4 renders every update as a fresh install, where the chart would leave the
 * validating webhook at `Ignore` until istiod patches it to `Fail`: each preview would
 * flip it back (istio/istio#44285). Pinning `Fail` keeps the preview quiet.
 */
const VALIDATION = { validationFailurePolicy: "Fail" } as const;

export interface BaseValues {
    base: typeof VALIDATION;
    /**
     * The revision whose istiod validates Istio resources (`istiod-default-validator`);
     * `default` is the chart's name for the istiod installed without a revision.
     */
    defaultRevision: string;
}

/**
 * @param validatingRevision the revision whose istiod validates, e.g. `1-31-4`; undefined for
 *   the istiod installed before revisions
 */
export function baseValues(validatingRevision: string | undefined): BaseValues {
    return { base: VALIDATION, defaultRevision: validatingRevision ?? "default" };
}

/** One tracing backend istiod may send spans to (`meshConfig.extensionProviders`). */
export interface TracingProvider {
    name: string;
    /** OTLP to `service:port`, over gRPC, or over HTTP to `http.path`. */
    opentelemetry: { service: string; port: number; http?: { path: string } };
}

export interface IstiodValues extends Partial<IstiodAmbientValues> {
    /** Suffixes every object the chart renders, so two revisions never share one. */
    revision?: string;
    /** Keeps an older minor's behaviour (the chart's `profile-compatibility-version-<minor>`). */
    compatibilityVersion?: string;
    base: typeof VALIDATION;
    replicaCount: number;
    autoscaleEnabled: boolean;
    autoscaleMin?: number;
    autoscaleMax?: number;
    resources: Resources;
    global: {
        /** Where its images, and the proxies it injects, come from. */
        hub: string;
        defaultPodDisruptionBudget: { enabled: boolean };
        proxy: { resources: Resources };
        /** Leaves out the injection webhooks: set only for the istiod kept from before revisions. */
        operatorManageWebhooks?: true;
    };
    meshConfig: {
        accessLogFile: string;
        pathNormalization: { normalization: "DECODE_AND_MERGE_SLASHES" };
        extensionProviders?: TracingProvider[];
    };
}

/**
 * Every revision gets the same values but its name: the same size, and the same mesh
 * config, so a proxy sends its spans and logs to the same place whichever istiod injected it.
 * Revision tags are not rendered here (`revisionTags` stays empty): see values/revision-tags.ts.
 *
 * @param ambient the ambient data plane, if any: every revision gets the ambient profile,
 *   so a proxy it injects speaks HBONE to ambient pods, and trusts ztunnel's identity
 * @param istiod its revision, undefined for the istiod installed before revisions: its values
 *   stay as they were (no `revision`), except that it renders no injection webhooks, which
 *   would serve `istio-injection=enabled` namespaces beside the `default` tag; and the older
 *   minor whose behaviour it keeps, if any
 */
export function istiodValues(
    istiod: { revision?: string; compatibilityVersion?: string },
    plan: SizingPlan,
    tracing: readonly TracingProvider[] = [],
    ambient?: Pick<AmbientSettings, "platform" | "agentNamespace">,
    sidecarCni?: { readonly platform: "openshift" },
): IstiodValues {
    const { revision, compatibilityVersion } = istiod;
    const controlPlane = plan.scaling.istiod;
    return {
        ...(revision !== undefined && { revision }),
        ...(compatibilityVersion !== undefined && { compatibilityVersion }),
        ...(ambient !== undefined && istiodAmbientValues(ambient)),
        // The platform's profile turns `pilot.cni.enabled` on: no `istio-init` is injected.
        ...(sidecarCni !== undefined && { platform: sidecarCni.platform }),
        base: VALIDATION,
        replicaCount: controlPlane.replicas,
        autoscaleEnabled: controlPlane.autoscale !== undefined,
        ...(controlPlane.autoscale && {
            autoscaleMin: controlPlane.autoscale.min,
            autoscaleMax: controlPlane.autoscale.max,
        }),
        resources: toResources(plan.sizes.istiod),
        global: {
            hub: ISTIO_IMAGE_HUB,
            // A budget of minAvailable 1 over a single replica would block every node drain.
            defaultPodDisruptionBudget: { enabled: controlPlane.podDisruptionBudget },
            proxy: { resources: toResources(plan.sizes.proxy) },
            ...(revision === undefined && { operatorManageWebhooks: true as const }),
        },
        meshConfig: {
            accessLogFile: "/dev/stdout",
            // `/prometheus%2Fapi` and `//prometheus` reach routes and policies as `/prometheus/api`
            // and `/prometheus`: a path rule then cannot be bypassed by spelling the path otherwise.
            pathNormalization: { normalization: "DECODE_AND_MERGE_SLASHES" },
            ...(tracing.length > 0 && { extensionProviders: [...tracing] }),
        },
    };
}

export type GatewayRole = "ingress" | "egress";

/** How the ingress gateway's Service meets the network. */
export interface IngressService {
    type: IngressServiceType;
    /** Whether `pulumi up` waits for a LoadBalancer's address. */
    awaitAddress: boolean;
    /** `Local` keeps client addresses; applies to LoadBalancer and NodePort. */
    externalTrafficPolicy: TrafficPolicy;
    /** For the cloud's load balancer controller. */
    annotations?: Readonly<Record<string, string>>;
    /** Client ranges a LoadBalancer admits. */
    loadBalancerSourceRanges?: readonly string[];
    /** The load balancer implementation of a LoadBalancer. */
    loadBalancerClass?: string;
}

interface ServiceValues {
    type: IngressServiceType;
    externalTrafficPolicy?: TrafficPolicy;
    annotations?: Record<string, string>;
    loadBalancerSourceRanges?: string[];
    loadBalancerClass?: string;
}

export interface GatewayValues {
    /** The revision whose istiod injects the gateway's proxy: a change rolls the pods onto it. */
    revision: string;
    labels: { istio: string };
    service: ServiceValues;
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

function ingressServiceValues(service: IngressService): ServiceValues {
    const balanced = service.type === "LoadBalancer";
    const annotations = {
        ...service.annotations,
        // Pulumi would wait up to 10 minutes for an address minikube or bare metal never gives.
        ...(balanced && !service.awaitAddress && { "pulumi.com/skipAwait": "true" }),
    };
    const ranges = service.loadBalancerSourceRanges ?? [];
    return {
        type: service.type,
        ...(service.type !== "ClusterIP" && { externalTrafficPolicy: service.externalTrafficPolicy }),
        ...(Object.keys(annotations).length > 0 && { annotations }),
        ...(balanced && ranges.length > 0 && { loadBalancerSourceRanges: [...ranges] }),
        ...(balanced && service.loadBalancerClass !== undefined && { loadBalancerClass: service.loadBalancerClass }),
    };
}

/**
 * @param ingress how the ingress Service is exposed; the egress gateway is always cluster-internal
 * @param revision the revision the `default` tag points to: the gateways follow it
 */
export function gatewayValues(
    role: GatewayRole,
    ingress: IngressService,
    plan: SizingPlan,
    revision: string,
): GatewayValues {
    const scaling = plan.scaling[role === "ingress" ? "ingressGateway" : "egressGateway"];
    return {
        revision,
        // Samples select `istio: ingressgateway`; set it outright rather than rely on the
        // chart deriving it from the release name.
        labels: { istio: GATEWAY_NAMES[role].replace(/^istio-/, "") },
        service: role === "ingress" ? ingressServiceValues(ingress) : { type: "ClusterIP" },
        resources: toResources(role === "ingress" ? plan.sizes.ingressGateway : plan.sizes.egressGateway),
        replicaCount: scaling.replicas,
        autoscaling: scaling.autoscale
            ? { enabled: true, minReplicas: scaling.autoscale.min, maxReplicas: scaling.autoscale.max }
            : { enabled: false },
        podDisruptionBudget: scaling.podDisruptionBudget ? { minAvailable: 1 } : {},
    };
}
