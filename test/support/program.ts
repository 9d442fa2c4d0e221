import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as sdkSettings from "@pulumi/pulumi/runtime/settings";
import { installRecordingMonitor, MockCluster, Registration } from "./monitor";
import { byCodePoint } from "./order";

/**
 * Runs index.ts the way `pulumi preview` would, under the recording monitor: stack config
 * merged over Pulumi.yaml's defaults, as the CLI merges it.
 */

export const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(ROOT, "index.ts");

interface ProjectFile {
    name: string;
    config?: Record<string, { type?: string; default?: unknown }>;
}

interface StackFile {
    config?: Record<string, unknown>;
}

export function readProjectFile(root = ROOT): ProjectFile {
    return yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

export function readStackFile(stack: string, root = ROOT): StackFile {
    return (yaml.load(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) ?? {}) as StackFile;
}

/** A config value as the CLI hands it to the program: strings as they are, the rest as JSON. */
function wireValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Pulumi.yaml's declared defaults, under their full keys. */
export function projectDefaults(root = ROOT): Record<string, string> {
    const project = readProjectFile(root);
    const config: Record<string, string> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (declaration.default !== undefined) {
            config[key.includes(":") ? key : `${project.name}:${key}`] = wireValue(declaration.default);
        }
    }
    return config;
}

/** A stack's whole configuration: Pulumi.yaml defaults, overridden by the stack file (in the project folder `root`). */
export function stackConfig(
    stack: string,
    overrides: Record<string, unknown> = {},
    root = ROOT,
): Record<string, string> {
    const config = projectDefaults(root);
    for (const [key, value] of Object.entries({ ...readStackFile(stack, root).config, ...overrides })) {
        config[key] = wireValue(value);
    }
    return config;
}

export interface ProgramRun {
    registrations: Registration[];
    /** What the program logged as warnings, in order: what the preview would show. */
    warnings: string[];
    /** The program's exports: the stack outputs. */
    outputs: Record<string, unknown>;
    /**
     * What the engine would save as the stack's outputs: every export resolved, secrets
     * unwrapped; undefined when an export never resolves (a resource it waits for failed),
     * for the SDK then registers no outputs and the engine keeps the last deployment's.
     */
    savedOutputs?: Record<string, unknown>;
    /** What the program threw, if it did. */
    error?: Error;
}

