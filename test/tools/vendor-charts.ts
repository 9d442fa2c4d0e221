import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { allPinnedCharts, PinnedChart } from "../../components/versions";
import { runHelm } from "../support/helm";
import { CHARTS_DIR, VendoredChart, vendoredCharts } from "../support/vendored-charts";
import { Console, runAsProgram } from "./command";

/**
 * `npm run vendor-charts`: brings test/charts/ in line with components/versions.ts after a
 * bump. Pulls each pinned chart that has no directory with the pinned Helm (needs the
 * chart repositories: run it where there is internet), and removes directories no pin uses.
 */

export interface VendorPlan {
    pull: PinnedChart[];
    remove: VendoredChart[];
}

/** What to pull and what to remove so that every pin has exactly one directory. */
export function vendorPlan(pins: readonly PinnedChart[], vendored: readonly VendoredChart[]): VendorPlan {
    const key = (chart: string, version: string): string => `${chart} ${version}`;
    const pinned = new Set(pins.map((pin) => key(pin.chart, pin.version)));
    const present = new Set(vendored.map((v) => key(v.pinned.chart, v.pinned.version)));
    return {
        pull: pins.filter((pin) => !present.has(key(pin.chart, pin.version))),
        remove: vendored.filter((v) => !pinned.has(key(v.pinned.chart, v.pinned.version))),
    };
}

export async function vendorCharts(args: readonly string[], io: Console): Promise<number> {
    if (args.length > 0) {
        io.err(
            "usage: npm run vendor-charts (it takes no arguments: the pins in components/versions.ts say what to vendor)",
        );
        return 2;
    }
    const plan = vendorPlan(allPinnedCharts(), vendoredCharts());
    if (plan.pull.length === 0 && plan.remove.length === 0) {
        io.out("test/charts/ holds exactly the pinned charts");
        return 0;
    }
    const sourcesFile = path.join(CHARTS_DIR, "SOURCES.yaml");
    const sources = yaml.load(fs.readFileSync(sourcesFile, "utf8")) as Record<string, unknown>;
    for (const pin of plan.pull) {
        const dir = `${pin.chart}-${pin.version}`;
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "vendor-"));
        try {
            await runHelm([
                "pull",
                pin.chart,
                "--repo",
                pin.repo,
                "--version",
                pin.version,
                "--untar",
                "--untardir",
                scratch,
            ]);
            fs.renameSync(path.join(scratch, pin.chart), path.join(CHARTS_DIR, dir));
        } catch (error) {
            io.err(`helm pull ${pin.chart} ${pin.version} from ${pin.repo} failed: ${(error as Error).message}`);
            return 1;
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
        sources[dir] = {
            repo: pin.repo,
            chart: pin.chart,
            version: pin.version,
            pinned: `${pin.chart} ${pin.version}`,
        };
        io.out(`pulled test/charts/${dir}`);
    }
    for (const stale of plan.remove) {
        fs.rmSync(path.join(CHARTS_DIR, stale.dir), { recursive: true, force: true });
        delete sources[stale.dir];
        io.out(`removed test/charts/${stale.dir} (no pin uses ${stale.pinned.chart} ${stale.pinned.version})`);
    }
    const header = "# Where each chart directory came from, and the pin in components/versions.ts it serves.\n";
    fs.writeFileSync(sourcesFile, header + yaml.dump(sources, { sortKeys: true, lineWidth: -1 }));
    return 0;
}

if (require.main === module) {
    runAsProgram(vendorCharts);
}
