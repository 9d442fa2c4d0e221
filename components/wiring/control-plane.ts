import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MeshKey } from "../args/arg-paths";
import type { MeshSettings } from "../args/settings";
import type { LastDeployment } from "../args/upgrade-guard";
import type { SizingPlan } from "../sizing/sizing";
import { ControlPlanePlan } from "../values/control-plane-plan";
import { ISTIO_NAMESPACE, TracingProvider } from "../values/istio-values";
import { meshTracingProvider } from "../values/addon-endpoints";
import { adoptingProvider } from "../mesh/adopting-provider";
import { IstioControlPlane } from "../mesh/control-plane";
import { IstioGateway } from "../mesh/gateway";
import { IstioBase } from "../mesh/istio-base";
import { MeshMtls } from "../mesh/mesh-mtls";
import { MeshNamespace } from "../mesh/namespace";
import { RevisionTags } from "../mesh/revision-tags";
import { RunningControlPlanes } from "../mesh/running-control-planes";
import { SidecarInjection } from "../mesh/sidecar-injection";
import { workloadValues } from "../values/workload-values";
import { buildGateways } from "./gateways";
import { caCertsSecret } from "../mesh/cacerts";
import { mergeValues } from "../values/chart-values";
import { EAST_WEST_NAMESPACE, membershipIstiodValues, NETWORK_LABEL } from "../values/multi-cluster-values";
import { EastWestGateway } from "../mesh/east-west-gateway";
import { SidecarCni } from "../mesh/sidecar-cni";
import { spreadOf } from "./spread";
import { movedChild } from "./moved";
import { buildAmbient } from "./ambient";
import { registryCredentialsIn } from "../chart";

/** What the core of the mesh gives the rest of it. */
export interface ControlPlaneParts {
    /** `istio-system`, known once it exists. */
    readonly istioNamespace: pulumi.Output<string>;
    /** The namespace resources depend on. */
    readonly namespace: MeshNamespace;
    /** The provider that adopts what exists already, when the mesh adopts. */
    readonly adopter?: k8s.Provider;
    /** Options of children that adopt: its provider, or none. */
    readonly adopting: pulumi.ComponentResourceOptions;
    /** A gateway's namespace by name, made the first time it is asked for. */
    readonly gatewayNamespace: (namespace: string) => pulumi.Output<string>;
    /** Resources that wait for the stable istiod: what its webhooks validate. */
    readonly afterIstiod: pulumi.ComponentResourceOptions;
    /** What a pod in istio-system waits for: the namespace, and the registry credentials in it. */
    readonly systemPodsReady: pulumi.Resource[];
    /** The ingress gateway, unless the mesh has none. */
    readonly ingress?: IstioGateway;
    readonly injection: SidecarInjection;
    /** What a namespace label waits for: the revision tags, and with ambient ztunnel (and the waypoints). */
    readonly labelWaits: pulumi.Resource[];
    readonly restartCommands: pulumi.Output<string[]>;
    /** What this step applies, as the next one reads it. */
    readonly record: pulumi.Output<LastDeployment>;
    /** Everything this part of the mesh made: the record waits for all of it. */
    readonly created: pulumi.Resource[];
}

export interface ControlPlaneInputs {
    readonly settings: MeshSettings;
    readonly sizing: SizingPlan;
    readonly plan: ControlPlanePlan;
    readonly names: (key: MeshKey) => string;
}

/**
 * The namespace, the CRDs, one istiod per revision, the tags, the gateways, mutual TLS,
 * ambient's agents and waypoints, and the namespace labels, in that order: istiod's webhooks
 * admit everything Istio after it, and the labels follow the tags and the agents they name.
 */
