import * as crypto from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isPersonalStack } from "../../components/config/cluster";
import { parseMeshSettings } from "../../components/config/stack-config";
import { Registration, SECRET_SIG_KEY, SECRET_SIG } from "../support/monitor";
import { byCodePoint } from "../support/order";
import { ROOT, stackConfig } from "../support/program";
import { label } from "../support/manifests";
import { objectDigest, RenderedRelease, renderStack } from "../support/render";
import { isSecretOutput, valueOf } from "../support/values";
import {
    appliedLabels,
    previousStep,
    registrationChanges,
    renderedChanges,
    renderUpgradeStep,
    UPGRADE_STEPS,
    AMBIENT_STEPS,
    UpgradeStep,
} from "../support/upgrade-flow";
import type { Console } from "./command";
import { formatText, sizingTable } from "./sizing-table";

/**
 * Plan snapshots: for each committed stack, what the program registers under mocks, in a
 * stable text form that a reviewer can diff. Sorted keys, secrets as `[secret]`, resources
 * named `type::name`, each chart's rendered objects with a digest, no URNs, times or paths.
 */

/** Where the snapshots are committed; tests pass a temporary copy instead. */
export const PLANS_DIR = path.join(ROOT, "plans");
/** Example plans of each step of a canary upgrade of the dev stack, under the plans directory. */
const UPGRADE_SUBDIR = "upgrade";

/** Example plans of each flow, each in its own directory under plans/. */
const FLOWS: readonly { subdir: string; steps: readonly UpgradeStep[] }[] = [
    { subdir: UPGRADE_SUBDIR, steps: UPGRADE_STEPS },
    { subdir: "ambient", steps: AMBIENT_STEPS },
];
export const REFRESH_COMMAND = "npm run plan -- --write";

const SECRET = "[secret]";
/** Strings longer than this show as their size and digest. */
const LONG_TEXT = 2000;
// Wire-form markers the SDK uses for values that are not plain data.
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * Every stack with a committed stack file, sorted: the stack files among `files` (the project
 * folder's), but a personal stack's, which git ignores (components/config/cluster.ts).
 */
export function committedStacks(files: readonly string[] = fs.readdirSync(ROOT)): string[] {
    return files
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined && !isPersonalStack(stack))
        .sort();
}

/**
 * Whether `stack` has a stack file in `root`, a committed or a personal one (the README's
 * `npm run plan -- local`); if not, says so with the stacks there are.
 */
export function hasStackFile(stack: string, io: Console, root: string = ROOT): boolean {
    const files = fs.readdirSync(root);
    if (files.includes(`Pulumi.${stack}.yaml`)) {
        return true;
    }
    io.err(`no stack file Pulumi.${stack}.yaml; stacks: ${committedStacks(files).join(", ")}`);
    return false;
}

/**
 * A config value as the stack file holds it: lists and maps as YAML rather than the JSON
 * text the CLI hands over; encrypted values (`secure:`) as secrets, not ciphertext.
 */
function stackFileView(value: string): unknown {
    if (!/^[[{]/.test(value)) {
        return value;
    }
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === "object" && parsed !== null && "secure" in parsed ? SECRET : parsed;
}

/** Keys sorted, except that each resource entry starts with its label. */
function resourceFirst(a: string, b: string): number {
    return a === "resource" ? -1 : b === "resource" ? 1 : byCodePoint(a, b);
}

/** A wire-form value with every marker replaced by readable text. */
function readable(value: unknown, label: (urn: string) => string): unknown {
    if (value === UNKNOWN_VALUE) {
        return "[unknown]";
    }
    if (typeof value === "string" && value.length > LONG_TEXT) {
        // A whole file (a Grafana dashboard's JSON) would drown the diff: its size and digest say whether it changed.
        return `[${Buffer.byteLength(value)} bytes, sha256 ${crypto.createHash("sha256").update(value).digest("hex").slice(0, 12)}]`;
    }
    if (Array.isArray(value)) {
        return value.map((item) => readable(item, label));
    }
    if (typeof value !== "object" || value === null) {
        return value;
    }
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG_KEY] === SECRET_SIG) {
        return SECRET;
    }
    if (record[SECRET_SIG_KEY] === RESOURCE_SIG) {
        return `[resource ${label(String(record.urn))}]`;
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, readable(item, label)]));
}

