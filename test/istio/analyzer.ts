import { spawn } from "node:child_process";
import type { K8sObject, StackRender } from "../support/render";
import { revisionConfigs, stepObjects, workloadPods } from "./mesh-objects";

/**
 * Runs Istio's config analyzers (our program test/apiserver/go/istio/analyze, built by
 * test/tools/build-istio.ts) on many cases in one process: Go's start-up and Istio's schema
 * loading are paid once per run, not once per stack or step.
 */

/** One input of the analyzers: every object of a step, and one revision's mesh config. */
export interface AnalysisCase {
    name: string;
    meshConfig: string;
    objects: K8sObject[];
}

/** One message as Istio's analyzers report it. */
export interface AnalysisMessage {
    /** `IST0101` and so on. */
    code: string;
    level: "Error" | "Warning" | "Info";
    /** `Kind namespace/name` of the resource the message is about, or "". */
    resource: string;
    message: string;
}

export interface AnalysisResult {
    name: string;
    messages: AnalysisMessage[];
    /** Analyzers skipped for want of an input kind. */
    skipped: string[];
    /** Why the case could not be analyzed, if it could not. */
    error?: string;
}

export interface AnalysisRun {
    /** The Istio version the analyzer was stamped with. */
    version: string;
    results: AnalysisResult[];
}

/**
 * The cases of one stack or step: its objects with a pod per workload, once for each revision's
 * mesh config (a canary's istiod reads its own), named `<name> (mesh config of istio-<revision>)`.
 * `change` edits the objects before the pods are made from them (the negative tests' breakages).
 */
export function casesOf(
    name: string,
    render: StackRender,
    change: (objects: K8sObject[]) => K8sObject[] = (objects) => objects,
): AnalysisCase[] {
    const objects = change(stepObjects(render));
    const all = [...objects, ...workloadPods(objects)];
    return revisionConfigs(objects).map(({ revision, meshConfig }) => ({
        name: `${name} (mesh config of istio-${revision})`,
        meshConfig,
        objects: all,
    }));
}

/** Runs the analyzer binary on `cases`; rejects with its stderr if it fails. */
export function analyze(binary: string, cases: readonly AnalysisCase[]): Promise<AnalysisRun> {
    const input = JSON.stringify({
        cases: cases.map((c) => ({
            name: c.name,
            meshConfig: c.meshConfig,
            // JSON is YAML, and many times faster to write than js-yaml's dump.
            objects: c.objects.map((o) => JSON.stringify(o)).join("\n---\n"),
        })),
    });
    return new Promise((resolve, reject) => {
        const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            if (code !== 0) {
                reject(new Error(`${binary} exited with ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
                return;
            }
            resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as AnalysisRun);
        });
        child.stdin.end(input);
    });
}
