#!/usr/bin/env bash
# Publishes the three shipped programs for linux-x64 into OUT (default artifacts/publish):
#   OUT/agent/haagent-agent          NativeAOT (no .NET runtime needed; glibc >= 2.34)
#   OUT/ctl/haagentctl               NativeAOT
#   OUT/coordinator/                 self-contained ASP.NET Core app, untrimmed (runs without dotnet installed)
# Builds use their own artifacts path so a concurrent `dotnet build`/`dotnet test` of the solution never sees a
# project.assets.json rewritten for the linux-x64 RID under it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="${1:-$repo/artifacts/publish}"
artifacts="${HAAGENT_PUBLISH_ARTIFACTS:-$out/.build}"
rid=linux-x64

mkdir -p "$out"
out="$(cd "$out" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

publish() { # project outdir extra-args...
  local project="$1" dest="$2"
  shift 2
  rm -rf "$dest"
  dotnet publish "$repo/$project" -c Release -r "$rid" --artifacts-path "$artifacts" -o "$dest" -nologo -v quiet "$@"
}

publish agent/HaAgent.Agent "$out/agent"
publish tools/HaAgent.Ctl "$out/ctl"
# Untrimmed: ASP.NET Core, gRPC (etcd) and SQLite are not trim-clean; a trimmed coordinator would fail at run time.
publish coordinator/HaAgent.Coordinator "$out/coordinator" --self-contained true -p:PublishTrimmed=false

# Debug symbols are not shipped (NativeAOT *.dbg is ~3x the binary); the LTTng tracing provider is optional and its
# liblttng-ust dependency would otherwise become a package requirement.
find "$out" -path "$artifacts" -prune -o \( -name '*.dbg' -o -name '*.pdb' -o -name 'libcoreclrtraceptprovider.so' \) -print0 | xargs -0r rm -f
echo "publish: $out"
du -sh "$out/agent/haagent-agent" "$out/ctl/haagentctl" "$out/coordinator" | sed 's/^/publish: /'
