/**
 * Every chart this program installs, pinned in one place. The Helm values we set are
 * checked against these exact chart versions (see test/reference/).
 */

/** A Helm chart pinned by repository and version. */
export interface PinnedChart {
    readonly chart: string;
    readonly repo: string;
    readonly version: string;
}

/**
 * Istio's charts move from the retired storage.googleapis.com bucket (it stops serving in
 * December 2026 and never had 1.31) to blob.istio.io.
 */
const ISTIO_REPO = "https://blob.istio.io/istio-release/charts";

/** The Istio release installed unless `istio-mesh:istioVersion` says otherwise: the newest. */
export const DEFAULT_ISTIO_VERSION = "1.31.4";

/** A release of the minor before, which stacks upgrade from (Renovate proposes its patches only). */
export const PREVIOUS_MINOR_ISTIO_VERSION = "1.30.3";

/**
 * One release of each Istio minor our chart values are written for, oldest first: the
 * charts vendored for tests and the reference files in test/reference/ are of these. Any
 * patch of these minors may be installed, as the stable, canary or previous revision.
 * Another minor may rename or drop keys we set, so it is refused rather than installed
 * half-configured; supporting the next one means adding it here, what differs in its values
 * in values/istio-values.ts, and its charts and reference files under test/. Istio supports
 * two minors at a time.
 */
export const ISTIO_RELEASES: readonly string[] = [PREVIOUS_MINOR_ISTIO_VERSION, DEFAULT_ISTIO_VERSION];

/** The Istio minor releases our chart values are written for, oldest first. */
export const SUPPORTED_ISTIO_MINORS: readonly string[] = ISTIO_RELEASES.map(istioMinor);

/**
 * Where every Istio image comes from, for every revision. Istio publishes only to Docker Hub
 * from 1.31 on, and stops serving gcr.io/istio-release and registry.istio.io (1.31 upgrade
 * notes); the 1.30 charts as released still pull from registry.istio.io/release
 * (istio/release-builder, release-1.30), so the hub is set, not left to each chart.
 */
export const ISTIO_IMAGE_HUB = "docker.io/istio";

/** The minor release of an Istio version: `1.31` for `1.31.4`. */
export function istioMinor(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}

/**
 * The revision name of an Istio version, as Istio's docs spell them: `1-31-4` for 1.31.4.
 * istiod's Deployment, Service, webhooks and ConfigMaps carry it, so two versions never
 * share an object.
 */
export function istioRevision(version: string): string {
    return version.replace(/\./g, "-");
}

/** Istio's charts at the given Istio version (they share one version); cni and ztunnel are ambient's. */
export function istioCharts(version: string): Record<"base" | "istiod" | "gateway" | "cni" | "ztunnel", PinnedChart> {
    return {
        base: { chart: "base", repo: ISTIO_REPO, version },
        istiod: { chart: "istiod", repo: ISTIO_REPO, version },
        gateway: { chart: "gateway", repo: ISTIO_REPO, version },
        cni: { chart: "cni", repo: ISTIO_REPO, version },
        ztunnel: { chart: "ztunnel", repo: ISTIO_REPO, version },
    };
}

/** The telemetry add-on charts. */
export const ADDON_CHARTS = {
    prometheus: { chart: "prometheus", repo: "https://prometheus-community.github.io/helm-charts", version: "29.27.0" },
    grafana: { chart: "grafana", repo: "https://grafana-community.github.io/helm-charts", version: "12.11.1" },
    jaeger: { chart: "jaeger", repo: "https://jaegertracing.github.io/helm-charts", version: "4.11.1" },
    kiali: { chart: "kiali-server", repo: "https://kiali.org/helm-charts", version: "2.29.0" },
} as const satisfies Record<string, PinnedChart>;

/**
 * The sample application's images (`sampleApp`), pinned by tag: small, maintained, and each
 * running as a user of its own, so every container meets Pod Security's `restricted` profile.
 * `user` is the image's numeric user, set on the container so that `runAsNonRoot` can be
 * checked (the curl image names its user, `curl_user`, rather than numbering it).
 */
export const SAMPLE_APP_IMAGES = {
    /** curl's official image (Alpine, ~10MB), in a shell loop: the traffic. */
    client: { image: "docker.io/curlimages/curl:8.21.0", user: 100 },
    /** NGINX's unprivileged image (stable, Alpine slim), listening on 8080: proxies to the backend. */
    frontend: { image: "docker.io/nginxinc/nginx-unprivileged:1.30.4-alpine-slim", user: 101 },
    /** go-httpbin (distroless, static, non-root since 2.19): answers /get, /status/<code>, /delay/<s>. */
    backend: { image: "docker.io/mccutchen/go-httpbin:2.24.0", user: 65532 },
} as const;

/** Every chart pin, Istio's at each release of ISTIO_RELEASES, for tools that vendor or check them all. */
export function allPinnedCharts(): PinnedChart[] {
    return [
        ...ISTIO_RELEASES.flatMap((release) => Object.values(istioCharts(release))),
        ...Object.values(ADDON_CHARTS),
    ];
}
