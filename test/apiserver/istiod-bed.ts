import type { StackRender } from "../support/render";
import { applyStep } from "./apply-step";
import { KubeClient, KubeObject } from "./client";
import { ControlPlane } from "./control-plane";
import { Deployable, deployables } from "./deployables";
import { Istiod, istiodSpecs } from "./istiod";
import { validationsPassed } from "./istiod-checks";

/**
 * One API server with admission webhooks on, and an istiod per revision of the step applied
 * last, started as the step's Deployments would start them: the objects that need no
 * webhook are applied first (Services, ConfigMaps, webhook configurations: what istiod reads),
 * then each istiod whose revision is new or whose Deployment or ConfigMaps changed is
 * (re)started, as a rollout would, and waited for until ready and its webhooks carry its CA;
 * only then the Istio resources, which the base chart's validator, failing closed, sends to
 * istiod. An istiod whose revision the step no longer has is stopped.
 */

/** API groups whose resources istiod's validating webhooks check. */
const VALIDATED_GROUPS = ["networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"];

/** Whether istiod's validating webhook admits this object: an Istio resource, not a label patch. */
export function isIstioResource(d: Deployable): boolean {
    return !d.patch && VALIDATED_GROUPS.includes(d.object.apiVersion.split("/")[0]);
}

export interface StepOutcome {
    /** What the API server refused, Istio resources included: object and message (istiod's for its webhook). */
    refusals: string[];
    /** The Istio resources of the step, each applied through istiod's webhook. */
    istioResources: Deployable[];
    /** Milliseconds from start to ready of each istiod (re)started in this step, by revision. */
    readyAfterMs: Record<string, number>;
    /** Admission requests istiod's validating webhooks passed while the Istio resources were applied. */
    validated: number;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export class IstiodBed {
    readonly istiods = new Map<string, Istiod>();
    private previous: Deployable[] = [];
    /** Where each istiod's log stood when the step began: a step answers only for what it logged. */
    private logOffsets = new Map<Istiod, number>();

    constructor(
        readonly plane: ControlPlane,
        private readonly binary: string,
        /** Added to each istiod's environment (the way to the other clusters, for a mesh of several). */
        private readonly env: Record<string, string> = {},
    ) {}

    get client(): KubeClient {
        return this.plane.client;
    }

    /** Applies `render` over the step before, with its istiods; resolves to what happened. */
    async apply(render: StackRender): Promise<StepOutcome> {
        this.logOffsets = new Map([...this.istiods.values()].map((istiod) => [istiod, istiod.log().length]));
        const current = deployables(render);
        const before = this.previous;
        this.previous = current;
        const withoutWebhook = (list: Deployable[]): Deployable[] => list.filter((d) => !isIstioResource(d));
        const istio = (list: Deployable[]): Deployable[] => list.filter(isIstioResource);
        const first = await applyStep(this.client, withoutWebhook(current), withoutWebhook(before));
        const readyAfterMs = await this.reconcile(current.map((d) => d.object));
        const passedBefore = await this.validationsPassed();
        const second = await applyStep(this.client, istio(current), istio(before));
        const validated = (await this.validationsPassed()) - passedBefore;
        return {
            refusals: [...first.refusals, ...second.refusals],
            istioResources: istio(current),
            readyAfterMs,
            validated,
        };
    }

    /** Admission requests all running istiods' validating webhooks have passed. */
    private async validationsPassed(): Promise<number> {
        let sum = 0;
        for (const istiod of this.istiods.values()) sum += await validationsPassed(istiod);
        return sum;
    }

    /** Stops, starts and restarts istiods so that one runs per revision of `objects`, each ready. */
    private async reconcile(objects: readonly KubeObject[]): Promise<Record<string, number>> {
        const specs = new Map(istiodSpecs(objects).map((spec) => [spec.revision, spec]));
        for (const [revision, istiod] of [...this.istiods]) {
            if (specs.get(revision)?.digest !== istiod.spec.digest) {
                await istiod.stop();
                this.istiods.delete(revision);
            }
        }
        const started: Istiod[] = [];
        for (const spec of specs.values()) {
            if (this.istiods.has(spec.revision)) continue;
            const istiod = await Istiod.start(this.binary, this.client, spec, this.env);
            this.istiods.set(spec.revision, istiod);
            started.push(istiod);
        }
        const readyAfterMs: Record<string, number> = {};
        for (const istiod of started) readyAfterMs[istiod.spec.revision] = await istiod.waitReady();
        for (const istiod of started) await this.waitForCaBundles(istiod.spec.revision);
        return readyAfterMs;
    }

    /**
     * Waits until every webhook configuration labelled with `revision` carries a CA bundle:
     * istiod patches its own, and until then the API server cannot call it.
     */
    private async waitForCaBundles(revision: string, timeoutMs = 30_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const missing: string[] = [];
            for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
                const list = await this.client.raw(
                    "GET",
                    `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s?labelSelector=istio.io%2Frev%3D${revision}`,
                );
                const items = (JSON.parse(list.body) as { items: KubeObject[] }).items;
                for (const config of items) {
                    const hooks = config.webhooks as { name: string; clientConfig: { caBundle?: string } }[];
                    for (const hook of hooks.filter((h) => !h.clientConfig.caBundle)) {
                        missing.push(`${kind} ${config.metadata.name}/${hook.name}`);
                    }
                }
            }
            if (missing.length === 0) return;
            if (Date.now() > deadline) {
                throw new Error(
                    `istiod ${revision} patched no CA bundle into ${missing.join(", ")} in ${timeoutMs / 1000} s`,
                );
            }
            await sleep(200);
        }
    }

    /** Where `istiod`'s log stood when the last step began; 0 for one (re)started in it. */
    logOffset(istiod: Istiod): number {
        return this.logOffsets.get(istiod) ?? 0;
    }

    /** Stops every istiod, then the control plane. */
    async stop(): Promise<void> {
        const istiods = [...this.istiods.values()];
        this.istiods.clear();
        try {
            for (const istiod of istiods) await istiod.stop();
        } finally {
            await this.plane.stop();
        }
    }
}
