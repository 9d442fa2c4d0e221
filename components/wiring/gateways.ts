import * as pulumi from "@pulumi/pulumi";
import type { MeshSettings } from "../args/settings";
import { MeshNamespace } from "../mesh/namespace";
import { IstioGateway } from "../mesh/gateway";
import type { SizingPlan } from "../sizing/sizing";
import type { ControlPlanePlan } from "../values/control-plane-plan";
import { GATEWAY_NAMES, GatewayRole, IngressService, ISTIO_NAMESPACE } from "../values/istio-values";
import { workloadValues } from "../values/workload-values";
import { spreadOf } from "./spread";

/** The gateways and the namespaces they run in. */
export interface GatewayParts {
    /** The ingress gateway, unless the mesh has none. */
    readonly ingress?: IstioGateway;
    /** The egress gateway, unless turned off. */
    readonly egress?: IstioGateway;
    /** A gateway namespace by name, created on first use: where the dashboard routes go too. */
    readonly gatewayNamespace: (namespace: string) => pulumi.Output<string>;
    /** Every gateway namespace, istio-system first. */
    readonly namespaces: () => MeshNamespace[];
}

export interface GatewayInputs {
    readonly settings: MeshSettings;
    readonly sizing: SizingPlan;
    readonly plan: ControlPlanePlan;
    /** istio-system, which a mesh deployed with its gateways there keeps them in. */
    readonly systemNamespace: MeshNamespace;
    /** The namespace a gateway's pods run in, once what they pull with is there. */
    readonly podNamespace: (namespace: pulumi.Output<string>, label: string) => pulumi.Output<string>;
    /** Options of a child, under its old root-level name's alias. */
    readonly child: (old: string, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions;
    readonly adopting: pulumi.ComponentResourceOptions;
    readonly afterIstiod: pulumi.ComponentResourceOptions;
}

/**
 * The ingress gateway (unless the cluster brings its own ingress) and the egress gateway
 * (unless turned off), each in a namespace of its own, or istio-system for a mesh deployed
 * so: the gateway chart's role reads every Secret of its namespace, and istio-system holds
 * the root CA. Both follow the `default` tag's revision.
 */
export function buildGateways(name: string, inputs: GatewayInputs): GatewayParts {
    const { settings, sizing, plan, child, adopting, afterIstiod } = inputs;
    const namespaces = new Map<string, MeshNamespace>([[ISTIO_NAMESPACE, inputs.systemNamespace]]);
    const gatewayNamespace = (namespaceName: string): pulumi.Output<string> => {
        let created = namespaces.get(namespaceName);
        if (created === undefined) {
            created = new MeshNamespace(
                `${name}-${namespaceName}`,
                { name: namespaceName },
                child(namespaceName, adopting),
            );
            namespaces.set(namespaceName, created);
        }
        return created.name;
    };
    const gateway = (role: GatewayRole, namespaceName: string, service?: IngressService): IstioGateway => {
        const chart = role === "ingress" ? "ingressGateway" : "egressGateway";
        const labels = { istio: GATEWAY_NAMES[role].replace(/^istio-/, "") };
        return new IstioGateway(
            `${name}-${role}-gateway`,
            {
                version: settings.istioVersion,
                revision: plan.gatewayRevision,
                sizing,
                namespace: inputs.podNamespace(gatewayNamespace(namespaceName), namespaceName),
                role,
                ...(service !== undefined && { service }),
                workload: workloadValues(chart, settings.workloads, spreadOf(sizing.scaling[chart], labels)),
                chartValues: settings.chartValues[chart],
            },
            child(`${role}-gateway`, afterIstiod),
        );
    };
    const ingress = settings.ingressGateway
        ? gateway("ingress", settings.gatewayNamespaces.ingress, {
              type: settings.ingressServiceType,
              awaitAddress: settings.awaitIngressAddress,
              externalTrafficPolicy: settings.ingressExternalTrafficPolicy,
              annotations: settings.ingressService.annotations,
              loadBalancerSourceRanges: settings.ingressService.loadBalancerSourceRanges,
              ...(settings.ingressService.loadBalancerClass !== undefined && {
                  loadBalancerClass: settings.ingressService.loadBalancerClass,
              }),
          })
        : undefined;
    const egress = settings.egressGateway ? gateway("egress", settings.gatewayNamespaces.egress) : undefined;
    return {
        ...(ingress !== undefined && { ingress }),
        ...(egress !== undefined && { egress }),
        gatewayNamespace,
        namespaces: () => [...namespaces.values()],
    };
}
