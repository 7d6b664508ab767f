#!/usr/bin/env bash
# Builds haagent-agent, haagent-coordinator and haagent-tools .deb packages (amd64).
#   packaging/build-deb.sh [--publish DIR] [--out DIR]
# --publish reuses the output of packaging/publish.sh (else it runs it); --out defaults to artifacts/packages.
# Needs dpkg-deb; runs lintian when installed (set LINTIAN=0 to skip).
# Compression: gzip by default — 15 s for the 110 MB coordinator instead of ~3 min with xz on two busy cores, for a
# 50 MB instead of a 36 MB package. DEB_COMPRESSION=xz for the smaller one. (zstd is faster still, but lintian
# calls a zstd .deb malformed: the Debian archive does not accept it.)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
publish=""
out="$repo/artifacts/packages"
while (($#)); do
  case "$1" in
    --publish) publish="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "build-deb: unknown argument $1" >&2; exit 2 ;;
  esac
done

version="$(cat "$here/VERSION")"
debversion="$version-1"
# Reproducible dates: the last commit's time, unless the caller set SOURCE_DATE_EPOCH.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"

if [ -z "$publish" ]; then
  publish="$repo/artifacts/publish"
  "$here/publish.sh" "$publish"
fi
for f in agent/haagent-agent ctl/haagentctl coordinator/HaAgent.Coordinator; do
  [ -x "$publish/$f" ] || { echo "build-deb: $publish/$f missing; run packaging/publish.sh" >&2; exit 1; }
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

docs() { # package readme
  local pkg="$1" root="$work/$1"
  install -d -m 0755 "$root/usr/share/doc/$pkg"
  install -m 0644 "$here/doc/copyright" "$root/usr/share/doc/$pkg/copyright"
  install -m 0644 "$here/doc/$2" "$root/usr/share/doc/$pkg/README"
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

# haagent-agent
r="$work/haagent-agent"
install -D -m 0755 "$publish/agent/haagent-agent" "$r/usr/sbin/haagent-agent"
install -D -m 0644 "$here/systemd/haagent-agent.service" "$r/lib/systemd/system/haagent-agent.service"
install -D -m 0640 "$here/config/agent.json" "$r/etc/haagent/agent.json"
chmod 0755 "$r/etc/haagent"
docs haagent-agent README.agent
control haagent-agent

# haagent-coordinator
r="$work/haagent-coordinator"
install -d -m 0755 "$r/usr/lib/haagent/coordinator"
cp -a "$publish/coordinator/." "$r/usr/lib/haagent/coordinator/"
find "$r/usr/lib/haagent" -type d -exec chmod 0755 {} +
find "$r/usr/lib/haagent" -type f -exec chmod 0644 {} +
chmod 0755 "$r/usr/lib/haagent/coordinator/HaAgent.Coordinator"
# The NuGet SQLite build ships with symbols; the .NET runtime's own libraries are already stripped.
strip --strip-unneeded "$r/usr/lib/haagent/coordinator/libe_sqlite3.so"
install -D -m 0644 "$here/systemd/haagent-coordinator.service" "$r/lib/systemd/system/haagent-coordinator.service"
install -D -m 0644 "$here/sysusers/haagent.conf" "$r/usr/lib/sysusers.d/haagent.conf"
install -D -m 0640 "$here/config/coordinator.appsettings.json" "$r/etc/haagent/coordinator/appsettings.json"
chmod 0755 "$r/etc/haagent" "$r/etc/haagent/coordinator"
docs haagent-coordinator README.coordinator
install -D -m 0644 "$here/lintian/haagent-coordinator" "$r/usr/share/lintian/overrides/haagent-coordinator"
control haagent-coordinator

# haagent-tools
r="$work/haagent-tools"
install -D -m 0755 "$publish/ctl/haagentctl" "$r/usr/bin/haagentctl"
install -D -m 0755 "$here/nagios/check_haagent_cluster" "$r/usr/lib/nagios/plugins/check_haagent_cluster"
install -D -m 0755 "$here/nagios/check_haagent_agent" "$r/usr/lib/nagios/plugins/check_haagent_agent"
docs haagent-tools README.tools
control haagent-tools

if [ "${LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
  # Errors fail the build; warnings and the tags listed in packaging/README.md are accepted.
  lintian --fail-on error --tag-display-limit 0 "$out"/haagent-*_"${debversion}"_amd64.deb
fi
