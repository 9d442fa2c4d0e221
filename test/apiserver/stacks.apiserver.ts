import * as assert from "node:assert";
import { renderStack } from "../support/render";
import { committedStacks } from "../tools/snapshot";
import { ControlPlane } from "./control-plane";
import { Deployable, deployables } from "./deployables";
import { startControlPlane } from "./hooks";
import { applyAndCheck, NO_PROBLEMS } from "./step-checks";

/**
 * Each committed stack on a fresh cluster, as its first `pulumi up` would deploy it: every
 * object the charts render and every Kubernetes resource the program registers, applied
 * server-side with the field managers pulumi-kubernetes uses, CRDs first.
 */
for (const stack of committedStacks()) {
    describe(`apiserver: stack ${stack} on a fresh cluster`, () => {
        let plane: ControlPlane;
        before(async () => {
            plane = await startControlPlane();
        });
        after(async () => {
            await plane?.stop();
        });

        it("every object is accepted, applied twice with no change, one owner per field, labels as patched", async () => {
            const render = await renderStack(stack);
            const step: Deployable[] = deployables(render);
            const problems = await applyAndCheck(plane.client, step, render.run.registrations);
            assert.deepStrictEqual(problems, NO_PROBLEMS);
        });
    });
}
