import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh } from "istio-mesh";

// Two clusters, each reached through a context of the kubeconfig Pulumi runs with. In a
// platform program they would be the outputs of the clusters' own resources (an EKS, GKE or
// AKS cluster's kubeconfig); the mesh only needs a provider for each.
const config = new pulumi.Config();
const east = new k8s.Provider("east", { context: config.require("eastContext") });
const west = new k8s.Provider("west", { context: config.require("westContext") });

// East serves the shop: sidecars in its namespace, every dashboard, a cluster of 8Gi.
const eastMesh = new IstioMesh(
    "east",
    {
        sidecars: { namespaces: ["shop"] },
        sizing: { memory: "8Gi" },
    },
    { provider: east },
);

// West runs ambient and keeps only Prometheus: its team brings its own dashboards. Adopting
// what a destroy kept goes through the same context as its provider.
const westMesh = new IstioMesh(
    "west",
    {
        sidecars: { namespaces: [] },
        ambient: { enabled: true, namespaces: ["default"] },
        telemetry: { addons: ["prometheus"] },
        cluster: { context: config.require("westContext"), adoptExisting: true },
    },
    { provider: west },
);

export const eastControlPlanes = eastMesh.controlPlanes;
export const eastRestartCommands = eastMesh.restartCommands;
export const eastPortForwardCommands = eastMesh.portForwardCommands;
export const westAmbientNamespaces = westMesh.ambientNamespaces;
export const westRestartCommands = westMesh.restartCommands;
