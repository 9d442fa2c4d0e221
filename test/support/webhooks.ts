import { K8sObject } from "./render";

/**
 * Whether two injection webhooks can both match one pod. A pod in a namespace matches a
 * webhook when the namespace's labels satisfy its namespaceSelector and the pod's labels its
 * objectSelector; two webhooks are disjoint when no labelling satisfies both on one side.
 * Istio's selectors use only matchExpressions, which is all this reads.
 */

interface Requirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

interface Selector {
    matchExpressions?: Requirement[];
    matchLabels?: Record<string, string>;
}

export interface InjectionWebhook {
    /** `<configuration>/<webhook>`, e.g. `istio-revision-tag-default/namespace.sidecar-injector.istio.io`. */
    name: string;
    namespaceSelector: Selector;
    objectSelector: Selector;
}

/** Every webhook of the MutatingWebhookConfigurations among `objects`. */
export function injectionWebhooks(objects: readonly K8sObject[]): InjectionWebhook[] {
    return objects
        .filter((o) => o.kind === "MutatingWebhookConfiguration")
        .flatMap((o) =>
            (
                (o.webhooks as
                    | { name: string; namespaceSelector?: Selector; objectSelector?: Selector }[]
                    | undefined) ?? []
            ).map((w) => ({
                name: `${o.metadata.name}/${w.name}`,
                namespaceSelector: w.namespaceSelector ?? {},
                objectSelector: w.objectSelector ?? {},
            })),
        );
}

function requirements(selector: Selector): Requirement[] {
    const labels = Object.entries(selector.matchLabels ?? {}).map(
        ([key, value]): Requirement => ({ key, operator: "In", values: [value] }),
    );
    return [...labels, ...(selector.matchExpressions ?? [])];
}

/** Whether a label value (undefined: the label is absent) satisfies a requirement. */
function satisfies(value: string | undefined, requirement: Requirement): boolean {
    switch (requirement.operator) {
        case "In":
            return value !== undefined && (requirement.values ?? []).includes(value);
        case "NotIn":
            return value === undefined || !(requirement.values ?? []).includes(value);
        case "Exists":
            return value !== undefined;
        case "DoesNotExist":
            return value === undefined;
    }
}

/** Whether one set of labels can satisfy both selectors: each key is independent. */
function compatible(a: Selector, b: Selector): boolean {
    const all = [...requirements(a), ...requirements(b)];
    return [...new Set(all.map((r) => r.key))].every((key) => {
        const on = all.filter((r) => r.key === key);
        // A value any requirement names, absence, or a value none names: one of these decides.
        const candidates = [undefined, "\0other", ...on.flatMap((r) => r.values ?? [])];
        return candidates.some((value) => on.every((r) => satisfies(value, r)));
    });
}

/** Whether some pod in some namespace matches both webhooks. */
export function canBothMatch(a: InjectionWebhook, b: InjectionWebhook): boolean {
    return compatible(a.namespaceSelector, b.namespaceSelector) && compatible(a.objectSelector, b.objectSelector);
}

/** Every pair of webhooks that can inject the same pod, by name. */
export function overlappingWebhooks(webhooks: readonly InjectionWebhook[]): string[] {
    return webhooks.flatMap((a, i) =>
        webhooks
            .slice(i + 1)
            .filter((b) => canBothMatch(a, b))
            .map((b) => `${a.name} & ${b.name}`),
    );
}

/** The pod a webhook would serve: which labels on a namespace and a pod select it. */
export function matches(
    webhook: InjectionWebhook,
    namespaceLabels: Record<string, string>,
    podLabels: Record<string, string>,
): boolean {
    return (
        requirements(webhook.namespaceSelector).every((r) => satisfies(namespaceLabels[r.key], r)) &&
        requirements(webhook.objectSelector).every((r) => satisfies(podLabels[r.key], r))
    );
}
