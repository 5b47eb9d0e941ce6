# azd postdeploy hook (Windows): deploy the Event Grid subscriptions, now that the functions run, by
# deploying modules/eventSubscriptions.bicep alone. Same steps as postdeploy.sh: see there for why.
# Runs in PowerShell 7 and in Windows PowerShell 5.1 (azd's fallback without pwsh): ASCII only, and
# Join-Path with two parts.
$ErrorActionPreference = 'Stop'
function Fail([string]$message) { [Console]::Error.WriteLine($message); exit 1 }

if (-not $env:AZURE_ENV_NAME) { Fail 'AZURE_ENV_NAME is not set: run this hook through azd (azd deploy or azd up).' }
$attempts = if ($env:POSTDEPLOY_ATTEMPTS) { [int]$env:POSTDEPLOY_ATTEMPTS } else { 5 }
$delay = if ($env:POSTDEPLOY_RETRY_DELAY_SECONDS) { [int]$env:POSTDEPLOY_RETRY_DELAY_SECONDS } else { 30 }

foreach ($name in 'EVENT_GRID_SYSTEM_TOPIC_NAME', 'EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_ID', 'AZURE_STORAGE_ACCOUNT_ID', 'DEAD_LETTER_CONTAINER_NAME', 'EVENT_SUBSCRIPTION_SUFFIX') {
  if (-not [Environment]::GetEnvironmentVariable($name)) { Fail "$name is not set: run azd provision first (it is an output of infra/main.bicep)." }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Fail 'Deploying the Event Grid subscriptions needs the Azure CLI (az), signed in with az login: install it, then run azd hooks run postdeploy'
}

$suffix = $env:EVENT_SUBSCRIPTION_SUFFIX
$template = Join-Path (Split-Path $PSScriptRoot -Parent) 'modules/eventSubscriptions.bicep'
Write-Host "Deploying the Event Grid subscriptions on $($env:EVENT_GRID_SYSTEM_TOPIC_NAME) (resource group $($env:EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP)), now that the functions are deployed..."
for ($attempt = 1; $attempt -le $attempts; $attempt++) {
  az deployment group create --only-show-errors --output none `
    --name "event-subscriptions-$suffix" `
    --subscription "$env:AZURE_SUBSCRIPTION_ID" `
    --resource-group $env:EVENT_GRID_SYSTEM_TOPIC_RESOURCE_GROUP `
    --template-file $template `
    --parameters "systemTopicName=$($env:EVENT_GRID_SYSTEM_TOPIC_NAME)" "functionAppId=$($env:AZURE_FUNCTION_APP_ID)" `
    "deadLetterStorageAccountId=$($env:AZURE_STORAGE_ACCOUNT_ID)" "deadLetterContainerName=$($env:DEAD_LETTER_CONTAINER_NAME)" `
    "nameSuffix=$suffix"
  if ($LASTEXITCODE -eq 0) {
    Write-Host "Event Grid subscriptions in place: email-delivery-$suffix -> emailDeliveryReport, email-engagement-$suffix -> emailEngagementReport."
    exit 0
  }
  if ($attempt -lt $attempts) {
    [Console]::Error.WriteLine("Deploying the subscriptions failed (attempt $attempt of $attempts): the new functions may not be indexed yet; trying again in $($delay)s.")
    Start-Sleep -Seconds $delay
  }
}

Fail 'Could not deploy the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy'
