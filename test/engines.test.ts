// `npm ci` on every Node version package.json's `engines` allows prints no engine warning:
// each package the lock file installs accepts the oldest and a late release of each major
// that range covers (docs/testing.md, Node versions).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import { ROOT } from "./support/program";

interface LockFile {
    packages: Record<string, { version?: string; engines?: unknown }>;
}

/** The Node versions a range is checked at: the lowest release of each major it admits, and a late one. */
export function checkedVersions(range: string): string[] {
    const low = semver.minVersion(range);
    const versions: string[] = [];
    for (let major = low?.major ?? 0; low !== null && major <= 40; major++) {
        const first = new semver.Range(range).set
            .map((comparators) =>
                semver.minVersion(
                    new semver.Range(`${comparators.map((c) => c.value).join(" ")} >=${major}.0.0 <${major + 1}.0.0`),
                ),
            )
            .filter((version): version is semver.SemVer => version !== null)
            .sort(semver.compare)[0];
        if (first !== undefined) versions.push(first.version, `${major}.99.0`);
    }
    return versions.filter((version) => semver.satisfies(version, range));
}

/** `name@version requires node <range>, not <version>` for each locked package that refuses one of `versions`. */
export function engineMismatches(lock: LockFile, versions: readonly string[]): string[] {
    return Object.entries(lock.packages).flatMap(([where, entry]) => {
        // npm reads engines.node only from an object (an old array form is ignored, as npm does).
        const range = (entry.engines as { node?: unknown } | undefined)?.node;
        if (where === "" || typeof range !== "string" || Array.isArray(entry.engines)) {
            return [];
        }
        const refused = versions.filter((version) => !semver.satisfies(version, range));
        const name = where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
        return refused.length === 0
            ? []
            : [`${name}@${entry.version} requires node ${range}, not ${refused.join(", ")}`];
    });
}

describe("Node versions", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as LockFile;

    it("are 20.19+, 22.13+ and 24, as the lock file's root says too", () => {
        assert.strictEqual(pkg.engines.node, "^20.19.0 || ^22.13.0 || ^24.0.0");
        assert.deepStrictEqual(lock.packages[""].engines, pkg.engines);
        assert.deepStrictEqual(checkedVersions(pkg.engines.node), [
            "20.19.0",
            "20.99.0",
            "22.13.0",
            "22.99.0",
            "24.0.0",
            "24.99.0",
        ]);
    });

    it("each of them installs every locked package without an engine warning", () => {
        assert.deepStrictEqual(engineMismatches(lock, checkedVersions(pkg.engines.node)), []);
    });

    it("the check names what Node 20 refused: kubernetes-models 5 and its three packages", () => {
        const v5 = (version: string) => ({ version, engines: { node: ">=22" } });
        const was: LockFile = {
            packages: {
                "": { engines: { node: ">=20.19.0 <25" } },
                "node_modules/kubernetes-models": v5("5.1.0"),
                "node_modules/@kubernetes-models/base": v5("6.0.1"),
                "node_modules/jsonparse": { version: "1.3.1", engines: ["node >= 0.2.0"] },
                "node_modules/@npmcli/arborist": { version: "9.9.3", engines: { node: "^20.17.0 || >=22.9.0" } },
            },
        };
        assert.deepStrictEqual(engineMismatches(was, checkedVersions(">=20.19.0 <25")), [
            "kubernetes-models@5.1.0 requires node >=22, not 20.19.0, 20.99.0, 21.0.0, 21.99.0",
            "@kubernetes-models/base@6.0.1 requires node >=22, not 20.19.0, 20.99.0, 21.0.0, 21.99.0",
            "@npmcli/arborist@9.9.3 requires node ^20.17.0 || >=22.9.0, not 21.0.0, 21.99.0, 22.0.0",
        ]);
    });
});
