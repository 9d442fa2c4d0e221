// The checks across settings, run once every setting is read: what no single setting shows.
import type { MeshKey } from "./arg-paths";
import { SAMPLE_APP_NAMESPACE } from "./defaults";
import { exposureProblems, exposureWarnings } from "./exposure";
import { idleKeyWarnings } from "./idle-settings";
import type { SettingsChecker } from "./checker";
import type { MeshSettings } from "./settings";
import { EAST_WEST_NAMESPACE } from "./membership";
import { show } from "./text";
import { workloadWarnings } from "./workloads";

/** The control plane's namespace, where the root CA's Secrets are. */
const ISTIO_SYSTEM = "istio-system";
/** The checks across settings that need them all read. */
export function crossChecks(
    settings: MeshSettings,
    check: SettingsChecker,
    ambientKeys: { ambientNamespaces: readonly string[] },
    deployedBefore: boolean,
): void {
    const k = (key: MeshKey): string => check.key(key);
    // A gateway shares its namespace with no application of any kind: its role reads every
    // Secret there, anyone who may write routes there binds them to its hosts and
    // certificates, its pods' labels are what the NetworkPolicies admit, and a namespace-wide
    // deny written for the gateway would cut the application's HBONE and probes.
    const applications: [MeshKey, readonly string[]][] = [
        ["injectionNamespaces", settings.injectionNamespaces],
        ["ambientNamespaces", ambientKeys.ambientNamespaces],
    ];
    const gateways: [MeshKey, string, boolean][] = [
        ["ingressNamespace", settings.gatewayNamespaces.ingress, true],
        ["egressNamespace", settings.gatewayNamespaces.egress, settings.egressGateway],
    ];
    for (const [name, namespace, deployed] of gateways) {
        const listedIn = applications.filter(([, namespaces]) => namespaces.includes(namespace)).map(([list]) => list);
        if (deployed && listedIn.length > 0) {
            check.crossKeyProblem(
                name,
                `${show(namespace)} is in ${listedIn.map(k).join(" and ")}, an application's namespace; the gateway's role reads every Secret of its namespace, and whoever may write routes or label pods there could take its hosts, its certificates and its network access, so give it one of its own, e.g. istio-${name === "ingressNamespace" ? "ingress" : "egress"}`,
                listedIn,
            );
        }
    }
    // A mesh of several's east-west gateway has a namespace of its own, for the same reasons.
    if (settings.membership?.eastWestGateway === true) {
        for (const [list, namespaces] of [...applications, ...gateways.map(([key, ns]) => [key, [ns]] as const)]) {
            if (namespaces.includes(EAST_WEST_NAMESPACE)) {
                check.problem(
                    list,
                    `${show(EAST_WEST_NAMESPACE)} is the east-west gateway's namespace in a mesh across networks, which reads every Secret there and takes the other networks' traffic; use another namespace`,
                );
            }
        }
    }
    // The sample application's namespace is the mesh's: created, labelled and deleted with it.
    const sampleNamespaces: [MeshKey, readonly string[]][] = [
        ...applications,
        ["ingressNamespace", [settings.gatewayNamespaces.ingress]],
        ["egressNamespace", settings.egressGateway ? [settings.gatewayNamespaces.egress] : []],
    ];
    for (const [key, namespaces] of sampleNamespaces) {
        if (settings.sampleApp && namespaces.includes(SAMPLE_APP_NAMESPACE)) {
            check.crossKeyProblem(
                key,
                `${show(SAMPLE_APP_NAMESPACE)} is the sample application's namespace, which the mesh creates, labels and deletes with ${k("sampleApp")}; use another namespace here, or set ${k("sampleApp")}: false`,
                ["sampleApp"],
            );
        }
    }
    // Allowed only so that a mesh deployed with its gateways there keeps them until it moves
    // them, said in every preview; refused for a new mesh, and in a mesh of several, whose
    // istio-system also holds its intermediate CA and the other clusters' reader tokens.
    for (const [name, namespace, deployed] of gateways) {
        if (deployed && namespace === ISTIO_SYSTEM) {
            const why = `${show(namespace)} puts the gateway beside the root CA: its role reads every Secret of its namespace, cacerts and istio-ca-secret included, so whoever takes the gateway's pod takes the mesh's identity; give it a namespace of its own, e.g. istio-${name === "ingressNamespace" ? "ingress" : "egress"} (docs/upgrades.md, gateways in their own namespaces)`;
            if (deployedBefore && settings.membership === undefined) {
                check.warning(name, why);
            } else {
                check.problem(
                    name,
                    `${why}; only a mesh deployed before may keep it there for now, and never one of several clusters`,
                );
            }
        }
    }
    for (const [name, message, restsOn] of exposureProblems(settings, k)) {
        check.crossKeyProblem(name as MeshKey, message, restsOn as MeshKey[]);
    }
    for (const [name, message, restsOn] of exposureWarnings(settings, k)) {
        if (!check.failed(name as MeshKey, ...(restsOn as MeshKey[]))) {
            check.warning(name as MeshKey, message);
        }
    }
    // A key with no effect here deploys, with a warning: turning a part off stays one change.
    for (const [name, message, restsOn] of idleKeyWarnings(settings, (key) => check.given(key), k)) {
        if (!check.failed(name, restsOn)) {
            check.warning(name, message);
        }
    }
    for (const [name, message] of workloadWarnings(settings, k)) {
        check.warning(name, message);
    }
}
