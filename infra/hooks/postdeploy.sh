#!/bin/sh
# azd postdeploy hook (posix): create the Event Grid subscriptions once the functions exist.
#
# The first provision of an environment leaves the subscriptions out: an AzureFunction endpoint must
# name a deployed function. Now that the code is deployed, deploy modules/eventSubscriptions.bicep
# alone (az deployment group create), which touches nothing but the subscriptions: re-running the whole
# template would rewrite the app and its settings just before Event Grid looks its functions up. Then
# turn DEPLOY_EVENT_SUBSCRIPTIONS on: every later provision declares them, and this hook does nothing.
#
# The Functions host may still be indexing the new code, and Event Grid checks the function when it
# creates the subscription ("Destination endpoint not found"): so a failed attempt is tried again.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd deploy or azd up).}"
attempts="${POSTDEPLOY_ATTEMPTS:-5}"
delay="${POSTDEPLOY_RETRY_DELAY_SECONDS:-30}"

case "${DEPLOY_EVENT_SUBSCRIPTIONS:-false}" in
  [Tt][Rr][Uu][Ee])
    echo "Event Grid subscriptions are already provisioned (DEPLOY_EVENT_SUBSCRIPTIONS=true)."
    exit 0
    ;;
esac

for name in EVENT_GRID_SYSTEM_TOPIC_NAME EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP AZURE_FUNCTION_APP_ID AZURE_STORAGE_ACCOUNT_ID DEAD_LETTER_CONTAINER_NAME EVENT_SUBSCRIPTION_SUFFIX; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "$name is not set: run azd provision first (it is an output of infra/main.bicep)." >&2
    exit 1
  fi
done
if ! command -v az >/dev/null 2>&1; then
  echo "Creating the Event Grid subscriptions needs the Azure CLI (az), signed in with az login: install it, then run azd hooks run postdeploy" >&2
  exit 1
fi

template="$(dirname "$0")/../modules/eventSubscriptions.bicep"
echo "Creating the Event Grid subscriptions on ${EVENT_GRID_SYSTEM_TOPIC_NAME} (resource group ${EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP}), now that the functions are deployed..."
attempt=1
while :; do
  if az deployment group create --only-show-errors --output none \
    --name "event-subscriptions-${EVENT_SUBSCRIPTION_SUFFIX}" \
    --subscription "${AZURE_SUBSCRIPTION_ID:-}" \
    --resource-group "$EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP" \
    --template-file "$template" \
    --parameters systemTopicName="$EVENT_GRID_SYSTEM_TOPIC_NAME" functionAppId="$AZURE_FUNCTION_APP_ID" \
    deadLetterStorageAccountId="$AZURE_STORAGE_ACCOUNT_ID" deadLetterContainerName="$DEAD_LETTER_CONTAINER_NAME" \
    nameSuffix="$EVENT_SUBSCRIPTION_SUFFIX"; then
    azd env set DEPLOY_EVENT_SUBSCRIPTIONS true -e "$AZURE_ENV_NAME"
    echo "Event Grid subscriptions created: email-delivery-${EVENT_SUBSCRIPTION_SUFFIX} → emailDeliveryReport, email-engagement-${EVENT_SUBSCRIPTION_SUFFIX} → emailEngagementReport."
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    break
  fi
  echo "Creating the subscriptions failed (attempt $attempt of $attempts): the new functions may not be indexed yet; trying again in ${delay}s." >&2
  attempt=$((attempt + 1))
  sleep "$delay"
done

echo "Could not create the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy" >&2
exit 1
