import type * as k8s from "@pulumi/kubernetes";
import { DEFAULT_TAG, istiodName, RevisionTag } from "../args/revisions";

/**
 * The objects of a revision tag, as the istiod chart renders them for `revisionTags`
 * (templates/revision-tags-mwc.yaml and revision-tags-svc.yaml): an injection webhook
 * configuration `istio-revision-tag-<tag>` and a Service `istiod-revision-tag-<tag>`, both
 * pointing to the tagged revision. We write them ourselves, so that moving a tag is an
 * update of one object rather than the object moving from one istiod release to another
 * (see mesh/revision-tags.ts). test/revisions.test.ts holds them equal to the chart's.
 */

type MutatingWebhook = k8s.types.input.admissionregistration.v1.MutatingWebhook;
type LabelSelector = k8s.types.input.meta.v1.LabelSelector;

/** Labels the chart gives both objects, less Helm's release bookkeeping. */
function tagLabels(tag: RevisionTag, revision: string): Record<string, string> {
    return {
        "istio.io/tag": tag,
        // istiod patches the CA bundle into webhooks labelled with its revision; Kiali matches tags to control planes by it.
        "istio.io/rev": revision,
        "install.operator.istio.io/owning-resource": "unknown",
        "operator.istio.io/component": "Pilot",
        "app.kubernetes.io/name": "istiod",
        "app.kubernetes.io/part-of": "istio",
    };
}

const absent = (key: string): { key: string; operator: string } => ({ key, operator: "DoesNotExist" });
const oneOf = (key: string, value: string): { key: string; operator: string; values: string[] } => ({
    key,
    operator: "In",
    values: [value],
});
const notDisabled = { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] };

/**
 * Which pods each webhook of the tag injects. Every tag serves `istio.io/rev=<tag>` on a
 * namespace or a pod; the `default` tag also serves `istio-injection=enabled` namespaces and
 * pods marked `sidecar.istio.io/inject=true`, as an install without revisions does.
 */
function tagSelectors(
    tag: RevisionTag,
): { prefix: string; namespaceSelector: LabelSelector; objectSelector: LabelSelector }[] {
    const byRevisionLabel = [
        {
            prefix: "rev.namespace.",
            namespaceSelector: { matchExpressions: [oneOf("istio.io/rev", tag), absent("istio-injection")] },
            objectSelector: { matchExpressions: [notDisabled] },
        },
        {
            prefix: "rev.object.",
            namespaceSelector: { matchExpressions: [absent("istio.io/rev"), absent("istio-injection")] },
            objectSelector: { matchExpressions: [notDisabled, oneOf("istio.io/rev", tag)] },
        },
    ];
    if (tag !== DEFAULT_TAG) {
        return byRevisionLabel;
    }
    return [
        ...byRevisionLabel,
        {
            prefix: "namespace.",
            namespaceSelector: { matchExpressions: [oneOf("istio-injection", "enabled")] },
            objectSelector: { matchExpressions: [notDisabled] },
        },
        {
            prefix: "object.",
            namespaceSelector: { matchExpressions: [absent("istio-injection"), absent("istio.io/rev")] },
            objectSelector: { matchExpressions: [oneOf("sidecar.istio.io/inject", "true"), absent("istio.io/rev")] },
        },
    ];
}

export function revisionTagWebhookName(tag: RevisionTag): string {
    return `istio-revision-tag-${tag}`;
}

export interface RevisionTagWebhook {
    metadata: { name: string; labels: Record<string, string> };
    webhooks: MutatingWebhook[];
}

/** `istio-revision-tag-<tag>`: injects the tag's pods with `revision`'s istiod in `namespace`. */
export function revisionTagWebhook(tag: RevisionTag, revision: string, namespace: string): RevisionTagWebhook {
    return {
        metadata: {
            name: revisionTagWebhookName(tag),
            labels: { ...tagLabels(tag, revision), app: "sidecar-injector" },
        },
        webhooks: tagSelectors(tag).map(({ prefix, namespaceSelector, objectSelector }) => ({
            name: `${prefix}sidecar-injector.istio.io`,
            clientConfig: { service: { name: istiodName(revision), namespace, path: "/inject", port: 443 } },
            sideEffects: "None",
            rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
            failurePolicy: "Fail",
            reinvocationPolicy: "Never",
            admissionReviewVersions: ["v1"],
            namespaceSelector,
            objectSelector,
        })),
    };
}

export interface RevisionTagService {
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        ports: { port: number; name: string; protocol: string; targetPort?: number }[];
        selector: Record<string, string>;
    };
}

/** `istiod-revision-tag-<tag>`: the tagged revision's istiod under the tag's name. */
export function revisionTagService(tag: RevisionTag, revision: string, namespace: string): RevisionTagService {
    return {
        metadata: {
            name: `istiod-revision-tag-${tag}`,
            namespace,
            labels: { ...tagLabels(tag, revision), app: "istiod", istio: "pilot" },
        },
        spec: {
            ports: [
                { port: 15010, name: "grpc-xds", protocol: "TCP" },
                { port: 15012, name: "https-dns", protocol: "TCP" },
                { port: 443, name: "https-webhook", targetPort: 15017, protocol: "TCP" },
                { port: 15014, name: "http-monitoring", protocol: "TCP" },
            ],
            selector: { app: "istiod", "istio.io/rev": revision },
        },
    };
}
