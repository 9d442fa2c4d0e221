import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { matchOlds } from "./support/aliases";
import { evaluateStack, ROOT } from "./support/program";

/**
 * A stack deployed before `IstioMesh` existed previews with no create, delete or replace of
 * what it had: every resource its committed plan registered (test/fixtures, from the plans of
 * the last commit before the move) is matched by exactly one resource now, through its own
 * URN or an alias, with the same type, as the engine matches them. What is new is the mesh
 * itself and its record of what it applied, which hold nothing in the cluster.
 */

const FIXTURE = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "urns-before-component.json"), "utf8"),
) as { commit: string; urns: Record<string, string[]> };

describe("stacks deployed before the component: no create, delete or replace", () => {
    for (const [stack, olds] of Object.entries(FIXTURE.urns)) {
        it(`${stack}: every resource of the plan at ${FIXTURE.commit} is taken over, and only the mesh and its record are new`, async () => {
            const run = await evaluateStack(stack);
            assert.strictEqual(run.error, undefined);
            const matches = matchOlds(run.registrations, new Set(olds));
            const taken = matches.flatMap((m) => (m.matched === undefined ? [] : [m.matched]));
            assert.deepStrictEqual(
                olds.filter((old) => !taken.includes(old)),
                [],
                "deleted: no resource takes these over",
            );
            assert.deepStrictEqual(
                taken.filter((urn, i) => taken.indexOf(urn) !== i),
                [],
                "taken over twice",
            );
            assert.deepStrictEqual(
                matches.filter((m) => m.matched === undefined).map((m) => m.urn),
                [
                    `urn:pulumi:${stack}::istio-mesh::istio-mesh:index:IstioMesh::mesh`,
                    `urn:pulumi:${stack}::istio-mesh::istio-mesh:index:IstioMesh$pulumi-nodejs:dynamic/istio-mesh:DeploymentRecord::mesh-record`,
                ],
            );
            // The same type: a change of type would be a replacement.
            for (const m of matches.filter((match) => match.matched !== undefined)) {
                assert.strictEqual(m.matched?.split("::")[2].split("$").pop(), m.type, m.urn);
            }
        });
    }

    it("the match is the engine's: without the aliases, every moved resource would be created and its old one deleted", async () => {
        const run = await evaluateStack("dev");
        const unaliased = run.registrations.map((r) => ({ ...r, aliases: [] }));
        const matches = matchOlds(unaliased, new Set(FIXTURE.urns.dev));
        assert.deepStrictEqual(
            matches.filter((m) => m.matched !== undefined).map((m) => m.urn),
            [],
        );
    });
});
