import { ensurePilotDiscovery } from "../tools/build-istio";
import { stopAllIstiods } from "./istiod";

/**
 * Mocha root hooks of the istiod part of the apiserver suite (test/apiserver/mocharc.json):
 * pilot-discovery is built before the first test (once per version: minutes on a cold
 * machine), and every istiod a group started is stopped after the last, even when one failed.
 */

let built: string | undefined;

/** The pilot-discovery binary the root hook built. */
export function pilotDiscovery(): string {
    if (built === undefined) throw new Error("the root hook builds pilot-discovery before any test runs");
    return built;
}

export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        this.timeout(45 * 60_000);
        built = await ensurePilotDiscovery({ out: (text) => console.log(text), err: (text) => console.error(text) });
    },
    async afterAll(): Promise<void> {
        await stopAllIstiods();
    },
};
