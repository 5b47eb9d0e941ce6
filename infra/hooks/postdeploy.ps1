# azd postdeploy hook (Windows, PowerShell 7): create the Event Grid subscriptions once the functions
# exist. Same steps as postdeploy.sh: see there for why.
$ErrorActionPreference = 'Stop'

if (-not $env:AZURE_ENV_NAME) {
  Write-Error 'AZURE_ENV_NAME is not set: run this hook through azd (azd deploy or azd up).'
  exit 1
}
$attempts = if ($env:POSTDEPLOY_PROVISION_ATTEMPTS) { [int]$env:POSTDEPLOY_PROVISION_ATTEMPTS } else { 3 }
$delay = if ($env:POSTDEPLOY_RETRY_DELAY_SECONDS) { [int]$env:POSTDEPLOY_RETRY_DELAY_SECONDS } else { 30 }

if ("$env:DEPLOY_EVENT_SUBSCRIPTIONS" -ieq 'true') {
  Write-Host 'Event Grid subscriptions are already provisioned (DEPLOY_EVENT_SUBSCRIPTIONS=true).'
  exit 0
}

Write-Host 'Creating the Event Grid subscriptions now that the functions are deployed...'
azd env set DEPLOY_EVENT_SUBSCRIPTIONS true -e $env:AZURE_ENV_NAME
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

for ($attempt = 1; $attempt -le $attempts; $attempt++) {
  azd provision --no-prompt -e $env:AZURE_ENV_NAME
  if ($LASTEXITCODE -eq 0) {
    Write-Host 'Event Grid subscriptions created.'
    exit 0
  }
  if ($attempt -lt $attempts) {
    Write-Warning "Provisioning the subscriptions failed (attempt $attempt of $attempts); trying again in $delay s."
    Start-Sleep -Seconds $delay
  }
}

azd env set DEPLOY_EVENT_SUBSCRIPTIONS false -e $env:AZURE_ENV_NAME
Write-Error 'Could not create the Event Grid subscriptions. Check the error above, then run: azd hooks run postdeploy'
exit 1
