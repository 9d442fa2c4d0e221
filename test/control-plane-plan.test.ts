import * as assert from "assert";
import { parseMeshSettings } from "../components/config/stack-config";
import type { LastControlPlanes } from "../components/args/upgrade-guard";
import { ControlPlanePlan, planControlPlanes } from "../components/values/control-plane-plan";
import { stackConfig } from "./support/program";
import { previousStep, UPGRADE_STEPS, upgradeStep } from "./support/upgrade-flow";

/**
 * The control planes of every upgrade step, as exact plans: which istiods run and why, where
 * the tags point, which istiod validates, what must already run, which tag serves each
 * namespace and whether the `default` tag's namespaces owe a restart.
 */

/** What a step's deployment reports of its istiods, as the next step reads it. */
const reported = (plan: ControlPlanePlan): LastControlPlanes =>
    Object.fromEntries(plan.istiods.map((istiod) => [istiod.name, { version: istiod.version, tag: istiod.tag ?? "" }]));

const planOf = (config: Record<string, unknown>, last?: LastControlPlanes): ControlPlanePlan =>
    planControlPlanes(parseMeshSettings(stackConfig("dev", config), { controlPlanes: last }), { controlPlanes: last });

const OLD_STABLE = { version: "1.31.4", revision: "1-31-4", name: "istiod-1-31-4", mustBeRunning: false } as const;
const NEW_CANARY = { version: "1.31.5", revision: "1-31-5", name: "istiod-1-31-5", mustBeRunning: false } as const;
const onDefault = (namespace: string) => ({ namespace, tag: "default" }) as const;

