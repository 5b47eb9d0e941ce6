#!/bin/sh
# azd postdown hook (posix): take this app's subscriptions and diagnostic setting off a reused system
# topic.
#
# azd down deletes the app's resource group: a system topic the app created goes with it, subscriptions
# and all. A reused topic is someone else's and lives elsewhere: it stays, and so would the
# subscriptions pointing at the deleted functions, unless they are removed here. Nothing else of the
# topic is touched.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd down).}"

case "${EVENT_GRID_SYSTEM_TOPIC_REUSED:-false}" in
  [Tt][Rr][Uu][Ee]) ;;
  *) exit 0 ;;
esac
topic="$EVENT_GRID_SYSTEM_TOPIC_NAME"
group="$EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP"
suffix="$EVENT_SUBSCRIPTION_SUFFIX"
if ! command -v az >/dev/null 2>&1; then
  echo "The reused system topic ${topic} still has this app's subscriptions email-delivery-${suffix} and email-engagement-${suffix}: remove them with az (see docs/deploy.md, Updating and removing)." >&2
  exit 1
fi
topic_id="/subscriptions/${AZURE_SUBSCRIPTION_ID:-}/resourceGroups/${group}/providers/Microsoft.EventGrid/systemTopics/${topic}"
az resource delete --only-show-errors \
  --ids "${topic_id}/eventSubscriptions/email-delivery-${suffix}" "${topic_id}/eventSubscriptions/email-engagement-${suffix}"
az monitor diagnostic-settings delete --only-show-errors --name "$EVENT_GRID_DIAGNOSTIC_SETTING_NAME" --resource "$topic_id"
echo "Removed this app's subscriptions and diagnostic setting from the reused system topic ${topic}; the topic itself stays."
