#!/bin/sh
# azd predeploy hook (posix): right after the app's storage roles are granted, give them time to apply.
#
# On Flex Consumption the app itself writes the uploaded package to its storage account, with its
# managed identity, and the first provision has just granted it that role. Role assignments take a few
# minutes to apply: until then the upload fails with 403 and azd does not retry (Azure/azure-dev#8026).
# So a deploy waits until ROLE_PROPAGATION_SECONDS (default 180) have passed since the roles were
# granted: ROLES_ASSIGNED_AT, an output of main.bicep, is the assignments' own creation time, which a
# later provision leaves as it was. Later deploys find that time long past and do not wait.
set -eu

if [ -z "${ROLES_ASSIGNED_AT:-}" ]; then
  exit 0
fi
seconds="${ROLE_PROPAGATION_SECONDS:-180}"
remaining=$(node -e 'const [at, wait] = process.argv.slice(1); const left = Date.parse(at) + Number(wait) * 1000 - Date.now(); process.stdout.write(String(Number.isNaN(left) ? 0 : Math.max(0, Math.ceil(left / 1000))))' "$ROLES_ASSIGNED_AT" "$seconds")
if [ "$remaining" -gt 0 ]; then
  echo "The app's storage roles were granted moments ago: waiting ${remaining}s for them to apply (until then its package upload fails with 403)..."
  sleep "$remaining"
fi
