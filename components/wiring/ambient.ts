// Ambient's part of the control plane's wiring (control-plane.ts): the agents' namespace, the
// CNI agent and ztunnel, the Gateway API CRDs and the waypoints.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MeshSettings } from "../args/settings";
import { AmbientDataPlane } from "../mesh/ambient-data-plane";
import { GatewayApiCrds } from "../mesh/gateway-api-crds";
import { MeshNamespace } from "../mesh/namespace";
import { Waypoints } from "../mesh/waypoints";
import type { SizingPlan } from "../sizing/sizing";
import { mergeValues } from "../values/chart-values";
import type { ControlPlanePlan } from "../values/control-plane-plan";
import { membershipZtunnelValues } from "../values/multi-cluster-values";
import { workloadValues } from "../values/workload-values";
import { movedChild } from "./moved";

/** What ambient's parts take from the core of the mesh. */
export interface AmbientParts {
    /** The provider that adopts what exists already, when the mesh adopts. */
    readonly adopter?: k8s.Provider;
    /** Options of children that adopt: its provider, or none. */
    readonly adopting: pulumi.ComponentResourceOptions;
    /** Resources that wait for the stable istiod. */
    readonly afterIstiod: pulumi.ComponentResourceOptions;
    /** A pod namespace, once what its pods need (registry credentials) is in it. */
    readonly podNamespace: (namespace: pulumi.Output<string>, label: string) => pulumi.Output<string>;
}

/**
 * Ambient: istiod, then the CNI agent, then ztunnel, then the namespace labels and waypoints,
 * as Istio's Helm guide orders them; destroy removes them in reverse. Returns what the
 * namespace labels wait for.
 */
export function buildAmbient(
    mesh: pulumi.ComponentResource,
    name: string,
    settings: MeshSettings,
    sizing: SizingPlan,
    plan: ControlPlanePlan,
    parts: AmbientParts,
): { waits: pulumi.Resource[]; created: pulumi.Resource[] } {
    if (settings.ambient === undefined) {
        return { waits: [], created: [] };
    }
    const child = (old: string, opts: pulumi.CustomResourceOptions = {}) => movedChild(mesh, old, opts);
    const ambient = settings.ambient;
    const agents =
        ambient.agentNamespace === "kube-system"
            ? undefined
            : new MeshNamespace(
                  `${name}-${ambient.agentNamespace}`,
                  { name: ambient.agentNamespace, privileged: true },
                  child(ambient.agentNamespace, parts.adopting),
              );
    const agentNamespace = agents === undefined ? pulumi.output(ambient.agentNamespace) : agents.name;
    const dataPlane = new AmbientDataPlane(
        `${name}-ambient`,
        {
            namespace: parts.podNamespace(agentNamespace, ambient.agentNamespace),
            ambient,
            version: settings.istioVersion,
            revision: plan.gatewayRevision,
            sizing,
            workload: {
                cni: workloadValues("cni", settings.workloads),
                ztunnel: mergeValues(
                    workloadValues("ztunnel", settings.workloads),
                    settings.membership && membershipZtunnelValues(settings.membership),
                ),
            },
            chartValues: { cni: settings.chartValues.cni, ztunnel: settings.chartValues.ztunnel },
        },
        child("ambient", parts.afterIstiod),
    );
    const crds =
        ambient.gatewayApiCrds === "install"
            ? new GatewayApiCrds(`${name}-gateway-api`, { adoptingProvider: parts.adopter }, child("gateway-api"))
            : undefined;
    const created = [...(agents === undefined ? [] : [agents]), dataPlane, ...(crds === undefined ? [] : [crds])];
    if (ambient.waypointNamespaces.length === 0) {
        return { waits: [dataPlane.ztunnel], created };
    }
    const waypoints = new Waypoints(
        `${name}-waypoints`,
        { namespaces: ambient.waypointNamespaces },
        child("waypoints", { dependsOn: [dataPlane.ztunnel, ...(crds?.crds ?? [])] }),
    );
    return { waits: [dataPlane.ztunnel, waypoints], created: [...created, waypoints] };
}
