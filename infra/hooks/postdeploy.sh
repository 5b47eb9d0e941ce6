#!/bin/sh
# azd postdeploy hook (posix): deploy the Event Grid subscriptions, now that the functions run.
#
# An AzureFunction endpoint must name a deployed function, so the subscriptions cannot come with the
# provision on a first azd up; and a provision that declared them would re-PUT them while its app
# settings change restarts the app. So they live here only: after every deploy, this hook deploys
# modules/eventSubscriptions.bicep alone (az deployment group create), which touches nothing but the
# subscriptions and changes nothing when they are already as declared.
#
# The Functions host may still be indexing the new code, and Event Grid checks the function when it
# creates or updates the subscription ("Destination endpoint not found"): so a failed attempt is tried
# again.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd deploy or azd up).}"
attempts="${POSTDEPLOY_ATTEMPTS:-5}"
delay="${POSTDEPLOY_RETRY_DELAY_SECONDS:-30}"

for name in EVENT_GRID_SYSTEM_TOPIC_NAME EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP AZURE_FUNCTION_APP_ID AZURE_STORAGE_ACCOUNT_ID DEAD_LETTER_CONTAINER_NAME EVENT_SUBSCRIPTION_SUFFIX; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "$name is not set: run azd provision first (it is an output of infra/main.bicep)." >&2
    exit 1
  fi
done
if ! command -v az >/dev/null 2>&1; then
  echo "Deploying the Event Grid subscriptions needs the Azure CLI (az), signed in with az login: install it, then run azd hooks run postdeploy" >&2
  exit 1
fi

template="$(dirname "$0")/../modules/eventSubscriptions.bicep"
echo "Deploying the Event Grid subscriptions on ${EVENT_GRID_SYSTEM_TOPIC_NAME} (resource group ${EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP}), now that the functions are deployed..."
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
    echo "Event Grid subscriptions in place: email-delivery-${EVENT_SUBSCRIPTION_SUFFIX} -> emailDeliveryReport, email-engagement-${EVENT_SUBSCRIPTION_SUFFIX} -> emailEngagementReport."
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    break
  fi
  echo "Deploying the subscriptions failed (attempt $attempt of $attempts): the new functions may not be indexed yet; trying again in ${delay}s." >&2
  attempt=$((attempt + 1))
  sleep "$delay"
done

echo "Could not deploy the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy" >&2
exit 1
