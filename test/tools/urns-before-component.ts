import { execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/**
 * `npx ts-node --transpile-only test/tools/urns-before-component.ts <commit>`: writes
 * test/fixtures/urns-before-component.json, the URN of every resource each committed stack's
 * plan registered at `<commit>`, the last one before the
 * program's resources moved under `IstioMesh`. Each URN is rebuilt from the plan's
 * `type::name` labels and their parents, as the engine forms it (the parents' types, joined by
 * `$`, then the resource's type and name). Reads are left out: they create nothing.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "urns-before-component.json");

interface PlanResource {
    resource: string;
    parent?: string;
    reads?: string;
}

function urnsOf(plan: { resources?: PlanResource[] }, stack: string): string[] {
    const byLabel = new Map((plan.resources ?? []).map((r) => [r.resource, r]));
    const chain = (label: string): string => {
        const parent = byLabel.get(label)?.parent;
        const type = label.slice(0, label.lastIndexOf("::"));
        return parent === undefined ? type : `${chain(parent)}$${type}`;
    };
    return (plan.resources ?? [])
        .filter((r) => r.reads === undefined)
        .map(
            (r) =>
                `urn:pulumi:${stack}::istio-mesh::${chain(r.resource)}::${r.resource.slice(r.resource.lastIndexOf("::") + 2)}`,
        )
        .sort();
}

function main(commit: string): void {
    const files = execFileSync("git", ["ls-tree", "-r", "--name-only", commit, "plans"], {
        cwd: ROOT,
        encoding: "utf8",
    })
        .split("\n")
        .filter((file) => file.endsWith(".yaml"));
    const fixture: Record<string, string[]> = {};
    for (const file of files.filter((name) => !name.slice("plans/".length).includes("/"))) {
        // A stack's plan lists every resource; an upgrade step's only what it changes.
        const text = execFileSync("git", ["show", `${commit}:${file}`], { cwd: ROOT, encoding: "utf8" });
        const stack = path.basename(file, ".yaml");
        fixture[stack] = urnsOf(yaml.load(text) as { resources?: PlanResource[] }, stack);
    }
    fs.writeFileSync(FIXTURE, `${JSON.stringify({ commit, urns: fixture }, null, 2)}\n`);
}

if (require.main === module) {
    main(process.argv[2] ?? "HEAD");
}