/** Settles every output and registration the program started. */
async function settle(): Promise<void> {
    await (sdkSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

// The runtime mocks are process-wide: evaluations run one at a time, in the order asked.
let evaluating: Promise<unknown> = Promise.resolve();

/**
 * Evaluates index.ts with `config` (full keys, wire-form values) on stack `stack`, and
 * returns what was registered. Registrations are sorted by URN: the engine's order of
 * arrival is not part of the contract, the graph is. Reads find what `cluster` holds before
 * this run (a fresh cluster unless it names more).
 */
export function runProgram(
    config: Record<string, string>,
    stack = "dev",
    cluster: MockCluster = {},
): Promise<ProgramRun> {
    return runUnderMocks(
        () => {
            // A fresh require is how the language host runs the program; it exports a function,
            // whose result, once settled, is the stack outputs.
            delete require.cache[require.resolve(PROGRAM)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const program = require(PROGRAM) as () => Promise<Record<string, unknown>>;
            return program();
        },
        { config, stack, cluster },
    );
}

/** What a program runs under the mocks: its config, stack and cluster. */
export interface MockedRun {
    /** @default {} */
    readonly config?: Record<string, string>;
    /** @default "dev" */
    readonly stack?: string;
    /** @default a fresh cluster */
    readonly cluster?: MockCluster;
    /** @default "istio-mesh" */
    readonly project?: string;
}

/**
 * Runs any program (a function that registers resources and returns its exports) the way
 * the language host would, under the recording monitor: a consumer of the component, the
 * component provider's `construct`, or index.ts.
 */
export function runUnderMocks(
    program: () => Promise<Record<string, unknown>>,
    run: MockedRun = {},
): Promise<ProgramRun> {
    const result = evaluating.then(() => evaluate(program, run));
    evaluating = result.catch(() => undefined);
    return result;
}

async function evaluate(program: () => Promise<Record<string, unknown>>, run: MockedRun): Promise<ProgramRun> {
    // The SDK records a stack trace on every promise it makes, for its leak report; with
    // ts-node's source maps that is a third of an evaluation. No test reads those traces.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await evaluateUntraced(program, run);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function evaluateUntraced(program: () => Promise<Record<string, unknown>>, run: MockedRun): Promise<ProgramRun> {
    const monitor = installRecordingMonitor(run.project ?? readProjectFile().name, run.stack ?? "dev", run.cluster);
    pulumi.runtime.setAllConfig(run.config ?? {}, []);
    let outputs: Record<string, unknown> = {};
    let error: Error | undefined;
    // With no engine, the SDK prints warnings to the console; the engine would show them in the preview.
    const warnings: string[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const warn = log.warn;
    log.warn = async (message: string) => {
        warnings.push(message);
    };
    // A resource that fails rejects the outputs a component registers with it; the SDK's
    // handler would end the program there, as the engine ends the deployment: the run's error.
    let ended: () => void = () => undefined;
    const programEnded = new Promise<void>((resolve) => {
        ended = resolve;
    });
    const onRejection = (reason: unknown): void => {
        error ??= reason instanceof Error ? reason : new Error(String(reason));
        ended();
    };
    process.on("unhandledRejection", onRejection);
    try {
        outputs = { ...(await program()) };
    } catch (thrown) {
        error = thrown as Error;
    }
    try {
        // An RPC waiting on a failed resource never returns: the program ends at the failure.
        await Promise.race([settle(), programEnded]);
        // Rejections surface a turn after the RPCs that caused them.
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        log.warn = warn;
        process.off("unhandledRejection", onRejection);
    }
    const registrations = [...monitor.registrations].sort((a, b) => byCodePoint(a.urn, b.urn));
    // A failed resource fails the deployment, but the outputs the SDK could resolve are sent all
    // the same, and the engine merges them over the last ones: only an output that waits for
    // what failed keeps them all.
    const savedOutputs = await resolvedExports(outputs);
    return { registrations, warnings, outputs, ...(savedOutputs !== undefined && { savedOutputs }), error };
}

/**
 * Every export's value, as the SDK serializes them for the engine; undefined if any rejects,
 * or never settles: once every RPC of the run has returned (`settle`), an output that waits
 * for a resource that failed would wait forever, and the engine tears the program down.
 */
async function resolvedExports(outputs: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    // Output's promise() is the SDK's own way to await a value, the one stack registration uses.
    type Awaitable = { promise(): Promise<unknown> };
    let timer: NodeJS.Timeout | undefined;
    const never = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("never settles")), 50);
    });
    const settled = await Promise.allSettled(
        Object.values(outputs).map((value) =>
            Promise.race([(pulumi.output(value) as unknown as Awaitable).promise(), never]),
        ),
    );
    clearTimeout(timer);
    never.catch(() => undefined);
    if (settled.some((result) => result.status === "rejected")) {
        return undefined;
    }
    const keys = Object.keys(outputs);
    return Object.fromEntries(settled.map((result, i) => [keys[i], (result as PromiseFulfilledResult<unknown>).value]));
}

const sharedRuns = new Map<string, Promise<ProgramRun>>();

function runKey(stack: string, overrides: Record<string, unknown>, cluster: MockCluster): string {
    return `${stack}\0${JSON.stringify(overrides)}\0${JSON.stringify(cluster)}`;
}

/**
 * A committed stack (with `overrides` merged into its config) evaluated once per process
 * on `cluster`: every test that reads the same stack shares the run, and must not change
 * it. A test about evaluation itself (determinism) calls `runProgram` for a run of its own.
 */
export function evaluateStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    cluster: MockCluster = {},
): Promise<ProgramRun> {
    const key = runKey(stack, overrides, cluster);
    let run = sharedRuns.get(key);
    if (run === undefined) {
        run = runProgram(stackConfig(stack, overrides), stack, cluster);
        sharedRuns.set(key, run);
    }
    return run;
}

/** Drops the shared run of one stack and config, so that the next request evaluates it anew. */
export function forgetEvaluation(
    stack: string,
    overrides: Record<string, unknown> = {},
    cluster: MockCluster = {},
): void {
    sharedRuns.delete(runKey(stack, overrides, cluster));
}

/** The outputs of one mesh, sorted: the program's stack outputs and the component's, the same. */
export const MESH_OUTPUT_NAMES = [
    "ambientNamespaces",
    "canaryNamespaces",
    "capturedNamespaces",
    "controlPlanes",
    "dashboardAccess",
    "dashboardUrls",
    "grafanaAdminPassword",
    "ingressGateway",
    "injectionNamespaces",
    "istioNamespace",
    "istioVersion",
    "kialiLoginToken",
    "portForwardCommands",
    "prometheusScrapeConfig",
    "restartCommands",
];
