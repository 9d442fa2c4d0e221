#!/usr/bin/env bash
# Whether this deploy's commit is still the tip of its branch, as GitHub has it now: a run
# that waited while newer commits landed must not deploy its older one after them (or over
# them). Writes current=true|false to $GITHUB_OUTPUT; a commit that is no longer the tip is a
# notice, not a failure: the newest commit's own run deploys.
#
# Reads GITHUB_REPOSITORY, GITHUB_REF_NAME, GITHUB_SHA, STACK and GH_TOKEN (the job's token,
# contents: read). A failed query fails the job: without an answer nothing deploys.
set -euo pipefail

tip="$(gh api "repos/${GITHUB_REPOSITORY}/commits/${GITHUB_REF_NAME}" --jq .sha)"
if [ -z "$tip" ]; then
  echo "::error::could not read the tip of ${GITHUB_REF_NAME}; nothing deploys" >&2
  exit 1
fi
if [ "$tip" = "$GITHUB_SHA" ]; then
  echo "current=true" >> "$GITHUB_OUTPUT"
else
  echo "current=false" >> "$GITHUB_OUTPUT"
  echo "::notice title=Deploy of ${STACK:-this stack} skipped::${GITHUB_SHA} is no longer the tip of ${GITHUB_REF_NAME} (${tip} is): that commit's own run deploys it."
fi
