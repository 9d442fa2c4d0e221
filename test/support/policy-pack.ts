import * as grpc from "@grpc/grpc-js";
import type { PolicyResource } from "@pulumi/policy";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { ChildProcess, spawn } from "child_process";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { ROOT } from "./program";

/**
 * The policy pack as the Pulumi engine runs it: Pulumi's own runner (`run-policy-pack`,
 * which `pulumi preview --policy-pack` starts through `pulumi-analyzer-policy`) started in
 * the pack's directory, which compiles the pack with type checks, and spoken to over the
 * analyzer gRPC protocol.
 */

export const POLICY_PACK_DIR = path.join(ROOT, "components", "policies");

export interface RunningPack {
    info(): Promise<{ name: string; version: string; policies: string[] }>;
    /**
     * Every diagnostic the pack returns for `resources`, as `policy (level): message`: each
     * resource analyzed alone, as before its step, then the whole stack, as after a preview.
     */
    analyze(resources: readonly PolicyResource[]): Promise<string[]>;
    stop(): void;
}

const call = <T>(run: (callback: (error: grpc.ServiceError | null, response: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => run((error, response) => (error ? reject(error) : resolve(response))));

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"];

/** Start the pack in its directory; resolves once it listens. */
export function startPolicyPack(): Promise<RunningPack> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_PACK_DIR] });
    // The engine's address: the pack logs through it only when a policy logs, and ours do not.
    const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
        cwd: POLICY_PACK_DIR,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)));
    return new Promise((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`the policy pack exited with ${code}:\n${stderr}`)));
        child.stdout?.once("data", (chunk) => {
            const port = Number(String(chunk).trim().split("\n")[0]);
            const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            resolve({
                info: async () => {
                    const info = await call<analyzer.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
                    return {
                        name: info.getName(),
                        version: info.getVersion(),
                        policies: info
                            .getPoliciesList()
                            .map((p) => `${p.getName()} (${LEVELS[p.getEnforcementlevel()]})`),
                    };
                },
                analyze: async (resources) => {
                    const asResource = <T extends analyzer.AnalyzeRequest | analyzer.AnalyzerResource>(
                        message: T,
                        r: PolicyResource,
                    ): T =>
                        message
                            .setType(r.type)
                            .setUrn(r.urn)
                            .setName(r.name)
                            .setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))))
                            .setOptions(new analyzer.AnalyzerResourceOptions()) as T;
                    const responses = [];
                    for (const r of resources) {
                        const request = asResource(new analyzer.AnalyzeRequest(), r);
                        responses.push(await call<analyzer.AnalyzeResponse>((cb) => client.analyze(request, cb)));
                    }
                    const stack = new analyzer.AnalyzeStackRequest().setResourcesList(
                        resources.map((r) => asResource(new analyzer.AnalyzerResource(), r)),
                    );
                    responses.push(await call<analyzer.AnalyzeResponse>((cb) => client.analyzeStack(stack, cb)));
                    return responses.flatMap((response) =>
                        response
                            .getDiagnosticsList()
                            .map((d) => `${d.getPolicyname()} (${LEVELS[d.getEnforcementlevel()]}): ${d.getMessage()}`),
                    );
                },
                stop: () => {
                    client.close();
                    child.removeAllListeners("exit");
                    child.kill();
                },
            });
        });
    });
}