function describeResources(registrations: readonly Registration[]): Record<string, unknown>[] {
    const labels = new Map(registrations.map((r) => [r.urn, `${r.type}::${r.name}`]));
    if (new Set(labels.values()).size !== labels.size) {
        throw new Error("two resources share a type and name; snapshot labels would be ambiguous");
    }
    const label = (urn: string): string => labels.get(urn) ?? urn;
    return registrations
        .map((r) => ({
            resource: label(r.urn),
            ...(r.parent !== "" && { parent: label(r.parent) }),
            ...(r.dependencies.length > 0 && { dependsOn: r.dependencies.map(label).sort() }),
            ...(r.readId !== undefined && { reads: r.readId }),
            ...(r.retainOnDelete && { retainOnDelete: true }),
            ...(r.protect && { protect: true }),
            ...(Object.keys(r.inputs).length > 0 && { inputs: readable(r.inputs, label) }),
        }))
        .sort((a, b) => byCodePoint(a.resource, b.resource));
}

function describeCharts(registrations: readonly Registration[]): Record<string, string> {
    const charts = registrations.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
    return Object.fromEntries(
        charts.map((r) => [
            // By the name within the mesh, as `rendered:` keys each chart's objects.
            r.name.replace(/^mesh-/, ""),
            `${String(r.inputs.chart)} ${String(r.inputs.version)} from ${String((r.inputs.repositoryOpts as { repo?: string }).repo)}`,
        ]),
    );
}

async function describeOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const described: Record<string, unknown> = {};
    for (const [key, output] of Object.entries(outputs)) {
        const value = await valueOf(output as pulumi.Input<unknown>);
        if (value !== undefined) {
            described[key] = (await isSecretOutput(output as pulumi.Input<unknown>)) ? SECRET : value;
        }
    }
    return described;
}

/**
 * What each chart renders, one line per object: kind, namespace/name and a digest of its
 * content. A chart bump or a value change shows as the objects it adds, removes or changes.
 */
function describeRendered(releases: readonly RenderedRelease[]): Record<string, string[]> {
    return Object.fromEntries(
        releases.map((release) => [
            release.resourceName,
            release.objects.map((object) => `${label(object)} ${objectDigest(object)}`),
        ]),
    );
}

/** The snapshot of one stack, as the text committed under plans/. */
export async function renderSnapshot(stack: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const config = stackConfig(stack, overrides);
    const table = formatText(sizingTable(parseMeshSettings(config)));
    const { run, releases } = await renderStack(stack, overrides);
    const body = yaml.dump(
        {
            stack,
            config: Object.fromEntries(Object.entries(config).map(([key, value]) => [key, stackFileView(value)])),
            charts: describeCharts(run.registrations),
            outputs: await describeOutputs(run.outputs),
            rendered: describeRendered(releases),
            resources: describeResources(run.registrations),
        },
        { sortKeys: resourceFirst, lineWidth: -1, noRefs: true },
    );
    const header = [
        `# Plan of stack ${stack}: what \`pulumi up\` registers, evaluated under runtime mocks, and the objects each chart renders.`,
        `# Generated by \`${REFRESH_COMMAND}\`; do not edit. Review its diff in pull requests.`,
        "#",
        ...table
            .trimEnd()
            .split("\n")
            .map((line) => `# ${line}`.trimEnd()),
    ];
    return `${header.join("\n")}\n${body}`;
}

/**
 * One step of the example canary upgrade (test/support/upgrade-flow.ts): the keys it sets,
 * the sizing, and what its pull request's plan diff shows against the step before: the
 * resources created, deleted and updated, the rendered objects each chart adds, removes or
 * changes, the namespace labels and the outputs that say what to do next.
 */
