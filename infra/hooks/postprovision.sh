#!/bin/sh
# azd postprovision hook (posix): the Microsoft Entra ID app registration people sign in to, and App
# Service Authentication in front of the app (docs/authentication.md).
#
# Why a hook: the Microsoft Graph Bicep extension that could declare the registration is restored from
# a registry at build time, and the registration needs the app's host name (its sign-in redirect),
# which exists only once the provision has run. So after each provision this hook makes sure that:
# - the registration acs-email-status-<env> exists (or the one AUTH_CLIENT_ID names), single-tenant,
#   with the app roles EmailStatus.Read and EmailStatus.Change, ID tokens for sign-in (no secret), and
#   the app's redirect URI; its service principal requires an assigned role to sign in at all;
# - the person running azd holds EmailStatus.Change, so that someone can use the page from the start;
# - AUTH_CLIENT_ID is in the azd environment; when it was not yet at provision time, the hook deploys
#   infra/modules/authentication.bicep alone, and every later provision declares it in main.bicep.
# AUTH_SIGN_IN=false leaves sign-in out: function keys only.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd provision or azd up).}"

if [ "$(printf '%s' "${AUTH_SIGN_IN:-true}" | tr '[:upper:]' '[:lower:]')" = "false" ]; then
  echo "Sign-in with Microsoft Entra ID is off (AUTH_SIGN_IN=false): only function keys open the API."
  exit 0
fi
: "${SERVICE_API_URI:?SERVICE_API_URI is not set: the provision did not finish; run azd provision again.}"
if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is not on PATH, so nobody can sign in yet (function keys still work): install it, az login, then run azd provision again." >&2
  exit 0
fi

# Fixed ids: app roles are matched by id, so that running this again changes nothing.
READ_ROLE_ID=4f8d2c61-7a3e-4b9a-9c15-2e6b0d1f7a01
CHANGE_ROLE_ID=4f8d2c61-7a3e-4b9a-9c15-2e6b0d1f7a02
roles_file=$(mktemp)
trap 'rm -f "$roles_file"' EXIT
cat >"$roles_file" <<EOF
[{"id":"$READ_ROLE_ID","value":"EmailStatus.Read","displayName":"Read email status","description":"Look up messages and addresses, and read statistics and the suppression list.","allowedMemberTypes":["User"],"isEnabled":true},
 {"id":"$CHANGE_ROLE_ID","value":"EmailStatus.Change","displayName":"Change email status data","description":"Erase messages and addresses, and add to or reactivate from the suppression list (and read).","allowedMemberTypes":["User"],"isEnabled":true}]
EOF

name="acs-email-status-${AZURE_ENV_NAME}"
redirect="${SERVICE_API_URI}/.auth/login/aad/callback"
fail() { echo "$1" >&2; exit 1; }

client_id=${AUTH_CLIENT_ID:-}
if [ -z "$client_id" ]; then
  client_id=$(az ad app list --display-name "$name" --query "[0].appId" --output tsv) || fail "Could not look for the app registration $name with az: sign in with az login (the same account as azd), then run azd provision again."
fi
if [ -z "$client_id" ]; then
  client_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --enable-id-token-issuance true \
    --web-redirect-uris "$redirect" --app-roles "@$roles_file" --query appId --output tsv) ||
    fail "Could not create the app registration $name: your account needs permission to register applications in Microsoft Entra ID (or set AUTH_CLIENT_ID to one made for you)."
  echo "Created the app registration $name ($client_id)."
else
  az ad app update --id "$client_id" --enable-id-token-issuance true --web-redirect-uris "$redirect" --app-roles "@$roles_file" >/dev/null ||
    fail "Could not update the app registration $client_id: you need to be one of its owners."
fi
az ad app update --id "$client_id" --identifier-uris "api://$client_id" >/dev/null || fail "Could not set api://$client_id on the app registration."

sp_id=$(az ad sp list --filter "appId eq '$client_id'" --query "[0].id" --output tsv) || fail "Could not look for the app registration's service principal."
if [ -z "$sp_id" ]; then
  sp_id=$(az ad sp create --id "$client_id" --query id --output tsv) || fail "Could not create the app registration's service principal."
fi
# Only people assigned a role can sign in at all; the app checks the role on every request as well.
az ad sp update --id "$sp_id" --set appRoleAssignmentRequired=true >/dev/null || fail "Could not require role assignment on the service principal."

if [ -n "${AZURE_PRINCIPAL_ID:-}" ] && [ "${AZURE_PRINCIPAL_TYPE:-User}" = "User" ]; then
  assigned=$(az rest --method GET --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --query "value[?principalId=='$AZURE_PRINCIPAL_ID' && appRoleId=='$CHANGE_ROLE_ID'] | length(@)" --output tsv) || assigned=0
  if [ "${assigned:-0}" = "0" ]; then
    az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
      --body "{\"principalId\":\"$AZURE_PRINCIPAL_ID\",\"resourceId\":\"$sp_id\",\"appRoleId\":\"$CHANGE_ROLE_ID\"}" >/dev/null ||
      echo "Could not give you EmailStatus.Change: assign it in the portal (Enterprise applications, $name, Users and groups)." >&2
  fi
fi

if [ "${AUTH_CLIENT_ID:-}" != "$client_id" ]; then
  # This provision ran without it: put the platform's authentication in front now, as main.bicep will from now on.
  az deployment group create --resource-group "$AZURE_RESOURCE_GROUP" --subscription "${AZURE_SUBSCRIPTION_ID:-}" --name authentication \
    --template-file "$(dirname "$0")/../modules/authentication.bicep" \
    --parameters functionAppName="$AZURE_FUNCTION_APP_NAME" clientId="$client_id" tenantId="$AZURE_TENANT_ID" >/dev/null ||
    fail "Could not put App Service Authentication in front of the app; run azd provision again."
  azd env set AUTH_CLIENT_ID "$client_id" -e "$AZURE_ENV_NAME"
fi
echo "People sign in with Microsoft Entra ID at ${SERVICE_API_URI}/api/activity (app registration $name, $client_id); assign them EmailStatus.Read or EmailStatus.Change."
