// `npm run build` (and `prepare`, so `npm ci`, `npm pack` and `pulumi package add` build it):
// compiles the package's entry, components/index.ts, with its declarations into bin/, and
// copies the files its modules read at run time beside them: the Gateway API CRDs, the
// Grafana dashboards and the keys each pinned chart reads. bin/ is built from nothing each time, so nothing a deleted source
// compiled to earlier reaches the package.
import { spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ASSETS = ["components/crds", "components/values/grafana-dashboards", "components/args/chart-keys.json"];

rmSync(`${root}bin`, { recursive: true, force: true });
const tsc = spawnSync(`${root}node_modules/.bin/tsc`, ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) {
    process.exit(tsc.status ?? 1);
}
for (const asset of ASSETS) {
    cpSync(`${root}${asset}`, `${root}bin/${asset}`, { recursive: true });
}
