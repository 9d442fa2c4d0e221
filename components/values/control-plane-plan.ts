import {
    allRevisions,
    CANARY_TAG,
    compareVersions,
    ControlPlaneRevision,
    DEFAULT_TAG,
    istiodName,
    MeshRevisions,
    newestVersion,
    RevisionTag,
    TagTarget,
} from "../args/revisions";
import { LastControlPlanes, lastCaptured } from "../args/upgrade-guard";
import { istioMinor, istioRevision } from "../versions";
import type { AmbientSettings } from "../args/ambient";

/**
 * The control planes of one step of an upgrade, decided from config alone: which istiods run
 * and why, where each revision tag points, which istiod validates Istio resources, what must
 * already run in the cluster, and which namespace each tag serves. index.ts only wires
 * components from this plan; test/control-plane-plan.test.ts holds every step's plan.
 */

/** Why an istiod runs in this step. */
export type IstiodRole =
    /** `istioVersion`: the `default` tag, the gateways and the mesh-wide resources follow it. */
    | "stable"
    /** `canaryVersion`: tagged `canary`, serving only the namespaces moved to it. */
    | "canary"
    /** `previousVersion`: what a promotion replaced, untagged, kept for the proxies it started. */
    | "previous"
    /** `unrevisionedVersion`: the istiod of before revisions, kept for the proxies it started. */
    | "pre-revision";

export interface PlannedIstiod extends ControlPlaneRevision {
    /** Its Helm release, Deployment and Service: `istiod-1-31-4`, or `istiod` before revisions. */
    readonly name: string;
    readonly role: IstiodRole;
    /**
     * The older minor whose behaviour it keeps (istiod's `compatibilityVersion`), while an
     * istiod of that minor runs beside it: a minor's canary, and after the promotion the
     * stable, behave as the mesh did until the old minor is retired. Then the retirement's
     * preview shows the new behaviour arrive, in istiod's environment, on its own.
     */
    readonly compatibilityVersion?: string;
    /**
     * Whether it must be running already: kept istiods serve proxies that run, so the program
     * reads their Deployments first, and a wrong version fails the preview by name.
     */
    readonly mustBeRunning: boolean;
}

/**
 * A namespace in the mesh and its data plane: the tag whose webhooks inject its pods
 * (`injectionNamespaces`), or ambient capture by ztunnel (`ambientNamespaces`).
 */
export type NamespaceTag =
    | {
          readonly namespace: string;
          readonly tag: RevisionTag;
          /**
           * It was labelled ambient at the last deployment and is on its way back to
           * sidecars: it keeps the ambient label, so its running pods stay captured by ztunnel
           * until restarted with a sidecar (the CNI agent never captures a pod with a
           * sidecar), until a step releases it (`ambientReleasedNamespaces`).
           */
          readonly leavingAmbient?: true;
      }
    | {
          readonly namespace: string;
          readonly ambient: { readonly waypoint: boolean };
      };

export interface ControlPlanePlan {
    /** Every istiod, oldest first. */
    readonly istiods: readonly PlannedIstiod[];
    /** The Istio release of the base chart: the newest running, since the CRDs serve every revision. */
    readonly crdVersion: string;
    /**
     * The revision whose istiod the base chart's default validator calls for every Istio
     * resource: the one the `default` tag points to, once it runs. The base chart is applied
     * before any istiod, so in a step that creates the stable istiod (a promotion without a
     * canary first, the move to revisions) the validator stays on the istiod the last
     * deployment's `default` tag pointed to, which runs (absent: the istiod of before
     * revisions); a first install has none, and nothing writes Istio resources before istiod.
     */
    readonly validatingRevision?: string;
    /** Each revision tag and the revision it points to. */
    readonly tags: readonly TagTarget[];
    /** The stable istiod: the gateways' proxies and the mesh-wide Istio resources wait for it. */
    readonly stableIstiod: string;
    /** The revision that injects the gateways: the stable one (the `default` tag's). */
    readonly gatewayRevision: string;
    /**
     * The revision the gateways ran at the last deployment, when this step moves them: their
     * Deployments' pod template changes, so they roll onto the new revision by themselves.
     */
    readonly gatewaysMovedFrom?: string;
    /** Each namespace in the mesh, sorted, with its tag or ambient capture. */
    readonly namespaces: readonly NamespaceTag[];
    /**
     * Whether a namespace on the `default` tag may still run proxies of an older istiod (a
     * previous or pre-revision one runs): each owes a restart until that istiod is retired.
     */
    readonly defaultTagRestartOwed: boolean;
    /**
     * Whether every sidecar owes a restart because this step turns ambient on: ambient pods
     * and waypoints reach a sidecar over HBONE only if it was injected with the ambient
     * profile (its `ENABLE_HBONE` and `networking.istio.io/tunnel` label), so before any
     * namespace moves.
     */
    readonly sidecarsOweHbone: boolean;
}

/** What the plan reads of the settings. */
export interface ControlPlaneSettings {
    readonly revisions: MeshRevisions;
    readonly injectionNamespaces: readonly string[];
    readonly canaryNamespaces: readonly string[];
    readonly ambient?: Pick<AmbientSettings, "namespaces" | "waypointNamespaces" | "releasedNamespaces">;
}

