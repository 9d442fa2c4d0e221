#!/usr/bin/env bash
# Checks the secrets a Pulumi run on stack $STACK needs, by name, and writes its kubeconfig.
#
#   stack-secrets.sh preview   reads the read-only KUBECONFIG_<STACK>_PREVIEW; a missing secret
#                              is a notice: the job skips, never fails (forks and Dependabot
#                              get no secrets)
#   stack-secrets.sh deploy    reads KUBECONFIG_<STACK>; a missing secret is an error that
#                              fails the job
#
# Reads STACK, PULUMI_BACKEND_URL, the stack's own PULUMI_CONFIG_PASSPHRASE_<STACK>, the
# kubeconfig above and, for a Pulumi Cloud backend (https://), PULUMI_ACCESS_TOKEN. A
# kubeconfig without the context Pulumi.<STACK>.yaml names (kubernetes:context) fails the job,
# in a preview too: the secret is there but wrong (kubeconfig-context.mjs). Writes
# ready=true|false to $GITHUB_OUTPUT, and KUBECONFIG and PULUMI_CONFIG_PASSPHRASE to $GITHUB_ENV.
# A protected stack's passphrase is a secret of its environment only (docs/ci.md), so its
# preview, which runs without the environment, finds none and is skipped.
set -euo pipefail

mode="${1:-}"
if [ "$mode" != preview ] && [ "$mode" != deploy ]; then
  echo "usage: stack-secrets.sh preview|deploy" >&2
  exit 2
fi

if [ -z "${STACK:-}" ]; then
  echo "stack-secrets.sh: set STACK to the stack's name" >&2
  exit 2
fi
# Stack names may hold '-' and '.', secret names may not: qa-eu reads KUBECONFIG_QA_EU.
stack_key="${STACK^^}"
kubeconfig="KUBECONFIG_${stack_key//[.-]/_}"
passphrase="PULUMI_CONFIG_PASSPHRASE_${stack_key//[.-]/_}"
# A preview runs a pull request's unreviewed program: it never gets a credential that writes.
if [ "$mode" = preview ]; then kubeconfig="${kubeconfig}_PREVIEW"; fi
missing=()
for name in PULUMI_BACKEND_URL "$passphrase" "$kubeconfig"; do
  if [ -z "${!name:-}" ]; then missing+=("$name"); fi
done
case "${PULUMI_BACKEND_URL:-}" in
  https://*) if [ -z "${PULUMI_ACCESS_TOKEN:-}" ]; then missing+=(PULUMI_ACCESS_TOKEN); fi ;;
esac

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ready=false" >> "$GITHUB_OUTPUT"
  if [ "$mode" = preview ]; then
    echo "::notice title=Preview of ${STACK} skipped::No pulumi preview for stack ${STACK}: missing secret(s) ${missing[*]}. Pull requests from forks and Dependabot get no secrets; otherwise add them as repository secrets (Settings > Secrets and variables > Actions; the kubeconfig is the read-only one of docs/preview-reader.yaml). A protected stack keeps its passphrase in its environment only: plans/${STACK}.yaml is its preview."
    exit 0
  fi
  for name in "${missing[@]}"; do
    echo "::error::Missing secret ${name}: add it to the ${STACK} environment (Settings > Environments > ${STACK}), not to the repository, whose secrets pull requests can read."
  done
  exit 1
fi

umask 077
printf '%s\n' "${!kubeconfig}" > "$RUNNER_TEMP/kubeconfig"
# The stack file names its cluster's context (kubernetes:context): the kubeconfig must have it.
if ! node .github/scripts/kubeconfig-context.mjs "Pulumi.${STACK}.yaml" "$RUNNER_TEMP/kubeconfig" "$kubeconfig"; then
  rm -f "$RUNNER_TEMP/kubeconfig"
  echo "ready=false" >> "$GITHUB_OUTPUT"
  exit 1
fi
echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"
# GitHub masks it in logs, as it came from a secret. The heredoc form with a random
# delimiter keeps a passphrase with a newline one value, never a second variable.
delimiter="passphrase_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
{
  echo "PULUMI_CONFIG_PASSPHRASE<<${delimiter}"
  printf '%s\n' "${!passphrase}"
  echo "${delimiter}"
} >> "$GITHUB_ENV"
echo "ready=true" >> "$GITHUB_OUTPUT"
