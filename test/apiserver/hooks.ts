import { ControlPlaneBinaries, ensureBinaries } from "../tools/build-apiserver";
import { ControlPlane, ControlPlaneOptions, stopAll } from "./control-plane";

/**
 * Mocha root hooks of the apiserver suite (test/apiserver/mocharc.json): the binaries are
 * built before the first test (once per version: the first run takes minutes), and every
 * control plane a test group started is stopped after the last, even when a group failed.
 */

let built: ControlPlaneBinaries | undefined;

/** A fresh control plane: an empty etcd and a kube-apiserver on it. Stop it in `after`. */
export function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    if (built === undefined) throw new Error("the root hook builds the binaries before any test runs");
    return ControlPlane.start(built, options);
}

export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        // A cold build is about four minutes on two cores; leave room for a slower machine.
        this.timeout(30 * 60_000);
        built = await ensureBinaries({ out: (text) => console.log(text), err: (text) => console.error(text) });
    },
    async afterAll(): Promise<void> {
        await stopAll();
    },
};
