import type { Addon } from "../args/addons";
import { ExposureSettings, loginlessDashboards } from "../args/exposure";
import type { MeshKey } from "../args/arg-paths";
import { ADDON_SERVICES } from "./addon-endpoints";

/**
 * Where each dashboard is, as the outputs say it: browser URLs where they are known before
 * deployment, `kubectl port-forward` lines, and one paragraph on how to reach the
 * dashboards in a stack. Pure functions of the settings.
 */

/** The browser URL of a dashboard served under its path on `base` (`http://host` or ""). */
export function dashboardUrl(addon: Addon, base: string): string {
    return `${base}${ADDON_SERVICES[addon].path}`;
}

/** A `kubectl port-forward` line that reaches the dashboard with any exposure. */
export function portForwardCommand(addon: Addon, namespace: string): string {
    const { service, port, path } = ADDON_SERVICES[addon];
    return `kubectl -n ${namespace} port-forward svc/${service} ${port}:${port}  # then open http://localhost:${port}${path}`;
}

/** The dashboards' browser base URL when known before deployment: the host's, else undefined. */
export function hostBaseUrl(s: Pick<ExposureSettings, "dashboardHost" | "dashboardTlsSecret">): string | undefined {
    return s.dashboardHost === undefined
        ? undefined
        : `${s.dashboardTlsSecret === undefined ? "http" : "https"}://${s.dashboardHost}`;
}

/** Whether `dashboardUrls` can hold real URLs: a host, or a LoadBalancer address Pulumi waited for. */
export function dashboardUrlsKnown(s: ExposureSettings): boolean {
    return s.dashboards === "ingress" && (s.dashboardHost !== undefined || s.awaitIngressAddress);
}

/**
 * How to reach the dashboards, in one paragraph: the `dashboardAccess` output. `paths` are the
 * routed dashboards' paths; `service` the ingress gateway's namespace/name.
 */
export function dashboardAccess(
    s: ExposureSettings,
    paths: readonly string[],
    service: { namespace: string; name: string },
    k: (key: MeshKey) => string,
): string {
    const portForward = "or run a line of portForwardCommands and open the URL it names";
    if (s.dashboards !== "ingress") {
        return `Not exposed (${k("dashboards")} is none): run a line of portForwardCommands and open the URL it names.`;
    }
    const unrouted = loginlessDashboards(s).filter(
        (addon) => s.addons.includes(addon) && !s.dashboardsWithoutLogin.includes(addon),
    );
    const notRouted =
        unrouted.length > 0
            ? ` ${unrouted.join(" and ")} (no login) ${unrouted.length > 1 ? "are" : "is"} not routed: use portForwardCommands.`
            : "";
    if (paths.length === 0) {
        return `No dashboard is routed (none with a login is installed, and ${k("dashboardsWithoutLogin")} is empty): run a line of portForwardCommands and open the URL it names.`;
    }
    const list = paths.join(", ");
    const at = (base: string): string => paths.map((path) => `${base}${path}`).join(" or ");
    const get = `kubectl -n ${service.namespace} get service ${service.name}`;
    if (s.dashboardHost !== undefined) {
        return `Open dashboardUrls (${list}) once DNS for ${s.dashboardHost} points at the ingress gateway's address (${get}).${notRouted}`;
    }
    if (s.awaitIngressAddress) {
        return `Open dashboardUrls (${list}).${notRouted}`;
    }
    switch (s.ingressServiceType) {
        case "LoadBalancer":
            return `Pulumi does not wait for the ingress gateway's address (${k("awaitIngressAddress")} is false). Once it has one (on minikube, keep \`minikube tunnel\` running in another terminal), \`${get}\` shows it as EXTERNAL-IP: open ${at("http://EXTERNAL-IP")}; ${portForward}.${notRouted}`;
        case "NodePort":
            return `The ingress gateway listens on a node port: \`${get}\` shows the one for port 80 (on minikube, \`minikube service -n ${service.namespace} ${service.name} --url\` prints the URLs); open ${at("http://NODE-ADDRESS:NODE-PORT")}; ${portForward}.${notRouted}`;
        case "ClusterIP":
            return `The ingress gateway has no address outside the cluster (ClusterIP): \`kubectl -n ${service.namespace} port-forward service/${service.name} 8080:80\`, then open ${at("http://localhost:8080")}; ${portForward}.${notRouted}`;
    }
}
