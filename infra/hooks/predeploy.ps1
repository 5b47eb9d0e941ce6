# azd predeploy hook (Windows, PowerShell 7 or Windows PowerShell 5.1): right after the app's storage
# roles are granted, give them time to apply. Same steps as predeploy.sh: see there for why.
$ErrorActionPreference = 'Stop'

if (-not $env:ROLES_ASSIGNED_AT) { exit 0 }
$seconds = if ($env:ROLE_PROPAGATION_SECONDS) { [int]$env:ROLE_PROPAGATION_SECONDS } else { 180 }
$at = [DateTimeOffset]::MinValue
if (-not [DateTimeOffset]::TryParse($env:ROLES_ASSIGNED_AT, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal, [ref]$at)) { exit 0 }
$remaining = [Math]::Ceiling(($at.AddSeconds($seconds) - [DateTimeOffset]::UtcNow).TotalSeconds)
if ($remaining -gt 0) {
  Write-Host "The app's storage roles were granted moments ago: waiting $($remaining)s for them to apply (until then its package upload fails with 403)..."
  Start-Sleep -Seconds $remaining
}
