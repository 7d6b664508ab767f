#!/usr/bin/env bash
# Builds haagent-agent, haagent-coordinator and haagent-tools .deb packages (amd64).
#   packaging/build-deb.sh [--publish DIR] [--out DIR]
# --publish reuses the output of packaging/publish.sh (else it runs it); --out defaults to artifacts/packages.
# Needs dpkg-deb; runs lintian when installed (set LINTIAN=0 to skip).
# Compression: gzip by default — 15 s for the 110 MB coordinator instead of ~3 min with xz on two busy cores, for a
# 50 MB instead of a 36 MB package. DEB_COMPRESSION=xz for the smaller one. (zstd is faster still, but lintian
# calls a zstd .deb malformed: the Debian archive does not accept it.)
set -euo pipefail

tool=build-deb
# shellcheck source=packaging/common.sh
. "$(dirname "$0")/common.sh"
parse_arguments "$@"
debversion="$release"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

docs() { # package: what Debian adds to the README (common.sh): copyright and changelog.Debian.gz
  local pkg="$1" root="$work/$1"
  install -m 0644 "$here/doc/copyright" "$root/usr/share/doc/$pkg/copyright"
  sed -e "s/@PACKAGE@/$pkg/" -e "s/@VERSION@/$debversion/" \
      -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" "$here/doc/changelog" \
    | gzip -9n > "$root/usr/share/doc/$pkg/changelog.Debian.gz"
  chmod 0644 "$root/usr/share/doc/$pkg/changelog.Debian.gz"
}

control() { # package
  local pkg="$1" root="$work/$1"
  install -d -m 0755 "$root/DEBIAN"
  local size
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  sed -e "s/@VERSION@/$debversion/" -e "s/@SIZE@/$size/" "$here/deb/$pkg/control.in" > "$root/DEBIAN/control"
  for script in postinst prerm postrm preinst; do
    [ -f "$here/deb/$pkg/$script" ] && install -m 0755 "$here/deb/$pkg/$script" "$root/DEBIAN/$script"
  done
  [ -f "$here/deb/$pkg/conffiles" ] && install -m 0644 "$here/deb/$pkg/conffiles" "$root/DEBIAN/conffiles"
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum | sed 's# \./# #') > "$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums"
  find "$root" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"
  dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-gzip}" --build "$root" "$out/${pkg}_${debversion}_amd64.deb" >/dev/null
  echo "build-deb: $out/${pkg}_${debversion}_amd64.deb"
}

# Debian 12 keeps units in /lib (usrmerge aliases it; debhelper still installs there).
stage_agent "$work/haagent-agent" /lib/systemd/system
docs haagent-agent
control haagent-agent

stage_coordinator "$work/haagent-coordinator" /lib/systemd/system
docs haagent-coordinator
install -D -m 0644 "$here/lintian/haagent-coordinator" "$work/haagent-coordinator/usr/share/lintian/overrides/haagent-coordinator"
control haagent-coordinator

stage_tools "$work/haagent-tools" /usr/lib/nagios/plugins
docs haagent-tools
control haagent-tools

if [ "${LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
  # Errors fail the build; warnings and the tags listed in packaging/README.md are accepted.
  lintian --fail-on error --tag-display-limit 0 "$out"/haagent-*_"${debversion}"_amd64.deb
fi
