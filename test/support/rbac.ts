import { ProgramRun } from "./program";
import { K8sObject } from "./render";

/**
 * What a ServiceAccount may do, read from rendered RBAC objects: the rules of every Role
 * and ClusterRole a binding grants it, as the API server would resolve them.
 */

export interface PolicyRule {
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
    verbs: string[];
}

interface Binding extends K8sObject {
    roleRef: { kind: "Role" | "ClusterRole"; name: string };
    subjects?: { kind: string; name: string; namespace?: string }[];
}

/** One rule a subject holds, with the role that grants it and where it applies. */
export interface GrantedRule {
    /** `ClusterRole kiali-viewer`, or `Role istio-system/x`. */
    role: string;
    /** The namespace a RoleBinding limits the rule to, or "*" for a ClusterRoleBinding. */
    scope: string;
    rule: PolicyRule;
}

export interface ServiceAccountRef {
    namespace: string;
    name: string;
}

/**
 * Every rule bound to `account` by the bindings among `objects`. A binding whose role is not
 * among `objects` is reported as a rule with the verb `<role not rendered>`, so that a check
 * never passes by not seeing a grant.
 */
export function rulesBoundTo(objects: readonly K8sObject[], account: ServiceAccountRef): GrantedRule[] {
    const bindings = objects.filter(
        (o): o is Binding =>
            (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") &&
            ((o as Binding).subjects ?? []).some(
                (s) =>
                    s.kind === "ServiceAccount" &&
                    s.name === account.name &&
                    // A RoleBinding's ServiceAccount without a namespace is of the binding's
                    // namespace, as the API server's RBAC authorizer reads it.
                    (s.namespace ?? (o.kind === "RoleBinding" ? o.metadata.namespace : undefined)) ===
                        account.namespace,
            ),
    );
    return bindings.flatMap((binding) => {
        const scope = binding.kind === "ClusterRoleBinding" ? "*" : (binding.metadata.namespace ?? "");
        const role = objects.find(
            (o) =>
                o.kind === binding.roleRef.kind &&
                o.metadata.name === binding.roleRef.name &&
                (o.kind === "ClusterRole" || o.metadata.namespace === binding.metadata.namespace),
        );
        const roleLabel = `${binding.roleRef.kind} ${binding.roleRef.kind === "Role" ? `${scope}/` : ""}${binding.roleRef.name}`;
        if (role === undefined) {
            return [{ role: roleLabel, scope, rule: { verbs: ["<role not rendered>"] } }];
        }
        return ((role.rules as PolicyRule[] | undefined) ?? []).map((rule) => ({ role: roleLabel, scope, rule }));
    });
}

/** The RBAC objects a program run registers itself, as the API server would hold them. */
export function registeredRbac(run: ProgramRun): K8sObject[] {
    return run.registrations
        .filter((r) => /^kubernetes:rbac\.authorization\.k8s\.io\/v1:(Cluster)?Role(Binding)?$/.test(r.type))
        .map((r) => ({ kind: r.type.slice(r.type.lastIndexOf(":") + 1), ...r.inputs }) as unknown as K8sObject);
}

/** Verbs that read; anything else may change the cluster. */
const READ_VERBS = new Set(["get", "list", "watch"]);

/**
 * `create` on these changes nothing stored: a review API answers and forgets, a port-forward
 * opens a stream to a pod. Kiali's viewer role holds both (it checks tokens, and reads a
 * proxy's Envoy configuration over a port-forward).
 */
const NON_PERSISTENT_CREATES = new Set(["authentication.k8s.io/tokenreviews", "/pods/portforward"]);

/** Each granted rule that may change the cluster, as `role: verb group/resource`. */
export function writeGrants(rules: readonly GrantedRule[]): string[] {
    return rules.flatMap(({ role, rule }) => {
        const targets = (rule.apiGroups ?? [""]).flatMap((group) =>
            (rule.resources ?? rule.nonResourceURLs ?? []).map((resource) => `${group}/${resource}`),
        );
        return rule.verbs.flatMap((verb) => {
            if (READ_VERBS.has(verb)) {
                return [];
            }
            const writes =
                verb === "create" ? targets.filter((target) => !NON_PERSISTENT_CREATES.has(target)) : targets;
            return writes.length === 0 && verb === "create" ? [] : [`${role}: ${verb} ${writes.join(", ")}`.trim()];
        });
    });
}
