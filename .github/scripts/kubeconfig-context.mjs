// Whether a kubeconfig from a CI secret has the context the stack file names in
// `kubernetes:context`, the one the program deploys to (docs/ci.md, Secrets). Prints one
// `::error::` line naming the secret, the context and the fix, and exits 1, when it does not;
// says nothing when it does, or when the stack file names no context (the program refuses
// such a stack itself, naming the key).
//
//   node .github/scripts/kubeconfig-context.mjs <stack file> <kubeconfig file> <secret name>
import * as fs from "node:fs";
import yaml from "js-yaml";

const [stackFile, kubeconfigFile, secret] = process.argv.slice(2);
if (secret === undefined) {
    console.error("usage: kubeconfig-context.mjs <stack file> <kubeconfig file> <secret name>");
    process.exit(2);
}
const stack = fs.existsSync(stackFile) ? (yaml.load(fs.readFileSync(stackFile, "utf8")) ?? {}) : {};
const wanted = stack.config?.["kubernetes:context"];
if (typeof wanted === "string" && wanted !== "") {
    let kubeconfig;
    try {
        kubeconfig = yaml.load(fs.readFileSync(kubeconfigFile, "utf8")) ?? {};
    } catch (error) {
        console.log(
            `::error::${secret} is not YAML (${String(error.message).split("\n")[0]}): store the kubeconfig file itself.`,
        );
        process.exit(1);
    }
    const contexts = (Array.isArray(kubeconfig.contexts) ? kubeconfig.contexts : [])
        .map((c) => c?.name)
        .filter(Boolean);
    if (!contexts.includes(wanted)) {
        const current = kubeconfig["current-context"] || contexts[0] || "<context>";
        console.log(
            `::error::${secret} has no context ${wanted}, the one ${stackFile} names in kubernetes:context (its contexts: ${contexts.join(", ") || "none"}): ` +
                `rename it with \`kubectl --kubeconfig <file> config rename-context ${current} ${wanted}\` and store the file as ${secret} again.`,
        );
        process.exit(1);
    }
}
