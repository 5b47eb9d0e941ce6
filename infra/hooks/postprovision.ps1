# azd postprovision hook (Windows, PowerShell): the Microsoft Entra ID app registration people sign in
# to, and App Service Authentication in front of the app. Same steps as postprovision.sh: see there for why.
$ErrorActionPreference = 'Stop'
function Fail([string]$message) { [Console]::Error.WriteLine($message); exit 1 }

if (-not $env:AZURE_ENV_NAME) { Fail 'AZURE_ENV_NAME is not set: run this hook through azd (azd provision or azd up).' }
if ("$($env:AUTH_SIGN_IN)" -ieq 'false') {
  Write-Host 'Sign-in with Microsoft Entra ID is off (AUTH_SIGN_IN=false): only function keys open the API.'
  exit 0
}
if (-not $env:SERVICE_API_URI) { Fail 'SERVICE_API_URI is not set: the provision did not finish; run azd provision again.' }
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  [Console]::Error.WriteLine('The Azure CLI (az) is not on PATH, so nobody can sign in yet (function keys still work): install it, az login, then run azd provision again.')
  exit 0
}

# Fixed ids: app roles are matched by id, so that running this again changes nothing.
$readRoleId = '4f8d2c61-7a3e-4b9a-9c15-2e6b0d1f7a01'
$changeRoleId = '4f8d2c61-7a3e-4b9a-9c15-2e6b0d1f7a02'
$rolesFile = New-TemporaryFile
@(
  [ordered]@{ id = $readRoleId; value = 'EmailStatus.Read'; displayName = 'Read email status'; description = 'Look up messages and addresses, and read statistics and the suppression list.'; allowedMemberTypes = @('User'); isEnabled = $true },
  [ordered]@{ id = $changeRoleId; value = 'EmailStatus.Change'; displayName = 'Change email status data'; description = 'Erase messages and addresses, and add to or reactivate from the suppression list (and read).'; allowedMemberTypes = @('User'); isEnabled = $true }
) | ConvertTo-Json -Compress | Set-Content -LiteralPath $rolesFile -Encoding utf8

try {
  $name = "acs-email-status-$($env:AZURE_ENV_NAME)"
  $redirect = "$($env:SERVICE_API_URI)/.auth/login/aad/callback"

  $clientId = $env:AUTH_CLIENT_ID
  if (-not $clientId) {
    $clientId = az ad app list --display-name $name --query '[0].appId' --output tsv
    if ($LASTEXITCODE -ne 0) { Fail "Could not look for the app registration $name with az: sign in with az login (the same account as azd), then run azd provision again." }
  }
  if (-not $clientId) {
    $clientId = az ad app create --display-name $name --sign-in-audience AzureADMyOrg --enable-id-token-issuance true --web-redirect-uris $redirect --app-roles "@$rolesFile" --query appId --output tsv
    if ($LASTEXITCODE -ne 0) { Fail "Could not create the app registration ${name}: your account needs permission to register applications in Microsoft Entra ID (or set AUTH_CLIENT_ID to one made for you)." }
    Write-Host "Created the app registration $name ($clientId)."
  }
  else {
    az ad app update --id $clientId --enable-id-token-issuance true --web-redirect-uris $redirect --app-roles "@$rolesFile" | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail "Could not update the app registration ${clientId}: you need to be one of its owners." }
  }
  az ad app update --id $clientId --identifier-uris "api://$clientId" | Out-Null
  if ($LASTEXITCODE -ne 0) { Fail "Could not set api://$clientId on the app registration." }

  $spId = az ad sp list --filter "appId eq '$clientId'" --query '[0].id' --output tsv
  if ($LASTEXITCODE -ne 0) { Fail "Could not look for the app registration's service principal." }
  if (-not $spId) {
    $spId = az ad sp create --id $clientId --query id --output tsv
    if ($LASTEXITCODE -ne 0) { Fail "Could not create the app registration's service principal." }
  }
  # Only people assigned a role can sign in at all; the app checks the role on every request as well.
  az ad sp update --id $spId --set appRoleAssignmentRequired=true | Out-Null
  if ($LASTEXITCODE -ne 0) { Fail 'Could not require role assignment on the service principal.' }

  $principalType = if ($env:AZURE_PRINCIPAL_TYPE) { $env:AZURE_PRINCIPAL_TYPE } else { 'User' }
  if ($env:AZURE_PRINCIPAL_ID -and $principalType -eq 'User') {
    $assignments = "https://graph.microsoft.com/v1.0/servicePrincipals/$spId/appRoleAssignedTo"
    $assigned = az rest --method GET --uri $assignments --query "value[?principalId=='$($env:AZURE_PRINCIPAL_ID)' && appRoleId=='$changeRoleId'] | length(@)" --output tsv
    if ($LASTEXITCODE -ne 0 -or -not $assigned) { $assigned = '0' }
    if ($assigned -eq '0') {
      $body = [ordered]@{ principalId = $env:AZURE_PRINCIPAL_ID; resourceId = $spId; appRoleId = $changeRoleId } | ConvertTo-Json -Compress
      az rest --method POST --uri $assignments --body $body | Out-Null
      if ($LASTEXITCODE -ne 0) { [Console]::Error.WriteLine("Could not give you EmailStatus.Change: assign it in the portal (Enterprise applications, $name, Users and groups).") }
    }
  }

  if ($env:AUTH_CLIENT_ID -ne $clientId) {
    # This provision ran without it: put the platform's authentication in front now, as main.bicep will from now on.
    az deployment group create --resource-group $env:AZURE_RESOURCE_GROUP --subscription "$env:AZURE_SUBSCRIPTION_ID" --name authentication `
      --template-file (Join-Path $PSScriptRoot '../modules/authentication.bicep') `
      --parameters "functionAppName=$($env:AZURE_FUNCTION_APP_NAME)" "clientId=$clientId" "tenantId=$($env:AZURE_TENANT_ID)" | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail 'Could not put App Service Authentication in front of the app; run azd provision again.' }
    azd env set AUTH_CLIENT_ID $clientId -e $env:AZURE_ENV_NAME
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  }
  Write-Host "People sign in with Microsoft Entra ID at $($env:SERVICE_API_URI)/api/activity (app registration $name, $clientId); assign them EmailStatus.Read or EmailStatus.Change."
}
finally {
  Remove-Item -LiteralPath $rolesFile -ErrorAction SilentlyContinue
}
