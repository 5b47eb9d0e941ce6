#!/bin/sh
# azd postdeploy hook (posix): create the Event Grid subscriptions once the functions exist.
#
# The first provision of an environment leaves the subscriptions out: an AzureFunction endpoint must
# name a deployed function. Now that the code is deployed, turn DEPLOY_EVENT_SUBSCRIPTIONS on and
# provision again. Once it is on, every provision declares the subscriptions and this hook does nothing.
#
# The Functions host may still be indexing the new code when the deployment returns, and Event Grid
# checks the function when it creates the subscription: so a failed provision is tried again, a few
# times. If it still fails, the flag goes back to off, so that the next `azd up` (or this hook) retries.
set -eu

: "${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run this hook through azd (azd deploy or azd up).}"
attempts="${POSTDEPLOY_PROVISION_ATTEMPTS:-3}"
delay="${POSTDEPLOY_RETRY_DELAY_SECONDS:-30}"

case "${DEPLOY_EVENT_SUBSCRIPTIONS:-false}" in
  [Tt][Rr][Uu][Ee])
    echo "Event Grid subscriptions are already provisioned (DEPLOY_EVENT_SUBSCRIPTIONS=true)."
    exit 0
    ;;
esac

echo "Creating the Event Grid subscriptions now that the functions are deployed..."
azd env set DEPLOY_EVENT_SUBSCRIPTIONS true -e "$AZURE_ENV_NAME"

attempt=1
while :; do
  if azd provision --no-prompt -e "$AZURE_ENV_NAME"; then
    echo "Event Grid subscriptions created."
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    break
  fi
  echo "Provisioning the subscriptions failed (attempt $attempt of $attempts); trying again in ${delay}s." >&2
  attempt=$((attempt + 1))
  sleep "$delay"
done

azd env set DEPLOY_EVENT_SUBSCRIPTIONS false -e "$AZURE_ENV_NAME"
echo "Could not create the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy" >&2
exit 1
