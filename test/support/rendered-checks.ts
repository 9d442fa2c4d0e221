import * as yaml from "js-yaml";
import { ADDON_SERVICES } from "../../components/values/addon-endpoints";
import { Addon } from "../../components/args/addons";
import { Address, configFile, servedPaths } from "./configured";
import { kubernetesSchemaErrors } from "./kubernetes-schema";
import { dashboardSets } from "../../components/values/grafana-dashboards";
import {
    allObjects,
    containersOf,
    findService,
    guaranteedPods,
    label,
    PodSpec,
    podMemoryRequestMi,
    podSpecOf,
    releaseOf,
    servicePorts,
    theObject,
} from "./manifests";
import { isWireSecret } from "./monitor";
import { Crd, crdSchemaErrors } from "./reference";
import { gatewayApiObjects } from "../../components/mesh/gateway-api-crds";
import { RenderedRelease, StackRender } from "./render";

/**
 * The checks on rendered objects, each returning the problems it finds (one line each,
 * naming the object, the field and the value), so that a test can show both that a stack
 * passes and that the check catches a broken object.
 */

/** Containers, init containers included, without a CPU request, memory request or memory limit. */
export function containerResourceProblems(releases: readonly RenderedRelease[]): string[] {
    return allObjects(releases)
        .flatMap(({ object }) => {
            const pod = podSpecOf(object);
            return pod === undefined
                ? []
                : containersOf(pod).flatMap(({ field, container }) => {
                      const missing = [
                          container.resources?.requests?.cpu === undefined && "no cpu request",
                          container.resources?.requests?.memory === undefined && "no memory request",
                          container.resources?.limits?.memory === undefined && "no memory limit",
                      ].filter((text): text is string => text !== false);
                      return missing.length === 0
                          ? []
                          : [`${label(object)} ${field} ${container.name}: ${missing.join(", ")}`];
                  });
        })
        .sort();
}

/** Memory the rendered workloads always request (pods × per-pod request), with a breakdown. */
export function renderedMemoryRequest(
    releases: readonly RenderedRelease[],
    nodes = 1,
): { totalMi: number; breakdown: string } {
    const objects = allObjects(releases).map(({ object }) => object);
    const workloads = objects.flatMap((object) => {
        const pod = podSpecOf(object);
        return pod === undefined
            ? []
            : [{ object, pods: guaranteedPods(object, objects, nodes), podMi: podMemoryRequestMi(pod) }];
    });
    return {
        totalMi: workloads.reduce((sum, w) => sum + w.pods * w.podMi, 0),
        breakdown: workloads.map((w) => `${label(w.object)} ${w.pods}×${w.podMi}Mi`).join(", "),
    };
}

/** Addresses with no rendered Service, or whose Service lacks the port. */
export function addressProblems(releases: readonly RenderedRelease[], addresses: readonly Address[]): string[] {
    return addresses.flatMap((address) => {
        const service = findService(releases, address.namespace, address.service);
        if (service === undefined) {
            return [`${address.where}: no Service ${address.namespace}/${address.service} is rendered`];
        }
        const ports = servicePorts(service).map((port) => port.port);
        return ports.includes(address.port)
            ? []
            : [
                  `${address.where}: Service ${address.namespace}/${address.service} has port ${ports.join(", ")}, not ${address.port}`,
              ];
    });
}

/** Dashboards served under another path than ours, and addresses that ask an app for a path it does not serve. */
export function servedPathProblems(render: StackRender, addresses: readonly Address[]): string[] {
    const served = servedPaths(render);
    const addons = Object.keys(served) as Addon[];
    const problems = addons.flatMap((addon) =>
        served[addon] === ADDON_SERVICES[addon].path
            ? []
            : [`${addon} serves ${served[addon]}, not ${ADDON_SERVICES[addon].path}`],
    );
    const appOf = new Map(addons.map((addon) => [ADDON_SERVICES[addon].service, addon]));
    for (const address of addresses) {
        const addon = appOf.get(address.service);
        const root = addon === undefined ? undefined : served[addon];
        if (
            root !== undefined &&
            address.path !== undefined &&
            address.path !== root &&
            !address.path.startsWith(`${root}/`)
        ) {
            problems.push(`${address.where}: asks ${address.service} for ${address.path}, which serves ${root}`);
        }
    }
    return problems;
}

