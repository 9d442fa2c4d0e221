import { loadMeshSettings } from "./components/config";
import { IstioControlPlane } from "./components/control-plane";
import { IstioGateway } from "./components/gateway";
import { IstioBase } from "./components/istio-base";
import { KialiCredentials } from "./components/kiali-credentials";
import { MeshMtls } from "./components/mesh-mtls";
import { MeshNamespace } from "./components/namespace";
import { SidecarInjection } from "./components/sidecar-injection";
import { planSizing } from "./components/sizing";

// Validate first: a bad key stops the program here, before any resource is registered.
const settings = loadMeshSettings();
const sizing = planSizing(settings);
const version = settings.istioVersion;

const namespace = new MeshNamespace("istio-system");
const base = new IstioBase("istio-base", { namespace: namespace.name, version });
const istiod = new IstioControlPlane("istiod", { namespace: namespace.name, version, sizing }, { dependsOn: [base] });

// Everything below is admitted by istiod's webhooks, so it waits for istiod and nothing else.
const afterIstiod = { dependsOn: [istiod] };
const ingress = new IstioGateway(
    "ingress-gateway",
    { namespace: namespace.name, version, role: "ingress", serviceType: settings.ingressServiceType, sizing },
    afterIstiod,
);
if (settings.egressGateway) {
    new IstioGateway("egress-gateway", { namespace: namespace.name, version, role: "egress", sizing }, afterIstiod);
}
new MeshMtls("mesh-mtls", { rootNamespace: namespace.name, mode: settings.mtlsMode }, afterIstiod);
const injection = new SidecarInjection("sidecar-injection", { namespaces: settings.injectionNamespaces }, afterIstiod);
const kiali = new KialiCredentials("kiali-credentials", { namespace: namespace.name });

export const istioVersion = version;
export const istioNamespace = namespace.name;
export const injectionNamespaces = injection.namespaces;
export const ingressGateway = { service: ingress.serviceName, namespace: ingress.namespace };
export const kialiLoginToken = kiali.loginToken;