const EXPECTED: Record<string, ControlPlanePlan> = {
    "1-install": {
        istiods: [{ ...OLD_STABLE, tag: "default", role: "stable" }],
        crdVersion: "1.31.4",
        validatingRevision: "1-31-4",
        tags: [{ tag: "default", revision: "1-31-4" }],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "2-canary": {
        istiods: [
            { ...OLD_STABLE, tag: "default", role: "stable" },
            { ...NEW_CANARY, tag: "canary", role: "canary" },
        ],
        // The CRDs follow the newest istiod; the validator stays with the default tag's.
        crdVersion: "1.31.5",
        validatingRevision: "1-31-4",
        tags: [
            { tag: "default", revision: "1-31-4" },
            { tag: "canary", revision: "1-31-5" },
        ],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "3-move": {
        istiods: [
            { ...OLD_STABLE, tag: "default", role: "stable" },
            { ...NEW_CANARY, tag: "canary", role: "canary" },
        ],
        crdVersion: "1.31.5",
        validatingRevision: "1-31-4",
        tags: [
            { tag: "default", revision: "1-31-4" },
            { tag: "canary", revision: "1-31-5" },
        ],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), { namespace: "shop", tag: "canary" }],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "4-promote": {
        istiods: [
            { ...OLD_STABLE, role: "previous", mustBeRunning: true },
            { ...NEW_CANARY, tag: "default", role: "stable" },
        ],
        // The gateways roll from the last deployment's default revision onto the new one.
        gatewaysMovedFrom: "1-31-4",
        crdVersion: "1.31.5",
        validatingRevision: "1-31-5",
        tags: [{ tag: "default", revision: "1-31-5" }],
        stableIstiod: "istiod-1-31-5",
        gatewayRevision: "1-31-5",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: true,
        sidecarsOweHbone: false,
    },
    "5-retire": {
        istiods: [{ ...NEW_CANARY, tag: "default", role: "stable" }],
        crdVersion: "1.31.5",
        validatingRevision: "1-31-5",
        tags: [{ tag: "default", revision: "1-31-5" }],
        stableIstiod: "istiod-1-31-5",
        gatewayRevision: "1-31-5",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "migrate-1-keep-unrevisioned": {
        istiods: [
            { version: "1.31.4", name: "istiod", role: "pre-revision", mustBeRunning: true },
            { ...OLD_STABLE, tag: "default", role: "stable" },
        ],
        crdVersion: "1.31.4",
        // The kept istiod validates: it runs already, and the revision is created in this step.
        tags: [{ tag: "default", revision: "1-31-4" }],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: true,
        sidecarsOweHbone: false,
    },
    "migrate-2-retire-unrevisioned": {
        istiods: [{ ...OLD_STABLE, tag: "default", role: "stable" }],
        crdVersion: "1.31.4",
        validatingRevision: "1-31-4",
        tags: [{ tag: "default", revision: "1-31-4" }],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "rollback-1-move-back": {
        istiods: [
            { ...OLD_STABLE, tag: "default", role: "stable" },
            { ...NEW_CANARY, tag: "canary", role: "canary" },
        ],
        crdVersion: "1.31.5",
        validatingRevision: "1-31-4",
        tags: [
            { tag: "default", revision: "1-31-4" },
            { tag: "canary", revision: "1-31-5" },
        ],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
    "rollback-2-remove-canary": {
        istiods: [{ ...OLD_STABLE, tag: "default", role: "stable" }],
        // The rolled-back stack's CRDs go back to its istiod's release.
        crdVersion: "1.31.4",
        validatingRevision: "1-31-4",
        tags: [{ tag: "default", revision: "1-31-4" }],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: false,
        sidecarsOweHbone: false,
    },
};

// The minor path: the 1.31 istiod keeps 1.30's behaviour while a 1.30 istiod runs beside it.
const OLD_MINOR = { version: "1.30.3", revision: "1-30-3", name: "istiod-1-30-3", mustBeRunning: false } as const;
const NEW_MINOR = { version: "1.31.4", revision: "1-31-4", name: "istiod-1-31-4", mustBeRunning: false } as const;
const KEEPS_1_30 = { compatibilityVersion: "1.30" } as const;
const MINOR_BOTH = {
    istiods: [
        { ...OLD_MINOR, tag: "default", role: "stable" },
        { ...NEW_MINOR, tag: "canary", role: "canary", ...KEEPS_1_30 },
    ],
    crdVersion: "1.31.4",
    validatingRevision: "1-30-3",
    tags: [
        { tag: "default", revision: "1-30-3" },
        { tag: "canary", revision: "1-31-4" },
    ],
    stableIstiod: "istiod-1-30-3",
    gatewayRevision: "1-30-3",
    namespaces: [onDefault("default"), onDefault("shop")],
    defaultTagRestartOwed: false,
    sidecarsOweHbone: false,
} as const satisfies ControlPlanePlan;
const MINOR_OLD_ONLY = {
    istiods: [{ ...OLD_MINOR, tag: "default", role: "stable" }],
    crdVersion: "1.30.3",
    validatingRevision: "1-30-3",
    tags: [{ tag: "default", revision: "1-30-3" }],
    stableIstiod: "istiod-1-30-3",
    gatewayRevision: "1-30-3",
    namespaces: [onDefault("default"), onDefault("shop")],
    defaultTagRestartOwed: false,
    sidecarsOweHbone: false,
} as const satisfies ControlPlanePlan;
const MINOR_NEW_ONLY = {
    istiods: [{ ...NEW_MINOR, tag: "default", role: "stable" }],
    crdVersion: "1.31.4",
    validatingRevision: "1-31-4",
    tags: [{ tag: "default", revision: "1-31-4" }],
    stableIstiod: "istiod-1-31-4",
    gatewayRevision: "1-31-4",
    namespaces: [onDefault("default"), onDefault("shop")],
    defaultTagRestartOwed: false,
    sidecarsOweHbone: false,
} as const satisfies ControlPlanePlan;

Object.assign(EXPECTED, {
    "minor-1-install": MINOR_OLD_ONLY,
    "minor-2-canary": MINOR_BOTH,
    "minor-3-move": { ...MINOR_BOTH, namespaces: [onDefault("default"), { namespace: "shop", tag: "canary" }] },
    "minor-4-promote": {
        istiods: [
            { ...OLD_MINOR, role: "previous", mustBeRunning: true },
            { ...NEW_MINOR, tag: "default", role: "stable", ...KEEPS_1_30 },
        ],
        gatewaysMovedFrom: "1-30-3",
        crdVersion: "1.31.4",
        validatingRevision: "1-31-4",
        tags: [{ tag: "default", revision: "1-31-4" }],
        stableIstiod: "istiod-1-31-4",
        gatewayRevision: "1-31-4",
        namespaces: [onDefault("default"), onDefault("shop")],
        defaultTagRestartOwed: true,
        sidecarsOweHbone: false,
    },
    // Retiring 1.30 is the step where 1.31's own behaviour arrives.
    "minor-5-retire": MINOR_NEW_ONLY,
    "minor-rollback-1-move-back": MINOR_BOTH,
    "minor-rollback-2-remove-canary": MINOR_OLD_ONLY,
} satisfies Record<string, ControlPlanePlan>);

describe("control-plane plans (values/control-plane-plan.ts)", () => {
    it("has an expected plan for exactly the steps of the upgrade flows", () => {
        assert.deepStrictEqual(Object.keys(EXPECTED).sort(), UPGRADE_STEPS.map((step) => step.id).sort());
    });

    for (const step of UPGRADE_STEPS) {
        it(`${step.id}: ${step.title}`, () => {
            const before = previousStep(step);
            const last = before === undefined ? undefined : reported(EXPECTED[before.id]);
            assert.deepStrictEqual(planOf(step.config, last), EXPECTED[step.id]);
        });
    }

    it("a promotion without a canary first keeps the validator on the running istiod until the new one runs", () => {
        const last = reported(EXPECTED["1-install"]);
        const promoted = planOf({ ...upgradeStep("4-promote").config, "istio-mesh:previousVersion": "1.31.4" }, last);
        assert.deepStrictEqual(
            [promoted.istiods.map((i) => `${i.name} ${i.role}`), promoted.validatingRevision, promoted.tags],
            [["istiod-1-31-4 previous", "istiod-1-31-5 stable"], "1-31-4", [{ tag: "default", revision: "1-31-5" }]],
        );
        // The retirement that follows moves it: 1.31.5 runs by then.
        assert.strictEqual(planOf(upgradeStep("5-retire").config, reported(promoted)).validatingRevision, "1-31-5");
    });

    it("the committed stacks: one stable istiod each, validating, no restart owed", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const plan = planControlPlanes(parseMeshSettings(stackConfig(stack)));
            assert.deepStrictEqual(
                [plan.istiods.map((i) => `${i.name} ${i.role}`), plan.validatingRevision, plan.defaultTagRestartOwed],
                [["istiod-1-31-4 stable"], "1-31-4", false],
                stack,
            );
        }
    });
});