/** What the plan reads of the stack's last deployment. */
export interface LastPlanned {
    /** Its `controlPlanes` output. */
    readonly controlPlanes?: LastControlPlanes;
    /** Its `ambientNamespaces` output. */
    readonly ambientNamespaces?: readonly string[];
    /** Its `capturedNamespaces` output: those labelled ambient, moving back ones included. */
    readonly capturedNamespaces?: readonly string[];
}

/**
 * A namespace the last deployment left labelled ambient keeps the label on its way back to
 * sidecars until the operator releases it (`ambientReleasedNamespaces`), whatever `up` runs
 * meanwhile: its unrestarted pods have no sidecar, and without the label no ztunnel either.
 */
function meshNamespaces(settings: ControlPlaneSettings, lastAmbient: readonly string[]): NamespaceTag[] {
    const ambient = settings.ambient;
    const released = ambient?.releasedNamespaces ?? [];
    const sidecars = settings.injectionNamespaces.map(
        (namespace): NamespaceTag => ({
            namespace,
            tag: settings.canaryNamespaces.includes(namespace) ? CANARY_TAG : DEFAULT_TAG,
            ...(lastAmbient.includes(namespace) && !released.includes(namespace) && { leavingAmbient: true as const }),
        }),
    );
    const captured = (ambient?.namespaces ?? []).map(
        (namespace): NamespaceTag => ({
            namespace,
            ambient: { waypoint: (ambient?.waypointNamespaces ?? []).includes(namespace) },
        }),
    );
    return [...sidecars, ...captured].sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
}

function gatewaysMovedFrom(
    last: LastControlPlanes | undefined,
    revision: string,
): Pick<ControlPlanePlan, "gatewaysMovedFrom"> {
    const lastDefault = Object.values(last ?? {}).find((plane) => plane.tag === DEFAULT_TAG);
    const from = lastDefault === undefined ? undefined : istioRevision(lastDefault.version);
    return from === undefined || from === revision ? {} : { gatewaysMovedFrom: from };
}

/** Where the default validator points in this step; see ControlPlanePlan.validatingRevision. */
function validator(
    istiods: readonly PlannedIstiod[],
    last: LastControlPlanes | undefined,
): Pick<ControlPlanePlan, "validatingRevision"> {
    if (istiods.some((istiod) => istiod.role === "pre-revision")) {
        return {};
    }
    const stable = istiods.find((istiod) => istiod.role === "stable") as PlannedIstiod;
    const ran = last?.[stable.name] !== undefined;
    const lastDefault = Object.keys(last ?? {}).find((name) => last?.[name].tag === DEFAULT_TAG);
    const kept = istiods.find((istiod) => istiod.name === lastDefault && istiod.revision !== undefined);
    return { validatingRevision: (ran || kept === undefined ? stable : kept).revision };
}

function roleOf(revisions: MeshRevisions, istiod: ControlPlaneRevision): IstiodRole {
    if (istiod === revisions.stable) {
        return "stable";
    }
    if (istiod === revisions.canary) {
        return "canary";
    }
    return istiod === revisions.previous ? "previous" : "pre-revision";
}

/**
 * @param lastDeployment what the stack's last deployment ran (its `controlPlanes` and
 *   `ambientNamespaces` outputs); none for a first install
 */
export function planControlPlanes(settings: ControlPlaneSettings, lastDeployment?: LastPlanned): ControlPlanePlan {
    const { revisions } = settings;
    const last = lastDeployment?.controlPlanes;
    const stable = revisions.stable;
    const running = allRevisions(revisions);
    const oldestMinor = istioMinor(running.map((istiod) => istiod.version).sort(compareVersions)[0]);
    const istiods = running.map((istiod): PlannedIstiod => {
        const role = roleOf(revisions, istiod);
        return {
            ...istiod,
            name: istiodName(istiod.revision),
            role,
            mustBeRunning: role === "previous" || role === "pre-revision",
            ...(istioMinor(istiod.version) !== oldestMinor && { compatibilityVersion: oldestMinor }),
        };
    });
    return {
        istiods,
        crdVersion: newestVersion(revisions),
        ...validator(istiods, last),
        ...gatewaysMovedFrom(last, stable.revision),
        tags: istiods.flatMap((istiod) =>
            istiod.tag === undefined || istiod.revision === undefined
                ? []
                : [{ tag: istiod.tag, revision: istiod.revision }],
        ),
        stableIstiod: istiodName(stable.revision),
        gatewayRevision: stable.revision,
        namespaces: meshNamespaces(settings, lastCaptured(lastDeployment)),
        defaultTagRestartOwed: istiods.some((istiod) => istiod.mustBeRunning),
        sidecarsOweHbone:
            settings.ambient !== undefined &&
            Object.values(last ?? {}).some((plane) => plane.tag === DEFAULT_TAG && plane.ambient !== true),
    };
}

/**
 * What `restartCommands` says of the gateways in a step that moves them, as a shell comment
 * (the list stays safe to paste): nothing to run, they roll by themselves.
 * @param gateways each gateway as `namespace/name`
 */
export function gatewayMoveNotes(plan: ControlPlanePlan, gateways: readonly string[]): string[] {
    return plan.gatewaysMovedFrom === undefined
        ? []
        : [
              `# ${gateways.join(", ")}: roll from revision ${plan.gatewaysMovedFrom} onto ${plan.gatewayRevision} by themselves (their pod template changes); nothing to run`,
          ];
}
