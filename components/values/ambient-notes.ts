import { ISTIO_NAMESPACE } from "./istio-values";

/**
 * What `restartCommands` and the preview say when a namespace joins ambient, keeps its
 * ambient label on the way back to sidecars, or has it released: shell comments, so that
 * the list stays safe to paste, each with the command that checks what the step risks.
 */

/** The policy fields ztunnel drops (pilot/pkg/serviceregistry/ambient/authorization.go, httpOperations and httpSources). */
const L7_FIELDS = "^(not)?([Hh]osts|[Mm]ethods|[Pp]aths|[Rr]equestPrincipals|[Rr]emoteIpBlocks)$";

/** The only `when` keys ztunnel enforces (the same file's l4WhenAttributes); any other is L7 to it. */
const L4_CONDITIONS = ["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"];

/**
 * Lists the AuthorizationPolicies of `namespace` and of the mesh root that select workloads
 * (not `targetRefs`, which are a waypoint's) and that ztunnel would not enforce as written:
 * CUSTOM and AUDIT, which it drops, and any with an L7 condition (hosts, methods, paths,
 * request principals, remote IPs, any `when` key but the five L4 ones), whose ALLOW rules then allow nothing
 * and whose DENY rules deny nothing. One line per policy: `namespace/name ACTION`.
 */
export function ambientPolicyAudit(namespace: string): string {
    const filter = [
        `.items[] | select(.metadata.namespace == "${namespace}" or .metadata.namespace == "${ISTIO_NAMESPACE}")`,
        `select((.spec.targetRefs // []) == [] and .spec.targetRef == null)`,
        `select(.spec.action == "CUSTOM" or .spec.action == "AUDIT" or ([.spec.rules[]? | (.to[]?.operation // {} | keys[] | select(test("${L7_FIELDS}"))), (.from[]?.source // {} | keys[] | select(test("${L7_FIELDS}"))), (.when[]?.key // empty | select(IN(${L4_CONDITIONS.map((key) => `"${key}"`).join(", ")}) | not))] | length > 0))`,
        `"\\(.metadata.namespace)/\\(.metadata.name) \\(.spec.action // "ALLOW")"`,
    ].join(" | ");
    return `kubectl get authorizationpolicies.security.istio.io -A -o json | jq -r '${filter}'`;
}

/**
 * Lists the running pods of `namespace` that should have a sidecar and have none (a native
 * sidecar is an init container): not those finished (a Job's), nor those that opt out with
 * `sidecar.istio.io/inject: "false"`, which no restart gives one.
 */
export function podsWithoutSidecar(namespace: string): string {
    return `kubectl get pods -n ${namespace} -o json | jq -r '.items[] | select(.status.phase != "Succeeded" and .status.phase != "Failed") | select((.metadata.labels["sidecar.istio.io/inject"] // .metadata.annotations["sidecar.istio.io/inject"] // "") != "false") | select([.spec.containers[].name, .spec.initContainers[]?.name] | index("istio-proxy") | not) | .metadata.name'`;
}

/** Said in the step that moves `namespace` to ambient, before it happens. */
export function joinsAmbientNote(namespace: string): string {
    return `# ${namespace} joins ambient: ztunnel enforces no CUSTOM or AUDIT AuthorizationPolicy (ext_authz stops applying) and only the L4 part of the others (an ALLOW with L7 rules then allows nothing, a DENY's L7 rule denies nothing); rewrite for a waypoint what this lists first: ${ambientPolicyAudit(namespace)}`;
}

/** Said in each step while `namespace` keeps its ambient label on its way back to sidecars. */
export function keepsAmbientNote(namespace: string, releaseKey: string): string {
    return `# ${namespace} stays labelled ambient until ${releaseKey} lists it: restart it, check that this lists no pod, then release it: ${podsWithoutSidecar(namespace)}`;
}

/** Said in the step that releases `namespace`'s ambient label. */
export function releasesAmbientNote(namespace: string): string {
    return `# ${namespace}'s ambient label goes in this step: a pod still without a sidecar leaves the mesh; this must list none: ${podsWithoutSidecar(namespace)}`;
}
