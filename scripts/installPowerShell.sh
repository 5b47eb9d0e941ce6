#!/usr/bin/env bash
# Installs the pinned PowerShell into .tools/bin/pwsh (git-ignored), as a dotnet tool from NuGet.
#
# npm test runs the Windows postdeploy hook (infra/hooks/postdeploy.ps1) with real PowerShell.
# Version 7.6 runs on the .NET 10 SDK; a later 7.7 may want a newer .NET.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${POWERSHELL_VERSION:-7.6.9}"
tools="$PWD/.tools/bin"

if [ -x "$tools/pwsh" ] && "$tools/pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$version"; then
  echo "PowerShell $version is already in .tools/bin/pwsh."
  exit 0
fi
command -v dotnet >/dev/null || { echo "installPowerShell: dotnet is not on PATH; install the .NET SDK, or PowerShell itself." >&2; exit 1; }

echo "Installing PowerShell $version from NuGet (dotnet tool)..."
# A different version in the same folder must go first: dotnet tool install does not replace it.
dotnet tool uninstall PowerShell --tool-path "$tools" >/dev/null 2>&1 || true
dotnet tool install PowerShell --version "$version" --tool-path "$tools" >&2
"$tools/pwsh" -NoProfile -Command '"PowerShell " + $PSVersionTable.PSVersion.ToString()'