export async function renderUpgradeSnapshot(step: UpgradeStep): Promise<string> {
    const render = await renderUpgradeStep(step);
    const before = previousStep(step);
    const previous = before === undefined ? undefined : await renderUpgradeStep(before);
    const table = formatText(sizingTable(parseMeshSettings(stackConfig("dev", step.config))));
    const outputs = await describeOutputs(render.run.outputs);
    const body = yaml.dump(
        {
            step: step.id,
            after: step.after ?? "a cluster without Istio",
            config: step.config,
            namespaceLabels: appliedLabels(render.run.registrations),
            outputs: {
                controlPlanes: outputs.controlPlanes,
                canaryNamespaces: outputs.canaryNamespaces,
                ambientNamespaces: outputs.ambientNamespaces,
                capturedNamespaces: outputs.capturedNamespaces,
                restartCommands: outputs.restartCommands,
            },
            ...(previous !== undefined && {
                resources: registrationChanges(previous, render),
                rendered: renderedChanges(previous, render),
            }),
        },
        { sortKeys: false, lineWidth: -1, noRefs: true },
    );
    const header = [
        `# ${step.id.startsWith("ambient-") ? "Ambient move" : "Upgrade"} example, step ${step.id}: ${step.title}.`,
        `# The dev stack with the keys under config:, evaluated under runtime mocks on the cluster step ${step.after ?? "(none)"} left, and rendered.`,
        `# Generated by \`${REFRESH_COMMAND}\`; do not edit.`,
        "#",
        ...table
            .trimEnd()
            .split("\n")
            .map((line) => `# ${line}`.trimEnd()),
    ];
    return `${header.join("\n")}\n${body}`;
}

/** Snapshot files under `dir` whose stack file is gone. */
function orphanSnapshots(dir: string): string[] {
    const stacks = committedStacks();
    return fs.existsSync(dir)
        ? fs
              .readdirSync(dir)
              .filter((file) => file.endsWith(".yaml") && !stacks.includes(file.slice(0, -".yaml".length)))
              .sort()
        : [];
}

/** Every snapshot the program makes: the path under plans/ and how to render it. */
function snapshots(): { file: string; render: () => Promise<string> }[] {
    return [
        ...committedStacks().map((stack) => ({ file: `${stack}.yaml`, render: () => renderSnapshot(stack) })),
        ...FLOWS.flatMap(({ subdir, steps }) =>
            steps.map((step) => ({ file: `${subdir}/${step.id}.yaml`, render: () => renderUpgradeSnapshot(step) })),
        ),
    ];
}

/** Flow examples under `dir`/upgrade/ and `dir`/ambient/ of steps that are gone. */
function orphanUpgradeSnapshots(dir: string): string[] {
    return FLOWS.flatMap(({ subdir, steps }) => {
        const names = steps.map((step) => `${step.id}.yaml`);
        const flowDir = path.join(dir, subdir);
        return fs.existsSync(flowDir)
            ? fs
                  .readdirSync(flowDir)
                  .filter((file) => file.endsWith(".yaml") && !names.includes(file))
                  .sort()
                  .map((file) => `${subdir}/${file}`)
            : [];
    });
}

/** What differs between the committed snapshots and the program: one line per stale file. */
export async function staleSnapshots(dir = PLANS_DIR): Promise<string[]> {
    const stale: string[] = [];
    for (const { file, render } of snapshots()) {
        const full = path.join(dir, file);
        const committed = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
        const current = await render();
        if (committed === undefined) {
            stale.push(`plans/${file} is missing`);
        } else if (committed !== current) {
            stale.push(`plans/${file} is stale: ${firstDifference(committed, current)}`);
        }
    }
    stale.push(
        ...orphanUpgradeSnapshots(dir).map((file) => `plans/${file} is no step of test/support/upgrade-flow.ts`),
    );
    stale.push(...orphanSnapshots(dir).map((file) => `plans/${file} has no stack file Pulumi.${file}`));
    return stale;
}

/** The first line that changed, so the message points at the change. */
function firstDifference(committed: string, current: string): string {
    const [before, after] = [committed.split("\n"), current.split("\n")];
    const index = after.findIndex((line, i) => line !== before[i]);
    const at = index === -1 ? after.length : index;
    return `line ${at + 1} was ${JSON.stringify(before[at] ?? "")}, is now ${JSON.stringify(after[at] ?? "")}`;
}

/** Writes every snapshot into `dir` and removes those of stacks and upgrade steps that are gone. */
export async function writeSnapshots(dir = PLANS_DIR): Promise<string[]> {
    for (const { subdir } of FLOWS) {
        fs.mkdirSync(path.join(dir, subdir), { recursive: true });
    }
    for (const file of [...orphanSnapshots(dir), ...orphanUpgradeSnapshots(dir)]) {
        fs.rmSync(path.join(dir, file));
    }
    const written: string[] = [];
    for (const { file, render } of snapshots()) {
        fs.writeFileSync(path.join(dir, file), await render());
        written.push(dir === PLANS_DIR ? `plans/${file}` : path.join(dir, file));
    }
    return written;
}
