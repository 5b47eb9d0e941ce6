#!/bin/sh
# azd preprovision hook (posix): reuse the ACS resource's Event Grid system topic when it has one.
#
# An ACS resource can have only one system topic, and any resource whose portal Events page was ever
# used already has one: creating a second fails with "Only one system topic is allowed per source".
# So before provisioning, look for it (with az), and pass it to main.bicep through the azd
# environment (ACS_SYSTEM_TOPIC_NAME, ACS_SYSTEM_TOPIC_RESOURCE_GROUP). A value set by hand wins.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd provision or azd up).}"

if [ -z "${ACS_RESOURCE_NAME:-}" ] || [ -z "${ACS_RESOURCE_GROUP:-}" ]; then
  echo "Set the ACS resource first: azd env set ACS_RESOURCE_NAME <name>; azd env set ACS_RESOURCE_GROUP <its resource group>" >&2
  exit 1
fi
if [ -n "${ACS_SYSTEM_TOPIC_NAME:-}" ]; then
  echo "Reusing the Event Grid system topic ${ACS_SYSTEM_TOPIC_NAME} (ACS_SYSTEM_TOPIC_NAME)."
  exit 0
fi
if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is not on PATH, so an existing system topic cannot be looked for; if provisioning fails with 'Only one system topic is allowed per source', see docs/deploy.md." >&2
  exit 0
fi

acs_id="/subscriptions/${AZURE_SUBSCRIPTION_ID:-}/resourceGroups/${ACS_RESOURCE_GROUP}/providers/Microsoft.Communication/communicationServices/${ACS_RESOURCE_NAME}"
if ! topics=$(az eventgrid system-topic list --subscription "${AZURE_SUBSCRIPTION_ID:-}" --query "[].[name, resourceGroup, source]" --output tsv); then
  echo "Could not list the Event Grid system topics with az: sign in with az login (the same account as azd), then run azd up again." >&2
  exit 1
fi
# Resource ids compare without regard to case.
found=$(printf '%s\n' "$topics" | awk -F '\t' -v id="$acs_id" 'tolower($3) == tolower(id) { print $1 "\t" $2; exit }')
if [ -z "$found" ]; then
  echo "The ACS resource has no Event Grid system topic yet: provisioning creates one."
  exit 0
fi
name=$(printf '%s' "$found" | cut -f1)
group=$(printf '%s' "$found" | cut -f2)
if [ "$(printf '%s' "$group" | tr '[:upper:]' '[:lower:]')" = "$(printf 'rg-%s' "$AZURE_ENV_NAME" | tr '[:upper:]' '[:lower:]')" ]; then
  echo "The ACS resource's system topic ${name} is this environment's own."
  exit 0
fi
azd env set ACS_SYSTEM_TOPIC_NAME "$name" -e "$AZURE_ENV_NAME"
azd env set ACS_SYSTEM_TOPIC_RESOURCE_GROUP "$group" -e "$AZURE_ENV_NAME"
echo "Reusing the ACS resource's existing Event Grid system topic ${name} (resource group ${group}): it gains an identity and a diagnostic setting, and azd down leaves it in place."
