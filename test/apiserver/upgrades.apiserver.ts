import * as assert from "node:assert";
import {
    AMBIENT_STEPS,
    appliedLabels,
    canarySteps,
    MINOR_FLOW,
    PATCH_FLOW,
    renderUpgradeStep,
    UpgradeFlow,
    UpgradeStep,
} from "../support/upgrade-flow";
import { ControlPlane } from "./control-plane";
import type { StackRender } from "../support/render";
import { Deployable, deployables } from "./deployables";
import { paths, SHOP } from "./flow-paths";
import { startControlPlane } from "./hooks";
import { applyAndCheck, NO_PROBLEMS } from "./step-checks";

/**
 * The canary upgrades of test/support/upgrade-flow.ts on a real API server, each step applied
 * over the one before as its `pulumi up` would: what the step adds or changes applied
 * server-side, what it removes pruned. Each path from the install to a last step (the upgrade
 * through retirement, and the rollback) runs on a control plane of its own.
 */

/** The labels `shop` must carry after `step`, read from what the server holds. */
type ShopLabels = (step: UpgradeStep, render: StackRender) => Record<string, string> | undefined;

/**
 * Each path of `steps` on a control plane of its own, each step applied over the one before;
 * `shopLabels` says what shop's labels must be after each step.
 */
function describePaths(title: string, steps: readonly UpgradeStep[], shopLabels: ShopLabels): void {
    const covered = new Set<string>();
    for (const path of paths(steps)) {
        describe(`apiserver: ${title}, ${path.map((s) => s.id).join(" > ")}`, () => {
            let plane: ControlPlane;
            let previous: Deployable[] = [];
            before(async () => {
                plane = await startControlPlane();
                await plane.client.create(SHOP, "kubectl-create");
            });
            after(async () => {
                await plane?.stop();
            });

            for (const step of path) {
                const replay = covered.has(step.id) ? " (again, to reach the next step)" : "";
                covered.add(step.id);
                it(`${step.id}: ${step.title}${replay}`, async () => {
                    const render = await renderUpgradeStep(step);
                    const current = deployables(render);
                    const problems = await applyAndCheck(plane.client, current, render.run.registrations, previous);
                    previous = current;
                    assert.deepStrictEqual(problems, NO_PROBLEMS);
                    const shop = await plane.client.get(SHOP);
                    const labels = { ...shop?.metadata.labels };
                    delete labels["kubernetes.io/metadata.name"];
                    assert.deepStrictEqual(labels, shopLabels(step, render));
                });
            }
        });
    }
}

/**
 * docs/upgrades.md: a namespace on the canary has istio.io/rev=canary and no istio-injection
 * (which would win); moving it back drops istio.io/rev. Written from the step's config, not
 * from what the program registers.
 */
const canaryLabels: ShopLabels = (step): Record<string, string> => {
    const onCanary = (step.config["istio-mesh:canaryNamespaces"] as string[] | undefined) ?? [];
    return onCanary.includes("shop") ? { "istio.io/rev": "canary" } : { "istio-injection": "enabled" };
};

/**
 * One patch per namespace: the server keeps exactly the labels it applies now, so moving shop
 * to ambient drops istio-injection, and moving it back drops the ambient label (docs/ambient.md).
 */
const appliedShopLabels: ShopLabels = (_step, render) => appliedLabels(render.run.registrations).shop;

const flowTitle = (name: string, flow: UpgradeFlow): string => `${name} upgrade ${flow.from} to ${flow.to}`;

describePaths(flowTitle("patch", PATCH_FLOW), canarySteps(PATCH_FLOW), canaryLabels);
describePaths(flowTitle("minor", MINOR_FLOW), canarySteps(MINOR_FLOW), canaryLabels);
// The move from sidecars to ambient and back, and a canary with ambient on.
describePaths("ambient", AMBIENT_STEPS, appliedShopLabels);
