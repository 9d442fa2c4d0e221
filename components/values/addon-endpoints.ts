// Where the add-ons, or the consumer's own telemetry, are reached: each add-on's Service, port
// and sub-path, the tracing provider istiod sends spans to, and what Kiali and Grafana query.
import type { Addon, TracingQueryProvider } from "../args/choices";
import type { MeshSettings, OtlpTracing } from "../args/settings";
import type { TracingProvider } from "./istio-values";

/** Where each add-on is reached inside the cluster and on which port its UI listens. */
export const ADDON_SERVICES: Readonly<Record<Addon, { service: string; port: number; path: string }>> = {
    prometheus: { service: "prometheus", port: 9090, path: "/prometheus" },
    grafana: { service: "grafana", port: 3000, path: "/grafana" },
    jaeger: { service: "jaeger", port: 16686, path: "/jaeger" },
    kiali: { service: "kiali", port: 20001, path: "/kiali" },
};

/** The in-cluster URL of an add-on's HTTP endpoint in `namespace`. */
export function internalUrl(addon: Addon, namespace: string): string {
    const { service, port, path } = ADDON_SERVICES[addon];
    return `http://${service}.${namespace}.svc:${port}${path}`;
}

/** Jaeger's OTLP gRPC receiver, where istiod's tracing provider sends spans. */
export const JAEGER_OTLP_PORT = 4317;

/** istiod's tracing provider for the Jaeger add-on in `namespace`: OTLP to its receiver. */
export function jaegerTracingProvider(namespace: string): TracingProvider {
    return {
        name: "jaeger",
        opentelemetry: {
            service: `${ADDON_SERVICES.jaeger.service}.${namespace}.svc.cluster.local`,
            port: JAEGER_OTLP_PORT,
        },
    };
}

/** The path of OTLP's HTTP trace export, the collector's default. */
export const OTLP_HTTP_TRACES_PATH = "/v1/traces";

/** istiod's tracing provider for an OpenTelemetry collector: OTLP over gRPC, or over HTTP to `/v1/traces`. */
export function otlpTracingProvider(otlp: Pick<OtlpTracing, "host" | "port" | "protocol">): TracingProvider {
    return {
        name: "otel-tracing",
        opentelemetry: {
            service: otlp.host,
            port: otlp.port,
            ...(otlp.protocol === "http" && { http: { path: OTLP_HTTP_TRACES_PATH } }),
        },
    };
}

/**
 * Where the mesh's spans go: the bundled Jaeger in `namespace`, or the OTLP collector the
 * settings name (never both: the settings refuse that), or nowhere.
 */
export function meshTracingProvider(
    settings: Pick<MeshSettings, "addons" | "otlpTracing">,
    namespace: string,
): TracingProvider | undefined {
    if (settings.addons.includes("jaeger")) {
        return jaegerTracingProvider(namespace);
    }
    return settings.otlpTracing === undefined ? undefined : otlpTracingProvider(settings.otlpTracing);
}

/** The Prometheus Grafana and Kiali read: the existing one the settings name, else the bundled one in `namespace`. */
export function prometheusReadUrl(settings: Pick<MeshSettings, "existingPrometheus">, namespace: string): string {
    return settings.existingPrometheus?.url ?? internalUrl("prometheus", namespace);
}

/** A tracing query API Kiali links to. */
export interface KialiTracing {
    readonly provider: TracingQueryProvider;
    /** Where Kiali queries it. */
    readonly internalUrl: string;
    /** Where a browser opens it, if routed. */
    readonly externalUrl?: string;
}

/** What Kiali queries traces from: the bundled Jaeger, the query API behind a collector, or nothing. */
export function kialiTracing(
    settings: Pick<MeshSettings, "addons" | "otlpTracing">,
    namespace: string,
    jaegerExternalUrl?: string,
): KialiTracing | undefined {
    if (settings.addons.includes("jaeger")) {
        return {
            provider: "jaeger",
            internalUrl: internalUrl("jaeger", namespace),
            ...(jaegerExternalUrl !== undefined && { externalUrl: jaegerExternalUrl }),
        };
    }
    const query = settings.otlpTracing?.query;
    return query === undefined ? undefined : { provider: query.provider, internalUrl: query.url };
}
