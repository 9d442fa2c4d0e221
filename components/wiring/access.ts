import * as pulumi from "@pulumi/pulumi";
import type { MeshKey } from "../args/arg-paths";
import type { MeshSettings } from "../args/settings";
import { ADDON_SERVICES } from "../values/addon-endpoints";
import {
    dashboardAccess,
    dashboardUrl,
    dashboardUrlsKnown,
    hostBaseUrl,
    portForwardCommand,
} from "../values/dashboard-urls";
import { gatewayMoveNotes, ControlPlanePlan } from "../values/control-plane-plan";
import { GATEWAY_NAMES, ISTIO_NAMESPACE } from "../values/istio-values";
import type { ControlPlaneParts } from "./control-plane";
import type { TelemetryParts } from "./telemetry";

/** Where the ingress gateway is: its Service, its namespace, and the address Pulumi waited for. */
export interface IngressGatewayInfo {
    /** The gateway's Service, `istio-ingressgateway`. */
    service: string;
    /** Its namespace. */
    namespace: string;
    /** Its LoadBalancer's address, when the mesh waited for it. @default none */
    address?: string;
}

/** What the outputs say of reaching the mesh. */
export interface Access {
    /** None without an ingress gateway. */
    readonly ingressGateway?: pulumi.Output<IngressGatewayInfo>;
    readonly dashboardUrls: pulumi.Output<Record<string, string>>;
    readonly dashboardAccess: string;
    readonly portForwardCommands: Record<string, string>;
    readonly restartCommands: pulumi.Output<string[]>;
}

/** The outputs about reaching the gateway and the dashboards, and the restarts a step owes. */
export function describeAccess(
    settings: MeshSettings,
    plan: ControlPlanePlan,
    core: ControlPlaneParts,
    telemetry: TelemetryParts,
    k: (key: MeshKey) => string,
): Access {
    const { routed } = telemetry;
    const ingressNamespace = settings.gatewayNamespaces.ingress;
    const hostBase = hostBaseUrl(settings);
    // Real URLs only: the host's, or the address Pulumi waited for; dashboardAccess says the rest.
    const ingress = core.ingress;
    const urlBase: pulumi.Output<string | undefined> =
        hostBase !== undefined
            ? pulumi.output(hostBase)
            : (ingress?.address.apply((address) =>
                  settings.awaitIngressAddress && address !== "" ? `http://${address}` : undefined,
              ) ?? pulumi.output(undefined));
    const gateways = [
        ...(ingress !== undefined ? [`${ingressNamespace}/${GATEWAY_NAMES.ingress}`] : []),
        ...(settings.egressGateway ? [`${settings.gatewayNamespaces.egress}/${GATEWAY_NAMES.egress}`] : []),
    ];
    return {
        ...(ingress !== undefined && {
            ingressGateway: pulumi.output({
                service: ingress.serviceName,
                namespace: ingress.namespace,
                ...(settings.awaitIngressAddress && { address: ingress.address }),
            }),
        }),
        dashboardUrls: dashboardUrlsKnown(settings)
            ? urlBase.apply((base) =>
                  base === undefined
                      ? {}
                      : Object.fromEntries(routed.map((addon) => [addon, dashboardUrl(addon, base)])),
              )
            : pulumi.output<Record<string, string>>({}),
        dashboardAccess: dashboardAccess(
            settings,
            routed.map((addon) => ADDON_SERVICES[addon].path),
            { namespace: ingressNamespace, name: GATEWAY_NAMES.ingress },
            k,
        ),
        portForwardCommands: Object.fromEntries(
            settings.addons.map((addon) => [addon, portForwardCommand(addon, ISTIO_NAMESPACE)]),
        ),
        restartCommands: core.restartCommands.apply((commands) => [...commands, ...gatewayMoveNotes(plan, gateways)]),
    };
}
