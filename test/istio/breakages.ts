import type { K8sObject } from "../support/render";
import type { AnalysisMessage } from "./analyzer";

/**
 * Three mistakes of the kind a change to the program could make, each applied to the dev
 * stack's objects, with the messages Istio's analyzers must add for it. `istioctl analyze
 * --use-kube=false` on files misses all three: it drops the Services, Namespaces and Pods
 * they need (docs/istio-in-the-loop.md).
 */
export interface Breakage {
    title: string;
    apply(objects: K8sObject[]): K8sObject[];
    /** The messages the breakage adds, exactly. */
    expected: Pick<AnalysisMessage, "code" | "level" | "resource">[];
}

/** A revision no step runs. */
const MISSING_REVISION = "1-31-9";

/** `objects` with the one named object replaced by what `edit` makes of a deep copy of it. */
function editing(kind: string, name: string, edit: (object: K8sObject) => void): (objects: K8sObject[]) => K8sObject[] {
    return (objects) => {
        const target = objects.find((o) => o.kind === kind && o.metadata.name === name);
        if (target === undefined) throw new Error(`the dev stack has no ${kind} ${name} to break`);
        const copy = structuredClone(target);
        edit(copy);
        return objects.map((o) => (o === target ? copy : o));
    };
}

interface Route {
    route: { destination: { host: string } }[];
}

interface Webhook {
    clientConfig: { service: { name: string } };
}

export const BREAKAGES: readonly Breakage[] = [
    {
        title: "a VirtualService routes to a host with a typo",
        apply: editing("VirtualService", "kiali-dashboard", (vs) => {
            for (const http of (vs.spec as { http: Route[] }).http) {
                for (const route of http.route) route.destination.host = "kiali.istio-sytem.svc.cluster.local";
            }
        }),
        expected: [{ code: "IST0101", level: "Error", resource: "VirtualService istio-ingress/kiali-dashboard" }],
    },
    {
        title: "the default revision tag's webhook calls a Service that does not exist",
        apply: editing("MutatingWebhookConfiguration", "istio-revision-tag-default", (config) => {
            for (const webhook of config.webhooks as Webhook[])
                webhook.clientConfig.service.name = `istiod-${MISSING_REVISION}`;
        }),
        expected: [
            { code: "IST0139", level: "Error", resource: "MutatingWebhookConfiguration istio-revision-tag-default" },
        ],
    },
    {
        title: "the ingress gateway is put on a revision that does not exist",
        apply: editing("Deployment", "istio-ingressgateway", (deployment) => {
            const template = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } })
                .template;
            template.metadata.labels["istio.io/rev"] = MISSING_REVISION;
        }),
        expected: [
            // The pod keeps `image: auto`, since no webhook selects it; so would every gateway pod.
            { code: "IST0147", level: "Error", resource: "Pod istio-ingress/istio-ingressgateway-pod" },
            { code: "IST0146", level: "Warning", resource: "Deployment istio-ingress/istio-ingressgateway" },
        ],
    },
];