/** Prometheus scrape jobs that target Prometheus itself at a path outside its route prefix. */
export function selfScrapeProblems(render: StackRender): string[] {
    const served = servedPaths(render).prometheus;
    if (served === undefined) {
        return [];
    }
    const port = ADDON_SERVICES.prometheus.port;
    const jobs =
        (configFile(render, "prometheus", "prometheus", "prometheus.yml").scrape_configs as
            | Record<string, unknown>[]
            | undefined) ?? [];
    return jobs.flatMap((job) => {
        const targets = ((job.static_configs as { targets: string[] }[] | undefined) ?? []).flatMap((c) => c.targets);
        const self = targets.find((target) => target === `localhost:${port}` || target === `127.0.0.1:${port}`);
        const metricsPath = (job.metrics_path as string | undefined) ?? "/metrics";
        return self !== undefined && served !== "/" && !metricsPath.startsWith(`${served}/`)
            ? [
                  `ConfigMap istio-system/prometheus prometheus.yml job ${String(job.job_name)}: scrapes ${self}${metricsPath}, Prometheus serves ${served}`,
              ]
            : [];
    });
}

/**
 * Prometheus's scrape jobs that send a credential (its ServiceAccount token, or any
 * `authorization`) to a server it does not verify: over plain HTTP, or a scheme a target's
 * relabelling may choose, without a CA to check against, or skipping the check
 * (`insecure_skip_verify`), as `job_name`. Prometheus absent: none.
 */
export function unverifiedScrapeJobs(render: StackRender): string[] {
    if (servedPaths(render).prometheus === undefined) {
        return [];
    }
    interface Job {
        job_name: string;
        scheme?: string;
        bearer_token_file?: string;
        authorization?: unknown;
        tls_config?: { ca_file?: string; insecure_skip_verify?: boolean };
        relabel_configs?: { target_label?: string }[];
    }
    const jobs =
        (configFile(render, "prometheus", "prometheus", "prometheus.yml").scrape_configs as Job[] | undefined) ?? [];
    return jobs
        .filter((job) => job.bearer_token_file !== undefined || job.authorization !== undefined)
        .filter(
            (job) =>
                job.scheme !== "https" ||
                (job.relabel_configs ?? []).some((relabel) => relabel.target_label === "__scheme__") ||
                job.tls_config?.ca_file === undefined ||
                job.tls_config.insecure_skip_verify === true,
        )
        .map((job) => job.job_name);
}

/**
 * What a pod would download when it starts: any init container (the Grafana chart adds
 * `download-dashboards` for dashboards given by grafana.com id or URL; none of our charts
 * needs one), Grafana's plugin preinstall left on, or Istio's dashboard ConfigMaps not
 * mounted.
 */
export function offlineStartProblems(render: StackRender): string[] {
    const problems = allObjects(render.releases).flatMap(({ object }) =>
        (podSpecOf(object)?.initContainers ?? []).map(
            (c) => `${label(object)} initContainers ${c.name}: runs before the pod starts (image ${c.image ?? "?"})`,
        ),
    );
    const grafana = render.releases.find((r) => r.release === "grafana");
    if (grafana === undefined) {
        return problems;
    }
    const deployment = theObject(grafana, "Deployment", "grafana");
    const ini = (theObject(grafana, "ConfigMap", "grafana").data as Record<string, string>)["grafana.ini"];
    if (!/^\[plugins\]\npreinstall_disabled = true$/m.test(ini)) {
        problems.push(
            "ConfigMap istio-system/grafana grafana.ini: [plugins] preinstall_disabled is not true, so Grafana installs plugins from grafana.com at start",
        );
    }
    const pod = podSpecOf(deployment) as PodSpec;
    const mounted = ((pod.volumes as { configMap?: { name: string } }[] | undefined) ?? []).flatMap((v) =>
        v.configMap ? [v.configMap.name] : [],
    );
    // The ztunnel dashboard belongs where ztunnel runs.
    for (const set of dashboardSets(render.releases.some((r) => r.chart === "ztunnel"))) {
        if (!mounted.includes(set.configMap)) {
            problems.push(`${label(deployment)} volumes: ConfigMap ${set.configMap} is not mounted`);
        }
    }
    return problems;
}

/**
 * Kiali's `secret:<name>:<key>` references (its login signing key, Grafana's credential)
 * whose Secret the Kiali pod does not mount, or the program does not create with that key.
 */