export function buildControlPlane(
    mesh: pulumi.ComponentResource,
    name: string,
    { settings, sizing, plan, names }: ControlPlaneInputs,
): ControlPlaneParts {
    const child = (old: string, opts: pulumi.CustomResourceOptions = {}) => movedChild(mesh, old, opts);
    const adopter = settings.cluster.adoptExisting
        ? adoptingProvider(`${name}-adopt-existing`, settings.cluster.provider, child("adopt-existing"))
        : undefined;
    const adopting: pulumi.ComponentResourceOptions = adopter === undefined ? {} : { providers: [adopter] };
    const membership = settings.membership;
    const namespace = new MeshNamespace(
        `${name}-istio-system`,
        membership === undefined ? {} : { labels: { [NETWORK_LABEL]: membership.network } },
        child("istio-system", adopting),
    );
    // Where the mesh runs pods: with registry credentials, the namespace once they are in it
    // (the Secret's namespace output), so that every chart given it waits for them.
    const credentials = settings.workloads.registryCredentials;
    const credentialSecrets = new Map<string, k8s.core.v1.Secret>();
    const podNamespace = (created: pulumi.Output<string>, label: string): pulumi.Output<string> => {
        if (credentials === undefined) {
            return created;
        }
        const secret = registryCredentialsIn(`${name}-registry-credentials-${label}`, created, credentials, {
            parent: mesh,
        });
        credentialSecrets.set(label, secret);
        return secret.metadata.namespace;
    };
    const systemNamespace = podNamespace(namespace.name, ISTIO_NAMESPACE);
    const systemPodsReady: pulumi.Resource[] = [namespace, ...credentialSecrets.values()];
    // A member of a mesh of several signs with its intermediate CA, which istiod reads at start.
    const caCerts =
        membership === undefined
            ? undefined
            : caCertsSecret(`${name}-cacerts`, namespace.name, membership.caCerts, {
                  parent: mesh,
                  // Kept by destroy, so adopted by the next up as the namespace is.
                  ...(adopter !== undefined && { provider: adopter }),
              });
    const base = new IstioBase(
        `${name}-istio-base`,
        {
            namespace: namespace.name,
            version: plan.crdVersion,
            validatingRevision: plan.validatingRevision,
            chartValues: settings.chartValues.base,
        },
        child("istio-base", adopting),
    );
    // Spans go over OTLP to Jaeger's receiver when Jaeger is on, else to the collector the settings name.
    const provider = meshTracingProvider(settings, ISTIO_NAMESPACE);
    const tracing: TracingProvider[] = provider === undefined ? [] : [provider];
    // Named from their revisions: an upgrade adds and removes whole control planes, never renames one.
    const istiods = new Map(
        plan.istiods.map((istiod) => [
            istiod.name,
            new IstioControlPlane(
                `${name}-${istiod.name}`,
                {
                    namespace: systemNamespace,
                    istiod,
                    sizing,
                    tracing,
                    ambient: settings.ambient,
                    ...(settings.sidecarCni !== undefined && { sidecarCni: settings.sidecarCni }),
                    workload: mergeValues(
                        workloadValues(
                            "istiod",
                            settings.workloads,
                            spreadOf(sizing.scaling.istiod, {
                                app: "istiod",
                                "istio.io/rev": istiod.revision ?? "default",
                            }),
                        ),
                        membership && membershipIstiodValues(membership, settings.ambient !== undefined),
                    ),
                    chartValues: settings.chartValues.istiod,
                },
                child(istiod.name, { dependsOn: [base, ...(caCerts === undefined ? [] : [caCerts])] }),
            ),
        ]),
    );
    const kept = plan.istiods.filter((istiod) => istiod.mustBeRunning).map((istiod) => istiod.name);
    const created: pulumi.Resource[] = [namespace, base, ...istiods.values()];
    // Reads only, and nothing waits for them (a read that fails fails the deployment there): not in `created`.
    if (kept.length > 0) {
        new RunningControlPlanes(
            `${name}-running-control-planes`,
            { namespace: ISTIO_NAMESPACE, istiods: kept },
            child("running-control-planes"),
        );
    }
    const tags = new RevisionTags(
        `${name}-revision-tags`,
        { namespace: ISTIO_NAMESPACE, tags: plan.tags },
        child("revision-tags", { dependsOn: [...istiods.values()] }),
    );
    const stable = istiods.get(plan.stableIstiod) as IstioControlPlane;
    // On OpenShift, the sidecars' CNI agent: every injected pod, the gateways' too, waits for it.
    const cni =
        settings.sidecarCni === undefined
            ? undefined
            : new SidecarCni(
                  `${name}-sidecar-cni`,
                  {
                      namespace: podNamespace(pulumi.output(settings.sidecarCni.agentNamespace), "kube-system"),
                      platform: settings.sidecarCni.platform,
                      version: settings.istioVersion,
                      revision: plan.gatewayRevision,
                      sizing,
                      workload: workloadValues("cni", settings.workloads),
                      chartValues: settings.chartValues.cni,
                  },
                  { parent: mesh },
              );
    const afterIstiod = { dependsOn: [stable, ...(cni === undefined ? [] : [cni])] };
    const gateways = buildGateways(name, {
        settings,
        sizing,
        plan,
        systemNamespace: namespace,
        podNamespace,
        child,
        adopting,
        afterIstiod,
    });
    if (gateways.egress !== undefined) {
        created.push(gateways.egress);
    }
    const mtls = new MeshMtls(
        `${name}-mesh-mtls`,
        { rootNamespace: ISTIO_NAMESPACE, mode: settings.mtlsMode },
        child("mesh-mtls", afterIstiod),
    );
    const ambient = buildAmbient(mesh, name, settings, sizing, plan, { adopter, adopting, afterIstiod, podNamespace });
    const ambientWaits = [...ambient.waits, ...(cni === undefined ? [] : [cni])];
    const eastWest =
        membership?.eastWestGateway === true
            ? new EastWestGateway(
                  `${name}-east-west-gateway`,
                  {
                      namespace: podNamespace(gateways.gatewayNamespace(EAST_WEST_NAMESPACE), EAST_WEST_NAMESPACE),
                      namespaceName: EAST_WEST_NAMESPACE,
                      membership,
                      ambient: settings.ambient !== undefined,
                      version: settings.istioVersion,
                      revision: plan.gatewayRevision,
                      sizing,
                      workload: workloadValues("ingressGateway", settings.workloads),
                      chartValues: settings.chartValues.eastWestGateway,
                  },
                  { parent: mesh, dependsOn: [stable, ...ambient.waits] },
              )
            : undefined;
    const injection = new SidecarInjection(
        `${name}-sidecar-injection`,
        {
            namespaces: plan.namespaces,
            defaultTagRestartOwed: plan.defaultTagRestartOwed,
            sidecarsOweHbone: plan.sidecarsOweHbone,
            releaseSetting: names("ambientReleasedNamespaces"),
            releasedNamespaces: settings.ambient?.releasedNamespaces ?? [],
        },
        child("sidecar-injection", { dependsOn: [tags, ...ambientWaits] }),
    );
    return {
        istioNamespace: namespace.name,
        namespace,
        systemPodsReady,
        adopter,
        adopting,
        gatewayNamespace: gateways.gatewayNamespace,
        afterIstiod,
        ...(gateways.ingress !== undefined && { ingress: gateways.ingress }),
        injection,
        labelWaits: [tags, ...ambientWaits],
        restartCommands: injection.restartCommands,
        record: injection.capturedNamespaces.apply((captured) => ({
            controlPlanes: Object.fromEntries(
                plan.istiods.map((istiod) => [
                    istiod.name,
                    {
                        version: istiod.version,
                        tag: istiod.tag ?? "",
                        // Read back by the next step: turning ambient on owes the sidecars a restart once.
                        ...(settings.ambient !== undefined && istiod.revision !== undefined && { ambient: true }),
                    },
                ]),
            ),
            canaryNamespaces: [...settings.canaryNamespaces],
            ambientNamespaces: [...injection.ambientNamespaces],
            capturedNamespaces: captured,
        })),
        created: [
            ...created,
            ...gateways.namespaces(),
            tags,
            ...(gateways.ingress === undefined ? [] : [gateways.ingress]),
            mtls,
            ...(cni === undefined ? [] : [cni]),
            ...(eastWest === undefined ? [] : [eastWest]),
            ...ambient.created,
            injection,
        ],
    };
}
