#!/usr/bin/env bash
# Builds haagent-agent, haagent-coordinator and haagent-tools .rpm packages (x86_64) with rpmbuild.
#   packaging/build-rpm.sh [--publish DIR] [--out DIR]
# --publish reuses the output of packaging/publish.sh (else it runs it); --out defaults to artifacts/packages.
# The NativeAOT binaries need glibc >= 2.34 (RHEL/Rocky/Alma 9, Fedora 35+). Runs rpmlint when installed
# (findings are reported, not fatal: see packaging/README.md).
set -euo pipefail

tool=build-rpm
# shellcheck source=packaging/common.sh
. "$(dirname "$0")/common.sh"
parse_arguments "$@"

top="$(mktemp -d)"
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES" "$top/SPECS" "$top/BUILD" "$top/RPMS" "$top/BUILDROOT"
# The spec's %install copies this tree into the buildroot; %files and %attr pick the packages' parts and owners.
root="$top/SOURCES/root"
# RHEL/Fedora layout: units in /usr/lib/systemd/system (the spec pins %_unitdir to it), plugins under %{_libdir}.
stage_agent "$root" /usr/lib/systemd/system
stage_coordinator "$root" /usr/lib/systemd/system
stage_tools "$root" "$(rpm --eval '%{_libdir}')/nagios/plugins"
# State directories are owned by the rpm packages (Debian's are made by systemd's StateDirectory= / postinst).
install -d -m 0700 "$root/var/lib/haagent"
install -d -m 0750 "$root/var/lib/haagent-coordinator"
cp "$here/rpm/haagent.spec" "$top/SPECS/"

rpmbuild -bb --quiet \
  --define "_topdir $top" \
  --define "haagent_version $version" \
  --define "use_source_date_epoch_as_buildtime 1" \
  --define "clamp_mtime_to_source_date_epoch 1" \
  "$top/SPECS/haagent.spec"

find "$top/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
for p in "$out"/haagent-*-"$release"*.x86_64.rpm; do echo "build-rpm: $p"; done

if [ "${RPMLINT:-1}" != 0 ] && command -v rpmlint >/dev/null; then
  rpmlint "$out"/haagent-*-"$release"*.x86_64.rpm || true
fi
