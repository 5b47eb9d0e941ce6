#!/usr/bin/env bash
# Installs the pinned Bicep CLI into .tools/bin/bicep (git-ignored), from NuGet through dotnet.
#
# npm test compiles and lints infra/ with the real Bicep CLI. azd and az bring their own; a machine
# with neither (CI, a fresh container) gets it from NuGet, where it ships as the package
# Azure.Bicep.CommandLine.<rid>. dotnet restore of a throwaway project with a PackageDownload item
# fetches a package without building anything, and the executable sits in its tools/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${BICEP_VERSION:-0.49.2}"
tools="$PWD/.tools"
bin="$tools/bin/bicep"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Linux-aarch64) rid=linux-arm64 ;;
  Darwin-x86_64) rid=osx-x64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  *) echo "installBicep: no Bicep CLI package for $(uname -s)-$(uname -m); install azd or az, which bring one." >&2; exit 1 ;;
esac

if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version $version "; then
  echo "Bicep CLI $version is already in .tools/bin/bicep."
  exit 0
fi
command -v dotnet >/dev/null || { echo "installBicep: dotnet is not on PATH; install the .NET SDK, or azd or az (they bring Bicep)." >&2; exit 1; }

package="Azure.Bicep.CommandLine.$rid"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/bicep.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="$package" Version="[$version]" /></ItemGroup>
</Project>
PROJECT
echo "Installing the Bicep CLI $version ($package) from NuGet..."
dotnet restore "$work/bicep.csproj" --packages "$tools/nuget" --verbosity quiet >&2

mkdir -p "$tools/bin"
source="$tools/nuget/$(echo "$package" | tr '[:upper:]' '[:lower:]')/$version/tools/bicep"
chmod +x "$source"
ln -sf "$source" "$bin"
"$bin" --version
