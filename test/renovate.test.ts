import * as assert from "assert";
import {
    ADDON_CHARTS,
    DEFAULT_ISTIO_VERSION,
    istioCharts,
    PREVIOUS_MINOR_ISTIO_VERSION,
    SAMPLE_APP_IMAGES,
} from "../components/versions";
import { extractDependencies, readRenovateConfig, renovateConfigProblems } from "./support/renovate";

describe("Renovate (.github/renovate.json)", () => {
    it("passes Renovate's own schema, with only keys it defines", function () {
        this.timeout(60000);
        assert.deepStrictEqual(renovateConfigProblems(readRenovateConfig()), []);
    });

    it("proposes an npm or GitHub Actions release only once it is a week old: either runs with secrets", () => {
        const rules = (readRenovateConfig().packageRules ?? []) as {
            matchManagers?: string[];
            minimumReleaseAge?: string;
            internalChecksFilter?: string;
        }[];
        const aged = (manager: string) =>
            rules
                .filter((rule) => rule.matchManagers?.includes(manager))
                .map((rule) => [rule.minimumReleaseAge, rule.internalChecksFilter]);
        assert.deepStrictEqual(aged("npm"), [["7 days", "strict"]]);
        assert.deepStrictEqual(aged("github-actions"), [["7 days", undefined]]);
    });

    it("the schema check catches a misspelt key and a wrong type", () => {
        const config = readRenovateConfig();
        const broken = {
            ...config,
            separateMinorPatch: "yes",
            customManagers: [{ ...config.customManagers[0], managerFilePattern: ["/x/"] }],
        };
        assert.deepStrictEqual(renovateConfigProblems(broken), [
            "/separateMinorPatch must be boolean",
            "/customManagers/0/managerFilePattern is not a Renovate option there",
        ]);
    });

    it("extracts exactly the pins: the Istio release from versions.ts and Pulumi.yaml, the previous minor's, the sample application's images, each add-on chart with its repository", () => {
        const istio = {
            depName: "istio",
            packageName: "istiod",
            currentValue: DEFAULT_ISTIO_VERSION,
            datasource: "helm",
            registryUrl: istioCharts(DEFAULT_ISTIO_VERSION).istiod.repo,
        };
        assert.deepStrictEqual(extractDependencies(readRenovateConfig()), [
            { file: "components/versions.ts", ...istio },
            {
                file: "components/versions.ts",
                ...istio,
                depName: "istio-previous-minor",
                currentValue: PREVIOUS_MINOR_ISTIO_VERSION,
            },
            { file: "Pulumi.yaml", ...istio },
            ...Object.values(SAMPLE_APP_IMAGES).map((pin) => ({
                file: "components/versions.ts",
                depName: pin.image.slice(0, pin.image.lastIndexOf(":")),
                packageName: pin.image.slice(0, pin.image.lastIndexOf(":")),
                currentValue: pin.image.slice(pin.image.lastIndexOf(":") + 1),
                datasource: "docker",
                registryUrl: undefined,
            })),
            ...Object.values(ADDON_CHARTS).map((pin) => ({
                file: "components/versions.ts",
                depName: pin.chart,
                packageName: pin.chart,
                currentValue: pin.version,
                datasource: "helm",
                registryUrl: pin.repo,
            })),
        ]);
    });
});
