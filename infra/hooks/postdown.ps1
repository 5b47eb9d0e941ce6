# azd postdown hook (Windows, PowerShell 7 or Windows PowerShell 5.1): take this app's subscriptions
# and diagnostic setting off a reused system topic. Same steps as postdown.sh: see there for why.
$ErrorActionPreference = 'Stop'
function Fail([string]$message) { [Console]::Error.WriteLine($message); exit 1 }

if (-not $env:AZURE_ENV_NAME) { Fail 'AZURE_ENV_NAME is not set: run this hook through azd (azd down).' }

if ("$env:EVENT_GRID_SYSTEM_TOPIC_REUSED" -ine 'true') { exit 0 }
$topic = $env:EVENT_GRID_SYSTEM_TOPIC_NAME
$suffix = $env:EVENT_SUBSCRIPTION_SUFFIX
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Fail "The reused system topic $topic still has this app's subscriptions email-delivery-$suffix and email-engagement-$($suffix): remove them with az (see docs/deploy.md, Updating and removing)."
}
$topicId = "/subscriptions/$($env:AZURE_SUBSCRIPTION_ID)/resourceGroups/$($env:EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP)/providers/Microsoft.EventGrid/systemTopics/$topic"
az resource delete --only-show-errors `
  --ids "$topicId/eventSubscriptions/email-delivery-$suffix" "$topicId/eventSubscriptions/email-engagement-$suffix"
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
az monitor diagnostic-settings delete --only-show-errors --name $env:EVENT_GRID_DIAGNOSTIC_SETTING_NAME --resource $topicId
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "Removed this app's subscriptions and diagnostic setting from the reused system topic $topic; the topic itself stays."
