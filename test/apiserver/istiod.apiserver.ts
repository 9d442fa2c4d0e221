import * as assert from "node:assert";
import { renderStack } from "../support/render";
import {
    AMBIENT_STEPS,
    canarySteps,
    MINOR_FLOW,
    PATCH_FLOW,
    renderUpgradeStep,
    UpgradeStep,
} from "../support/upgrade-flow";
import { committedStacks } from "../tools/snapshot";
import { stepObjects } from "../istio/mesh-objects";
import { applyStep } from "./apply-step";
import { Deployable, deployables } from "./deployables";
import { paths, SHOP } from "./flow-paths";
import { startControlPlane } from "./hooks";
import { IstiodBed } from "./istiod-bed";
import { pilotDiscovery } from "./istiod-hooks";
import { injectionProblems, newPod } from "./istiod-checks";
import { applyAndCheckIstiod, NO_ISTIOD_PROBLEMS } from "./istiod-step";
import { ensureServiceAccount } from "./service-accounts";

/**
 * A real istiod per revision on the real API server, admission webhooks on, for each committed
 * stack and each step of the patch, minor and ambient flows (docs/istio-in-the-loop.md): ready
 * with the stack's mesh config, every Istio resource admitted through its validating webhook,
 * pods injected by the revision the plan names, a workload certificate from the mesh root,
 * and its resident memory against the sizing table's request.
 */

const TITLE =
    "istiod ready with the mesh config, resources admitted by its webhook, pods injected as planned, certificates from the mesh root, memory within the request";

async function startBed(): Promise<IstiodBed> {
    return new IstiodBed(await startControlPlane({ admissionWebhooks: true }), pilotDiscovery());
}

for (const stack of committedStacks()) {
    describe(`apiserver + istiod: stack ${stack} on a fresh cluster`, () => {
        let bed: IstiodBed | undefined;
        before(async () => {
            bed = await startBed();
        });
        after(async () => {
            await bed?.stop();
        });

        it(TITLE, async () => {
            const { problems, measured } = await applyAndCheckIstiod(bed as IstiodBed, await renderStack(stack));
            measured.forEach((line) => console.log(`      ${line}`));
            assert.deepStrictEqual(problems, NO_ISTIOD_PROBLEMS);
        });

        if (stack === "dev") describeBadInput(() => bed as IstiodBed);
    });
}

/** What a wrong injection and a resource istiod refuses look like, on the dev stack's bed. */
function describeBadInput(bed: () => IstiodBed): void {
    it("a pod injected by another revision than planned, or not at all, fails naming the namespace and both revisions", async () => {
        const client = bed().client;
        const objects = stepObjects(await renderStack("dev"));
        await ensureServiceAccount(client, "istio-system");
        assert.deepStrictEqual(
            await injectionProblems(client, objects, [newPod("default", "1-31-9"), newPod("istio-system", "1-31-4")]),
            [
                "default: a new pod expected revision 1-31-9 (no injector of that revision), got revision 1-31-4 (docker.io/istio/proxyv2:1.31.4)",
                "istio-system: a new pod expected revision 1-31-4 (docker.io/istio/proxyv2:1.31.4), got no sidecar",
            ],
        );
    });

    it("a resource istiod's webhook refuses fails naming the object and istiod's message", async () => {
        const step = deployables(await renderStack("dev"));
        const route = step.find((d) => d.identity === "VirtualService istio-ingress/kiali-dashboard") as Deployable;
        const spec = { ...(route.object.spec as object), hosts: ["*"], gateways: ["mesh"] };
        const broken = { ...route, object: { ...route.object, spec } };
        const { refusals } = await applyStep(bed().client, [broken], [route]);
        assert.strictEqual(refusals.length, 1, refusals.join("\n"));
        assert.match(
            refusals[0],
            /^VirtualService istio-ingress\/kiali-dashboard: .*admission webhook "validation\.istio\.io" denied the request: configuration is invalid: wildcard host \* is not allowed for virtual services bound to the mesh gateway/,
        );
    });
}

function describeIstiodPaths(title: string, steps: readonly UpgradeStep[]): void {
    for (const path of paths(steps)) {
        describe(`apiserver + istiod: ${title}, ${path.map((s) => s.id).join(" > ")}`, () => {
            let bed: IstiodBed | undefined;
            before(async () => {
                bed = await startBed();
                await bed.client.create(SHOP, "kubectl-create");
            });
            after(async () => {
                await bed?.stop();
            });
            for (const step of path) {
                it(`${step.id}: ${TITLE}`, async () => {
                    const { problems, measured } = await applyAndCheckIstiod(
                        bed as IstiodBed,
                        await renderUpgradeStep(step),
                    );
                    measured.forEach((line) => console.log(`      ${line}`));
                    assert.deepStrictEqual(problems, NO_ISTIOD_PROBLEMS);
                });
            }
        });
    }
}

describeIstiodPaths(`patch upgrade ${PATCH_FLOW.from} to ${PATCH_FLOW.to}`, canarySteps(PATCH_FLOW));
describeIstiodPaths(`minor upgrade ${MINOR_FLOW.from} to ${MINOR_FLOW.to}`, canarySteps(MINOR_FLOW));
describeIstiodPaths("ambient", AMBIENT_STEPS);
