import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ISTIO_IMAGE_HUB, SUPPORTED_ISTIO_MINORS } from "../components/versions";
import { containersOf, podSpecOf } from "./support/manifests";
import { renderChart, StackRender } from "./support/render";
import { templateValueKeys } from "./support/template-keys";
import { CHARTS_DIR, ISTIO_CHART_HUBS } from "./support/vendored-charts";
import { canarySteps, MINOR_FLOW, ownedObjects, renderUpgradeStep } from "./support/upgrade-flow";

/**
 * The two Istio minors side by side: what differs between their charts (found by reading
 * both, stated here), which registry each revision pulls from, and the 1.30 behaviour a 1.31
 * istiod keeps while a 1.30 istiod runs beside it (`compatibilityVersion`).
 */

const REFERENCE = path.resolve(__dirname, "reference");
const read = (file: string): string => fs.readFileSync(path.join(REFERENCE, file), "utf8");
const templateKeys = JSON.parse(read("template-value-keys.json")) as Record<string, string[]>;
const only = (a: readonly string[], b: readonly string[]): string[] => a.filter((key) => !b.includes(key));

describe("Istio 1.30 and 1.31: what differs between the charts", () => {
    it("supports exactly these two minors", () => {
        assert.deepStrictEqual(SUPPORTED_ISTIO_MINORS, ["1.30", "1.31"]);
    });

    it("istiod's values files are the same, base's differ in comments only, gateway's in keys we do not set", () => {
        const uncommented = (file: string): string =>
            read(file)
                .split("\n")
                .filter((line) => !/^\s*#/.test(line) && line.trim() !== "")
                .join("\n");
        assert.strictEqual(read("istio-1.30/istiod.values.yaml"), read("istio-1.31/istiod.values.yaml"));
        assert.strictEqual(read("istio-1.30/demo-profile.values.yaml"), read("istio-1.31/demo-profile.values.yaml"));
        assert.notStrictEqual(read("istio-1.30/base.values.yaml"), read("istio-1.31/base.values.yaml"));
        assert.strictEqual(uncommented("istio-1.30/base.values.yaml"), uncommented("istio-1.31/base.values.yaml"));
        const keys = (file: string): string[] => [
            ...new Set([...read(file).matchAll(/^ {2}([a-zA-Z]+):/gm)].map((match) => match[1])),
        ];
        assert.deepStrictEqual(only(keys("istio-1.31/gateway.values.yaml"), keys("istio-1.30/gateway.values.yaml")), [
            "dnsPolicy",
            "dnsConfig",
        ]);
        assert.deepStrictEqual(
            only(keys("istio-1.30/gateway.values.yaml"), keys("istio-1.31/gateway.values.yaml")),
            [],
        );
    });

    it("template-value-keys.json lists what each Istio chart's templates read, for both minors", () => {
        for (const [minor, suffix] of [
            ["1.30", "1.30.3"],
            ["1.31", "1.31.0-rc.0"],
        ]) {
            for (const chart of ["base", "istiod", "gateway"]) {
                assert.deepStrictEqual(
                    templateKeys[`istio-${minor}/${chart}`],
                    templateValueKeys(path.join(CHARTS_DIR, `${chart}-${suffix}`)),
                    `istio-${minor}/${chart}`,
                );
            }
        }
    });

    it("1.31's templates read five keys 1.30's do not, none of which we set", () => {
        const diff = (chart: string): [string[], string[]] => [
            only(templateKeys[`istio-1.30/${chart}`], templateKeys[`istio-1.31/${chart}`]),
            only(templateKeys[`istio-1.31/${chart}`], templateKeys[`istio-1.30/${chart}`]),
        ];
        assert.deepStrictEqual(
            { base: diff("base"), istiod: diff("istiod"), gateway: diff("gateway") },
            {
                base: [[], []],
                istiod: [[], ["env.COMPLIANCE_POLICY", "terminationMessagePolicy"]],
                gateway: [[], ["dnsConfig", "dnsPolicy", "service.healthCheckNodePort"]],
            },
        );
    });

    it("only 1.31's istiod can keep 1.30's behaviour: its compatibility profile turns off three 1.31 changes", () => {
        const profiles = (dir: string): string[] =>
            fs.readdirSync(path.join(CHARTS_DIR, dir, "files")).filter((f) => f.startsWith("profile-compatibility"));
        assert.deepStrictEqual(only(profiles("istiod-1.31.0-rc.0"), profiles("istiod-1.30.3")), [
            "profile-compatibility-version-1.30.yaml",
        ]);
        const profile = fs.readFileSync(
            path.join(CHARTS_DIR, "istiod-1.31.0-rc.0", "files", "profile-compatibility-version-1.30.yaml"),
            "utf8",
        );
        assert.deepStrictEqual(
            [...profile.matchAll(/^ {4}([A-Z_]+): "false"$/gm)].map((match) => match[1]),
            [
                "PILOT_ENABLE_STRICT_GATEWAY_MERGING",
                "PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY",
                "PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS",
            ],
        );
    });

    it("each minor's released chart pulls from its own registry: 1.30's from registry.istio.io, which retires", () => {
        assert.deepStrictEqual(ISTIO_CHART_HUBS, { "1.30": "registry.istio.io/release", "1.31": "docker.io/istio" });
        assert.strictEqual(ISTIO_IMAGE_HUB, "docker.io/istio");
    });
});

describe("the minor upgrade's revisions as rendered", () => {
    const renders = new Map<string, StackRender>();
    before(async function () {
        this.timeout(120000);
        for (const step of canarySteps(MINOR_FLOW)) {
            renders.set(step.id, await renderUpgradeStep(step));
        }
    });

    /** `release: container image` of every Istio container a step renders. */
    const istioImages = (render: StackRender): string[] =>
        render.releases
            .filter((release) => /^(istiod|istio-base|ingress-gateway|egress-gateway)/.test(release.resourceName))
            .flatMap((release) =>
                release.objects.flatMap((object) => {
                    const pod = podSpecOf(object);
                    return pod === undefined
                        ? []
                        : containersOf(pod).map(({ container }) => `${release.resourceName}: ${container.image}`);
                }),
            )
            .sort();

    it("pulls every Istio image from Docker Hub, at its revision's version; the gateways' proxies come from the injecting istiod", () => {
        assert.deepStrictEqual(istioImages(renders.get("minor-2-canary") as StackRender), [
            "egress-gateway: auto",
            "ingress-gateway: auto",
            "istiod-1-30-3: docker.io/istio/pilot:1.30.3",
            "istiod-1-31-4: docker.io/istio/pilot:1.31.4",
        ]);
        // `auto` is replaced at admission by the injector of the gateway's revision, from its values.
        const injector = (configMap: string): { hub: string; tag: string } => {
            const object = ownedObjects(renders.get("minor-2-canary") as StackRender).find(
                (o) => o.identity === `ConfigMap istio-system/${configMap}`,
            )?.object;
            const { hub, tag } = (
                JSON.parse((object?.data as Record<string, string>).values) as { global: { hub: string; tag: string } }
            ).global;
            return { hub, tag };
        };
        assert.deepStrictEqual(
            [injector("istio-sidecar-injector-1-30-3"), injector("istio-sidecar-injector-1-31-4")],
            [
                { hub: "docker.io/istio", tag: "1.30.3" },
                { hub: "docker.io/istio", tag: "1.31.4" },
            ],
        );
    });

    it("without our hub, the 1.30 istiod would pull from registry.istio.io, which retires", async () => {
        const release = (renders.get("minor-1-install") as StackRender).releases.find(
            (r) => r.resourceName === "istiod-1-30-3",
        );
        assert.ok(release);
        const values = JSON.parse(JSON.stringify(release.values)) as { global: Record<string, unknown> };
        delete values.global.hub;
        const chartDefault = await renderChart({ ...release, values });
        const images = chartDefault.objects.flatMap((object) => {
            const pod = podSpecOf(object);
            return pod === undefined ? [] : containersOf(pod).map(({ container }) => container.image);
        });
        assert.deepStrictEqual(images, ["registry.istio.io/release/pilot:1.30.3"]);
    });

    it("runs the 1.31 istiod with 1.30's behaviour while 1.30 runs beside it, and with its own once 1.30 is retired", () => {
        const pilotEnv = (step: string, istiod: string): Record<string, string> => {
            const deployment = ownedObjects(renders.get(step) as StackRender).find(
                (o) => o.identity === `Deployment istio-system/${istiod}`,
            )?.object;
            const container = containersOf(podSpecOf(deployment as never) as never)[0].container as unknown as {
                env: { name: string; value?: string }[];
            };
            return Object.fromEntries(
                container.env
                    .filter((e) =>
                        /^PILOT_(ENABLE_STRICT_GATEWAY_MERGING|SPAWN_UPSTREAM_SPAN_FOR_GATEWAY|AUTO_SEND_UNHEALTHY_ENDPOINTS)$/.test(
                            e.name,
                        ),
                    )
                    .map((e) => [e.name, e.value ?? ""]),
            );
        };
        const keeps130 = {
            PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false",
            PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false",
            PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false",
        };
        assert.deepStrictEqual(
            {
                canary: pilotEnv("minor-2-canary", "istiod-1-31-4"),
                promoted: pilotEnv("minor-4-promote", "istiod-1-31-4"),
                retired: pilotEnv("minor-5-retire", "istiod-1-31-4"),
                old: pilotEnv("minor-2-canary", "istiod-1-30-3"),
            },
            { canary: keeps130, promoted: keeps130, retired: {}, old: {} },
        );
    });
});
