#!/usr/bin/env bash
# Two kind clusters on kind's Docker network, each with a LoadBalancer provider (for the
# east-west gateways), and the API server addresses the stack file names.
set -euo pipefail
for cluster in east west; do
  kind create cluster --name "$cluster" --wait 120s
done
# Each cluster's API server as the other reaches it: its control plane container's address.
for cluster in east west; do
  echo "$cluster: https://$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cluster-control-plane"):6443"
done
echo "Put those addresses in Pulumi.local-multi.yaml (apiServer), and run cloud-provider-kind for the LoadBalancers."
