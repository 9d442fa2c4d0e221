import * as assert from "node:assert";
import { renderStack, StackRender } from "../support/render";
import {
    AMBIENT_STEPS,
    canarySteps,
    MINOR_FLOW,
    PATCH_FLOW,
    renderUpgradeStep,
    UpgradeStep,
} from "../support/upgrade-flow";
import { ensureAnalyzer } from "../tools/build-istio";
import { committedStacks } from "../tools/snapshot";
import { loadAllowedMessages, unexpectedMessages, unusedEntries } from "./allowed-messages";
import { analyze, AnalysisCase, AnalysisResult, casesOf } from "./analyzer";
import { BREAKAGES } from "./breakages";

/**
 * Istio's own config analyzers (those of `istioctl analyze`, at the pinned Istio commit) on
 * every committed stack and every step of the patch, minor and ambient flows: what the charts
 * render and the program registers, the namespaces with their labels, a pod per workload, and
 * each revision's mesh config. A message fails its stack or step unless allowed-messages.yaml
 * allows it, with its reason. The binary is built from the Go module proxy on the first run.
 */

/** Every step of the three flows, in the order the docs list them. */
const STEPS: readonly UpgradeStep[] = [...canarySteps(PATCH_FLOW), ...canarySteps(MINOR_FLOW), ...AMBIENT_STEPS];

/** What `npm test` prints while it builds: the build takes minutes, once per machine. */
const io = { out: (text: string) => console.log(`    ${text}`), err: (text: string) => console.error(text) };

describe("Istio's analyzers on every stack and step", () => {
    let binary: string;
    const results = new Map<string, AnalysisResult[]>();
    let dev: StackRender;

    before(async function () {
        // The first run builds the analyzer from the Go module proxy (docs/istio-in-the-loop.md).
        this.timeout(45 * 60_000);
        binary = await ensureAnalyzer(io);
        const inputs: [string, Promise<StackRender>][] = [
            ...committedStacks().map((stack): [string, Promise<StackRender>] => [`stack ${stack}`, renderStack(stack)]),
            ...STEPS.map((step): [string, Promise<StackRender>] => [`step ${step.id}`, renderUpgradeStep(step)]),
        ];
        const cases: AnalysisCase[] = [];
        for (const [name, render] of inputs) cases.push(...casesOf(name, await render));
        dev = await renderStack("dev");
        const started = Date.now();
        const run = await analyze(binary, cases);
        io.out(
            `Istio ${run.version} analyzers: ${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        for (const result of run.results) {
            const owner = result.name.replace(/ \(mesh config of .*\)$/, "");
            results.set(owner, [...(results.get(owner) ?? []), result]);
        }
    });

    /** Everything wrong with one stack or step: load errors, skipped analyzers, messages not allowed. */
    function problemsOf(name: string): string[] {
        const allowed = loadAllowedMessages();
        const mine = results.get(name) ?? [];
        assert.ok(mine.length > 0, `${name} was not analyzed`);
        return mine.flatMap((r) => [
            ...(r.error ? [`${r.name}: ${r.error}`] : []),
            ...r.skipped.map((analyzer) => `${r.name}: skipped ${analyzer}`),
            ...unexpectedMessages(r, allowed).map((m) => `${r.name}: ${m}`),
        ]);
    }

    for (const stack of committedStacks()) {
        it(`stack ${stack}: no error, warning or info beyond the allowed list`, () => {
            assert.deepStrictEqual(problemsOf(`stack ${stack}`), []);
        });
    }
    for (const step of STEPS) {
        it(`step ${step.id}: no error, warning or info beyond the allowed list`, () => {
            assert.deepStrictEqual(problemsOf(`step ${step.id}`), []);
        });
    }

    it("every entry of allowed-messages.yaml allows a message of some stack or step", () => {
        assert.deepStrictEqual(unusedEntries([...results.values()].flat(), loadAllowedMessages()), []);
    });

    describe("each of three breakages of the dev stack is caught", () => {
        for (const breakage of BREAKAGES) {
            it(`${breakage.title}: ${breakage.expected.map((m) => m.code).join(", ")}`, async () => {
                const [clean] = casesOf("clean", dev);
                const [broken] = casesOf(breakage.title, dev, breakage.apply);
                const [before, after] = (await analyze(binary, [clean, broken])).results;
                const fresh = after.messages.filter(
                    (m) => !before.messages.some((b) => JSON.stringify(b) === JSON.stringify(m)),
                );
                assert.deepStrictEqual(
                    fresh.map(({ code, level, resource }) => ({ code, level, resource })),
                    breakage.expected,
                );
            });
        }
    });
});
