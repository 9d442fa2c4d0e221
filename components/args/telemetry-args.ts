// Telemetry and the dashboards: the bundled add-ons, or the consumer's own Prometheus and
// tracing collector, and how the dashboards are reached.

import type { Addon, DashboardExposure, OtlpProtocol, TracingQueryProvider } from "./choices";

/** Prometheus as the bundled add-on runs it. */
export interface PrometheusArgs {
    /**
     * How long metrics are kept, a Prometheus duration such as `6h` or `15d`.
     * @default "24h"
     */
    retention?: string;
    /**
     * Size of a persistent volume for its data, e.g. `8Gi`, kept by destroy.
     * @default none: data is lost on restart
     */
    storage?: string;
    /**
     * Verify each kubelet's certificate when scraping the nodes' container metrics. Off only
     * where kubelets serve self-signed certificates (minikube, kubeadm's default).
     * @default true
     */
    kubeletTlsVerify?: boolean;
}

/** Kiali as the bundled add-on runs it. */
export interface KialiArgs {
    /**
     * Kiali without login, and then view-only; never on a shared cluster.
     * @default false
     */
    anonymous?: boolean;
}

/** A Prometheus the mesh does not install, which Grafana and Kiali read instead of the bundled one. */
export interface ExistingPrometheusArgs {
    /**
     * Its HTTP API's base URL as Grafana and Kiali reach it from `istio-system`: in the cluster
     * (`http://prometheus-operated.monitoring.svc:9090`) or not (`https://prometheus.example.com`),
     * with the path prefix it serves under, if any. Not with `prometheus` in `addons`.
     * @default none: the bundled Prometheus, if `addons` has it
     */
    url?: string;
    /**
     * Whether it already scrapes the mesh (istiod, every proxy, ztunnel). If not, the
     * `prometheusScrapeConfig` output holds the scrape jobs to add to it.
     * @default false
     */
    scrapesMesh?: boolean;
}

/** Traces to an OpenTelemetry collector (OTLP) instead of the bundled Jaeger. */
export interface OtlpTracingArgs {
    /**
     * The collector's OTLP receiver as `host:port`, the host a Service's full name
     * (`otel-collector.observability.svc.cluster.local:4317`) or a host a ServiceEntry
     * declares. Not with `jaeger` in `addons`.
     * @default none: spans go to the bundled Jaeger, if `addons` has it
     */
    endpoint?: string;
    /**
     * `grpc`, or `http` (to `/v1/traces`).
     * @default "grpc"
     */
    protocol?: OtlpProtocol;
    /**
     * Where Kiali queries traces, e.g. the Jaeger or Tempo behind the collector:
     * `http://tempo.observability.svc:3200`.
     * @default none: Kiali's tracing integration is off
     */
    queryUrl?: string;
    /**
     * The API `queryUrl` serves: `jaeger` or `tempo`.
     * @default "jaeger"
     */
    queryProvider?: TracingQueryProvider;
}

/** The telemetry add-ons and what the mesh sends them. */
export interface TelemetryArgs {
    /**
     * The add-ons to install; Grafana and Kiali need a Prometheus: this one, or
     * `existingPrometheus`.
     * @default ["prometheus", "grafana", "jaeger", "kiali"]
     */
    addons?: Addon[];
    /**
     * Percent of requests traced, 0 to 100; needs Jaeger or `otlpTracing`.
     * @default 1
     */
    tracingSampling?: number;
    /**
     * A Prometheus of the cluster's or the team's, instead of the bundled one.
     * @default none
     */
    existingPrometheus?: ExistingPrometheusArgs;
    /**
     * Spans to an OpenTelemetry collector, instead of the bundled Jaeger.
     * @default none
     */
    otlpTracing?: OtlpTracingArgs;
    /**
     * Prometheus's retention, volume and kubelet verification.
     * @default a day of metrics, no volume, kubelets verified
     */
    prometheus?: PrometheusArgs;
    /**
     * Kiali's login.
     * @default a token login
     */
    kiali?: KialiArgs;
}

/** How the dashboards are reached and who reaches them. */
export interface DashboardsArgs {
    /**
     * `ingress`: routed through the ingress gateway under `/kiali`, `/grafana`, `/jaeger`,
     * `/prometheus`; `none`: port-forward only.
     * @default "none"
     */
    exposure?: DashboardExposure;
    /**
     * The host name the routes answer to.
     * @default any host
     */
    host?: string;
    /**
     * Client IPv4 ranges admitted to the routed dashboards; everyone else gets 403.
     * @default ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
     */
    allowedCidrs?: string[];
    /**
     * Dashboards with no login of their own (`prometheus`, `jaeger`, an anonymous `kiali`) to
     * route anyway.
     * @default []
     */
    withoutLogin?: Addon[];
    /**
     * A `kubernetes.io/tls` Secret in the ingress gateway's namespace with the host's
     * certificate: HTTPS on 443, HTTP redirected.
     * @default none
     */
    tlsSecret?: string;
    /**
     * Accept logins routed over plain HTTP (no `tlsSecret`): a laptop cluster's choice.
     * @default false
     */
    plainHttp?: boolean;
}
