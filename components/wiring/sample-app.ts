import * as pulumi from "@pulumi/pulumi";
import { SAMPLE_APP_NAMESPACE } from "../args/defaults";
import type { MeshSettings } from "../args/settings";
import { inClusterNamespace } from "../args/value-checks";
import type { SizingPlan } from "../sizing/sizing";
import type { ControlPlanePlan } from "../values/control-plane-plan";
import type { SampleAppPlan, SampleScraper } from "../values/sample-app";
import { SampleApp } from "../addons/sample-app";
import type { ControlPlaneParts } from "./control-plane";

/** Who scrapes the sample's sidecars: the bundled Prometheus, an existing one, or none. */
function scraper(settings: MeshSettings): SampleScraper | undefined {
    if (settings.addons.includes("prometheus")) {
        return { bundled: true };
    }
    const existing = settings.existingPrometheus;
    return existing === undefined ? undefined : { namespace: inClusterNamespace(new URL(existing.url).hostname) };
}

/** What the sample application is, for these settings: the mesh's data plane, its default revision, its size. */
export function sampleAppPlan(settings: MeshSettings, sizing: SizingPlan, plan: ControlPlanePlan): SampleAppPlan {
    const scrapedBy = scraper(settings);
    return {
        namespace: SAMPLE_APP_NAMESPACE,
        dataPlane: settings.ambient === undefined ? "sidecar" : "ambient",
        revision: plan.gatewayRevision,
        size: sizing.sizes.sampleApp,
        networkPolicies: settings.networkPolicies,
        ...(scrapedBy !== undefined && { scraper: scrapedBy }),
        ...(settings.workloads.registry !== undefined && { registry: settings.workloads.registry }),
        pullSecrets: [...settings.workloads.pullSecrets],
        ...(settings.ambient !== undefined && settings.membership !== undefined && { globalServices: true }),
    };
}

/**
 * The sample application, with `sampleApp`: its pods wait for the tags that inject them (and
 * ztunnel, which captures them with ambient), as the namespace labels of the mesh do.
 */
export function buildSampleApp(
    mesh: pulumi.ComponentResource,
    name: string,
    {
        settings,
        sizing,
        plan,
        core,
    }: { settings: MeshSettings; sizing: SizingPlan; plan: ControlPlanePlan; core: ControlPlaneParts },
): pulumi.Resource[] {
    if (!settings.sampleApp) {
        return [];
    }
    const app = new SampleApp(
        `${name}-sample-app`,
        { ...sampleAppPlan(settings, sizing, plan), registryCredentials: settings.workloads.registryCredentials },
        { parent: mesh, dependsOn: core.labelWaits },
    );
    return [app];
}