export function kialiSecretReferenceProblems(render: StackRender): string[] {
    const text = (theObject(releaseOf(render.releases, "kiali"), "ConfigMap", "kiali").data as Record<string, string>)[
        "config.yaml"
    ];
    const references = [...text.matchAll(/secret:([a-z0-9.-]+):([A-Za-z0-9._-]+)/g)].map(([, name, key]) => ({
        name,
        key,
    }));
    const deployment = theObject(releaseOf(render.releases, "kiali"), "Deployment", "kiali");
    const volumes =
        ((podSpecOf(deployment) as PodSpec).volumes as { secret?: { secretName: string } }[] | undefined) ?? [];
    const created = render.run.registrations.filter((r) => r.type === "kubernetes:core/v1:Secret");
    return references.flatMap(({ name, key }) => {
        const problems: string[] = [];
        if (!volumes.some((v) => v.secret?.secretName === name)) {
            problems.push(`${label(deployment)}: mounts no Secret ${name} for secret:${name}:${key}`);
        }
        const secret = created.find((r) => (r.inputs.metadata as { name?: string }).name === name);
        // Data that holds a generated value arrives as a secret as a whole.
        const data = isWireSecret(secret?.inputs.stringData)
            ? secret?.inputs.stringData.value
            : secret?.inputs.stringData;
        if (!Object.keys((data as object | undefined) ?? {}).includes(key)) {
            problems.push(`secret:${name}:${key}: the program creates no Secret ${name} with key ${key}`);
        }
        return problems;
    });
}

/** LoadBalancer Services Pulumi would wait on for an address (10 minutes, then fail). */
export function loadBalancerWaitProblems(releases: readonly RenderedRelease[]): string[] {
    return allObjects(releases)
        .map(({ object }) => object)
        .filter((object) => object.kind === "Service" && (object.spec as { type?: string }).type === "LoadBalancer")
        .filter((object) => object.metadata.annotations?.["pulumi.com/skipAwait"] !== "true")
        .map((object) => `${label(object)}: type LoadBalancer without pulumi.com/skipAwait`);
}

/** Rendered objects the Kubernetes API schema rejects. */
export async function kubernetesSchemaProblems(releases: readonly RenderedRelease[]): Promise<string[]> {
    const problems: string[] = [];
    for (const { release, object } of allObjects(releases)) {
        problems.push(
            ...(await kubernetesSchemaErrors(object)).map((error) => `${release.release}: ${label(object)}: ${error}`),
        );
    }
    return problems;
}

/** Istio objects the program registers or a chart renders that the base chart's rendered CRDs reject. */
export function istioCrdProblems(render: StackRender): string[] {
    const crds = releaseOf(render.releases, "istio-base").objects.filter(
        (object) => object.kind === "CustomResourceDefinition",
    ) as unknown as Crd[];
    const registered = render.run.registrations
        .filter((r) => /^kubernetes:[a-z]+\.istio\.io\//.test(r.type))
        .map((r) => ({ label: `${r.type.split(":").pop()} ${r.name}`, object: r.inputs }));
    // What a chart of another revision renders meets the same CRDs: those of the newest.
    const rendered = render.releases.flatMap((release) =>
        release.objects
            .filter((o) => /^[a-z]+\.istio\.io\//.test(o.apiVersion))
            .map((o) => ({ label: `${o.kind} ${o.metadata.name} (Chart ${release.resourceName})`, object: o })),
    );
    return [...registered, ...rendered].flatMap(({ label, object }) =>
        crdSchemaErrors(object as unknown as Parameters<typeof crdSchemaErrors>[0], crds).map(
            (error) => `${label}: ${error}`,
        ),
    );
}

/** Gateway API objects the program registers (waypoints) that the pinned standard CRDs reject. */
export function gatewayApiCrdProblems(render: StackRender): string[] {
    const crds = gatewayApiObjects().filter((o) => o.kind === "CustomResourceDefinition") as unknown as Crd[];
    return render.run.registrations
        .filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io/"))
        .flatMap((r) =>
            crdSchemaErrors(r.inputs as unknown as Parameters<typeof crdSchemaErrors>[0], crds).map(
                (error) => `${r.type.split(":").pop()} ${r.name}: ${error}`,
            ),
        );
}

/** A deep copy of a render, for showing that a check catches a broken object. */
export function copyOf(render: StackRender): StackRender {
    return { ...render, releases: JSON.parse(JSON.stringify(render.releases)) as RenderedRelease[] };
}

/** Replaces one file of a rendered ConfigMap, for the same purpose. */
export function editConfigFile(
    render: StackRender,
    release: string,
    configMap: string,
    key: string,
    edit: (tree: Record<string, unknown>) => void,
): void {
    const tree = configFile(render, release, configMap, key);
    edit(tree);
    const object = releaseOf(render.releases, release).objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === configMap,
    );
    (object?.data as Record<string, string>)[key] = yaml.dump(tree);
}
