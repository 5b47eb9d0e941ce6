# azd preprovision hook (Windows, PowerShell 7 or Windows PowerShell 5.1): reuse the ACS resource's
# Event Grid system topic when it has one. Same steps as preprovision.sh: see there for why.
$ErrorActionPreference = 'Stop'
function Fail([string]$message) { [Console]::Error.WriteLine($message); exit 1 }

if (-not $env:AZURE_ENV_NAME) { Fail 'AZURE_ENV_NAME is not set: run this hook through azd (azd provision or azd up).' }
if (-not $env:ACS_RESOURCE_NAME -or -not $env:ACS_RESOURCE_GROUP) {
  Fail 'Set the ACS resource first: azd env set ACS_RESOURCE_NAME <name>; azd env set ACS_RESOURCE_GROUP <its resource group>'
}
if ($env:ACS_SYSTEM_TOPIC_NAME) {
  Write-Host "Reusing the Event Grid system topic $($env:ACS_SYSTEM_TOPIC_NAME) (ACS_SYSTEM_TOPIC_NAME)."
  exit 0
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  [Console]::Error.WriteLine("The Azure CLI (az) is not on PATH, so an existing system topic cannot be looked for; if provisioning fails with 'Only one system topic is allowed per source', see docs/deploy.md.")
  exit 0
}

$acsId = "/subscriptions/$($env:AZURE_SUBSCRIPTION_ID)/resourceGroups/$($env:ACS_RESOURCE_GROUP)/providers/Microsoft.Communication/communicationServices/$($env:ACS_RESOURCE_NAME)"
$topics = az eventgrid system-topic list --subscription "$env:AZURE_SUBSCRIPTION_ID" --query '[].[name, resourceGroup, source]' --output tsv
if ($LASTEXITCODE -ne 0) { Fail 'Could not list the Event Grid system topics with az: sign in with az login (the same account as azd), then run azd up again.' }
# Resource ids compare without regard to case (-ieq).
$found = @($topics) | ForEach-Object { , ($_ -split "`t") } | Where-Object { $_.Count -ge 3 -and $_[2] -ieq $acsId } | Select-Object -First 1
if (-not $found) {
  Write-Host 'The ACS resource has no Event Grid system topic yet: provisioning creates one.'
  exit 0
}
$name, $group = $found[0], $found[1]
if ($group -ieq "rg-$($env:AZURE_ENV_NAME)") {
  Write-Host "The ACS resource's system topic $name is this environment's own."
  exit 0
}
azd env set ACS_SYSTEM_TOPIC_NAME $name -e $env:AZURE_ENV_NAME
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
azd env set ACS_SYSTEM_TOPIC_RESOURCE_GROUP $group -e $env:AZURE_ENV_NAME
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "Reusing the ACS resource's existing Event Grid system topic $name (resource group $group): it gains an identity and a diagnostic setting, and azd down leaves it in place."
