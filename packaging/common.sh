# Sourced by build-deb.sh and build-rpm.sh: what both package formats share — the arguments, the version, the
# reproducible dates, the publish input, and the layout of the three packages (which file goes where, with which
# mode). Only what is format-specific stays in the two scripts: Debian control files, maintainer scripts, doc extras
# and lintian for the .deb; the spec (%files, %attr, scriptlets), the state directories and rpmlint for the .rpm.
# Callers set `tool` (the name in messages) before sourcing, and `set -euo pipefail` themselves.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
version="$(cat "$here/VERSION")"
# Package release: 0.1.0-1 (deb) and 0.1.0-1 (rpm Release: 1 in the spec).
release="$version-1"
# Reproducible dates: the last commit's time, unless the caller set SOURCE_DATE_EPOCH.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"

# parse_arguments "$@": --publish DIR (a packaging/publish.sh output; else publish.sh runs) and --out DIR (default
# artifacts/packages, created). Sets `publish` and `out` (absolute).
parse_arguments() {
  publish=""
  out="$repo/artifacts/packages"
  while (($#)); do
    case "$1" in
      --publish) publish="$2"; shift 2 ;;
      --out) out="$2"; shift 2 ;;
      *) echo "$tool: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  if [ -z "$publish" ]; then
    publish="$repo/artifacts/publish"
    "$here/publish.sh" "$publish"
  fi
  for f in agent/haagent-agent ctl/haagentctl coordinator/HaAgent.Coordinator; do
    [ -x "$publish/$f" ] || { echo "$tool: $publish/$f missing; run packaging/publish.sh" >&2; exit 1; }
  done
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
}

# The package layouts. ROOT is the staging root (a deb's package root, or the rpm buildroot's source); the unit
# directory differs by distribution (Debian 12: /lib/systemd/system, RHEL: /usr/lib/systemd/system) and so does the
# Nagios plugin directory (/usr/lib/nagios/plugins vs %{_libdir}/nagios/plugins).

# stage_agent ROOT UNITDIR
stage_agent() {
  local root="$1" unitdir="$2"
  install -D -m 0755 "$publish/agent/haagent-agent" "$root/usr/sbin/haagent-agent"
  install -D -m 0644 "$here/systemd/haagent-agent.service" "$root$unitdir/haagent-agent.service"
  install -D -m 0640 "$here/config/agent.json" "$root/etc/haagent/agent.json"
  chmod 0755 "$root/etc/haagent"
  stage_readme "$root" haagent-agent README.agent
}

# stage_coordinator ROOT UNITDIR
stage_coordinator() {
  local root="$1" unitdir="$2" lib="$1/usr/lib/haagent"
  install -d -m 0755 "$lib/coordinator"
  cp -a "$publish/coordinator/." "$lib/coordinator/"
  # publish.sh keeps its build tree beside the programs, not in them; never ship one that got there.
  rm -rf "$lib/coordinator/.build"
  find "$lib" -type d -exec chmod 0755 {} +
  find "$lib" -type f -exec chmod 0644 {} +
  chmod 0755 "$lib/coordinator/HaAgent.Coordinator"
  # The NuGet SQLite build ships with symbols; the .NET runtime's own libraries are already stripped.
  strip --strip-unneeded "$lib/coordinator/libe_sqlite3.so"
  install -D -m 0644 "$here/systemd/haagent-coordinator.service" "$root$unitdir/haagent-coordinator.service"
  install -D -m 0644 "$here/sysusers/haagent.conf" "$root/usr/lib/sysusers.d/haagent.conf"
  install -D -m 0640 "$here/config/coordinator.appsettings.json" "$root/etc/haagent/coordinator/appsettings.json"
  chmod 0755 "$root/etc/haagent" "$root/etc/haagent/coordinator"
  stage_readme "$root" haagent-coordinator README.coordinator
}

# stage_tools ROOT NAGIOSDIR
stage_tools() {
  local root="$1" plugins="$2"
  install -D -m 0755 "$publish/ctl/haagentctl" "$root/usr/bin/haagentctl"
  # The wrappers name /usr/bin/haagentctl; the plugin directory is distribution-specific, the binary is not.
  install -D -m 0755 "$here/nagios/check_haagent_cluster" "$root$plugins/check_haagent_cluster"
  install -D -m 0755 "$here/nagios/check_haagent_agent" "$root$plugins/check_haagent_agent"
  stage_readme "$root" haagent-tools README.tools
}

# stage_readme ROOT PACKAGE SOURCE: /usr/share/doc/PACKAGE/README
stage_readme() {
  install -d -m 0755 "$1/usr/share/doc/$2"
  install -m 0644 "$here/doc/$3" "$1/usr/share/doc/$2/README"
}
