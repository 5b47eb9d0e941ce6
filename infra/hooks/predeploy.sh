#!/bin/sh
# azd predeploy hook (posix): on the first deploy, give the new role assignments time to apply.
#
# On Flex Consumption the app itself writes the uploaded package to its storage account, with its
# managed identity, and the provision has just granted it that role. Role assignments take a few
# minutes to apply: until then the upload fails with 403 and azd does not retry. So the first deploy
# waits until ROLE_PROPAGATION_SECONDS (default 180) have passed since the provision started
# (ROLES_ASSIGNED_AT, an output of main.bicep). Later deploys do not wait.
set -eu

case "${DEPLOY_EVENT_SUBSCRIPTIONS:-false}" in
  [Tt][Rr][Uu][Ee]) exit 0 ;;
esac
if [ -z "${ROLES_ASSIGNED_AT:-}" ]; then
  exit 0
fi
seconds="${ROLE_PROPAGATION_SECONDS:-180}"
remaining=$(node -e 'const [at, wait] = process.argv.slice(1); const left = Date.parse(at) + Number(wait) * 1000 - Date.now(); process.stdout.write(String(Number.isNaN(left) ? 0 : Math.max(0, Math.ceil(left / 1000))))' "$ROLES_ASSIGNED_AT" "$seconds")
if [ "$remaining" -gt 0 ]; then
  echo "First deploy: waiting ${remaining}s for the app's new storage roles to apply (until then its package upload fails with 403)..."
  sleep "$remaining"
fi
