#!/usr/bin/env bash
# Builds haagent-agent, haagent-coordinator and haagent-tools .rpm packages (x86_64) with rpmbuild.
#   packaging/build-rpm.sh [--publish DIR] [--out DIR]
# --publish reuses the output of packaging/publish.sh (else it runs it); --out defaults to artifacts/packages.
# The NativeAOT binaries need glibc >= 2.34 (RHEL/Rocky/Alma 9, Fedora 35+). Runs rpmlint when installed
# (findings are reported, not fatal: see packaging/README.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
publish=""
out="$repo/artifacts/packages"
while (($#)); do
  case "$1" in
    --publish) publish="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "build-rpm: unknown argument $1" >&2; exit 2 ;;
  esac
done

version="$(cat "$here/VERSION")"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"
if [ -z "$publish" ]; then
  publish="$repo/artifacts/publish"
  "$here/publish.sh" "$publish"
fi
for f in agent/haagent-agent ctl/haagentctl coordinator/HaAgent.Coordinator; do
  [ -x "$publish/$f" ] || { echo "build-rpm: $publish/$f missing; run packaging/publish.sh" >&2; exit 1; }
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
top="$(mktemp -d)"
trap 'rm -rf "$top"' EXIT
stage="$top/SOURCES/stage"
mkdir -p "$stage" "$top/SPECS" "$top/BUILD" "$top/RPMS" "$top/BUILDROOT"
cp -a "$publish/agent" "$publish/ctl" "$publish/coordinator" "$stage/"
rm -rf "$stage/coordinator/.build"
cp "$here/systemd/haagent-agent.service" "$here/systemd/haagent-coordinator.service" \
   "$here/config/agent.json" "$here/config/coordinator.appsettings.json" \
   "$here/nagios/check_haagent_cluster" "$here/nagios/check_haagent_agent" "$stage/"
cp "$here/sysusers/haagent.conf" "$stage/haagent.sysusers"
cp "$here/doc/README.agent" "$here/doc/README.coordinator" "$here/doc/README.tools" "$stage/"
cp "$here/rpm/haagent.spec" "$top/SPECS/"

rpmbuild -bb --quiet \
  --define "_topdir $top" \
  --define "haagent_version $version" \
  --define "use_source_date_epoch_as_buildtime 1" \
  --define "clamp_mtime_to_source_date_epoch 1" \
  "$top/SPECS/haagent.spec"

find "$top/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
for p in "$out"/haagent-*-"$version"-1*.x86_64.rpm; do echo "build-rpm: $p"; done

if [ "${RPMLINT:-1}" != 0 ] && command -v rpmlint >/dev/null; then
  rpmlint "$out"/haagent-*-"$version"-1*.x86_64.rpm || true
fi
