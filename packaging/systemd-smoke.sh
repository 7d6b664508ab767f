#!/usr/bin/env bash
# Runs the packaged units under a real systemd: a Debian 12 root (debootstrap, cached per day) booted with
# systemd-nspawn, the three .debs installed with dpkg, then
#   - haagent-coordinator (Type=notify) reaches active/running and answers /readyz (loopback; the container shares
#     the host's network), with its hardening in force (user haagent, no capabilities, NoNewPrivileges, seccomp);
#   - haagent-agent (Type=notify, WatchdogSec=30s) with libvirt's test:///default driver and the coordinator above
#     reaches active/running with only CAP_KILL in its bounding set, is heard by the coordinator (haagentctl check
#     agent OK); the coordinator is stopped, the agent self-fences (check agent CRITICAL) and is still the same
#     process with NRestarts=0 after more than WatchdogSec (its WATCHDOG=1 pings go on after a complete self-fence);
#   - a SIGSTOPped agent is aborted by systemd ("Watchdog timeout") and restarted; `systemctl stop` ends it with exit
#     0; a bad configuration (exit 78) is not restarted.
#
#   packaging/systemd-smoke.sh [--publish DIR | --debs DIR] [--port N] [--keep]
# --publish: a packaging/publish.sh output, packaged here with build-deb.sh; --debs: a directory holding the three
# haagent-*.deb (else publish + build run). --port: the coordinator's loopback port (default: a free one).
# --keep: leave the container's root directory behind for a look (its path is printed).
# Environment: HAAGENT_NSPAWN_CACHE (default /var/cache/haagent-nspawn) holds the debootstrapped root
# bookworm-YYYYMMDD (one kept; made once a day, ~2-3 min with a reachable Debian mirror), HAAGENT_DEBIAN_MIRROR.
# Needs root, debootstrap, systemd-container (systemd-nspawn), nsenter, curl.
# Exit: 0 all checks passed, 1 a check failed (the journal of both units is printed), 77 cannot run here (reason on
# stdout: "smoke: SKIP ...").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
publish=""
debs=""
port=""
keep=0
while (($#)); do
  case "$1" in
    --publish) publish="$2"; shift 2 ;;
    --debs) debs="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "systemd-smoke: unknown argument $1" >&2; exit 2 ;;
  esac
done

skip() { echo "smoke: SKIP $*"; exit 77; }
say() { printf 'smoke: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, systemd-nspawn)"
for tool in debootstrap:debootstrap systemd-nspawn:systemd-container nsenter:util-linux curl:curl dpkg-deb:dpkg; do
  command -v "${tool%%:*}" >/dev/null || skip "${tool%%:*} not installed (apt-get install ${tool##*:})"
done

# The debootstrapped root, made once a day and kept read-only as a template; each run boots a copy.
cache="${HAAGENT_NSPAWN_CACHE:-/var/cache/haagent-nspawn}"
mirror="${HAAGENT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
template="$cache/bookworm-$(date -u +%Y%m%d)"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 900 9 || skip "another run holds $cache/.lock for more than 15 min"
if [ ! -x "$template/lib/systemd/systemd" ]; then
  started="$(now)"
  rm -rf "$template.partial"
  # libvirt0/libssl3 are the agent's Depends; dbus makes systemctl/logind complete; the rest comes with dpkg -i.
  if ! debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libvirt0,libssl3 \
      bookworm "$template.partial" "$mirror" > "$cache/debootstrap.log" 2>&1; then
    rm -rf "$template.partial"
    skip "debootstrap bookworm from $mirror failed: $(tail -n 3 "$cache/debootstrap.log" | tr '\n' ' ')"
  fi
  mv "$template.partial" "$template"
  say "debootstrap: $(since "$started") s ($(du -sh "$template" | cut -f1))"
  find "$cache" -maxdepth 1 -name 'bookworm-*' ! -path "$template" -exec rm -rf {} +
else
  say "debootstrap: cached $template"
fi
flock -u 9

work="$(mktemp -d /tmp/haagent-smoke.XXXXXX)"
machine="$work/root"
nspawn_pid=""
leader=""
overlay=0
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    [ -n "$leader" ] && nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ]; then say "kept $work (root: $machine)"; return; fi
  [ "$overlay" = 1 ] && { umount "$machine" 2>/dev/null || umount -l "$machine" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$debs" ]; then
  debs="$work/debs"
  LINTIAN=0 "$here/build-deb.sh" ${publish:+--publish "$publish"} --out "$debs" >/dev/null
fi
ls "$debs"/haagent-agent_*.deb "$debs"/haagent-coordinator_*.deb "$debs"/haagent-tools_*.deb >/dev/null

# The template stays untouched: an overlay on top of it (no copy), or a copy where overlayfs cannot be mounted.
started="$(now)"
mkdir -p "$machine" "$work/upper" "$work/overlay-work"
if mount -t overlay overlay -o "lowerdir=$template,upperdir=$work/upper,workdir=$work/overlay-work" "$machine" 2>/dev/null; then
  overlay=1
  say "root: overlay on the template ($(since "$started") s)"
else
  cp -a --reflink=auto "$template/." "$machine/"
  say "root: copied ($(since "$started") s; overlayfs not available)"
fi

in_root() { # a command in the container's root without booting it (package installation, files)
  systemd-nspawn --quiet --register=no --keep-unit -D "$machine" --bind-ro="$debs:/debs" "$@"
}
started="$(now)"
in_root sh -c 'dpkg -i /debs/haagent-agent_*.deb /debs/haagent-coordinator_*.deb /debs/haagent-tools_*.deb' > "$work/dpkg.log" 2>&1 \
  || { cat "$work/dpkg.log"; say "FAIL dpkg -i"; exit 1; }
say "dpkg -i: $(since "$started") s"

# Configuration, as an operator would write it: a coordinator on a loopback port with an SQLite store, one host
# registered with its shared secret, and an agent on libvirt's test driver talking to it.
[ -n "$port" ] || port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
token="smoke-operator-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
host=smoke-host
install -d -m 0750 "$machine/etc/haagent/coordinator/agents"
head -c 48 /dev/urandom | base64 > "$machine/etc/haagent/coordinator/agents/$host.key"
install -m 0600 "$machine/etc/haagent/coordinator/agents/$host.key" "$machine/etc/haagent/agent.key"
cat > "$machine/etc/haagent/coordinator/appsettings.json" <<EOF
{
  "Urls": "$url",
  "Store": { "Kind": "Sqlite", "Sqlite": { "Path": "/var/lib/haagent-coordinator/coordinator.db", "InstanceId": "smoke" } },
  "Agents": { "SecretDirectory": "/etc/haagent/coordinator/agents" },
  "Api": { "Tokens": [ { "Name": "smoke", "Token": "$token", "Role": "operator" } ] }
}
EOF
cat > "$machine/etc/haagent/agent.json" <<EOF
{
  "HostId": "$host",
  "CoordinatorEndpoints": [ "$url" ],
  "Coordinator": { "SecretFile": "/etc/haagent/agent.key" },
  "StateFile": "/var/lib/haagent/agent-state.json",
  "Libvirt": { "Uri": "test:///default", "QemuPidDirectory": null },
  "Intervals": { "SelfFenceTimeout": "00:00:10" },
  "Watchdog": { "Kind": "file", "Path": "/var/lib/haagent/watchdog", "Timeout": "00:01:00", "KickInterval": "00:00:01" }
}
EOF
# (nspawn on a host without systemd says "Attempted to remove disk file system under /run/systemd/nspawn/propagate"
# on exit: harmless.)
in_root sh -c 'chown -R root:haagent /etc/haagent/coordinator && chmod 0640 /etc/haagent/coordinator/appsettings.json /etc/haagent/coordinator/agents/*.key' \
  2>&1 | { grep -v '^Attempted to remove disk file system' || true; }

# Boot. --register=no --keep-unit: no machined/systemd on the host side is needed (PID 1 here need not be systemd).
started="$(now)"
systemd-nspawn --quiet --register=no --keep-unit -D "$machine" -M "haagent-smoke-$$" -b --console=pipe \
  > "$work/console.log" 2>&1 < /dev/null &
nspawn_pid=$!
# The container's PID 1 is a child of nspawn whose innermost pid is 1 (nspawn's first child is an intermediate
# process that exits once it has cloned PID 1: taking it for the leader breaks every later nsenter).
container_init() {
  local child
  for child in $(cat "/proc/$nspawn_pid/task/$nspawn_pid/children" 2>/dev/null); do
    [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$child/status" 2>/dev/null)" = 1 ] && { echo "$child"; return 0; }
  done
  return 1
}
for _ in $(seq 1 300); do
  leader="$(container_init || true)"
  [ -n "$leader" ] && break
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$leader" ] || skip "systemd-nspawn -b did not start a container: $(tail -n 5 "$work/console.log" | tr '\n' ' ')"
ctl() { nsenter -t "$leader" -a "$@"; }
state=""
# Bounded by time, not tries: each systemctl call itself takes long on a loaded machine.
boot_until=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -le "$boot_until" ]; do
  state="$(ctl systemctl is-system-running 2>/dev/null || true)"
  case "$state" in running|degraded) break ;; esac
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.1
done
case "$state" in
  running|degraded) say "boot: $(since "$started") s to '$state'" ;;
  *) skip "systemd in the container did not come up (state '$state'): $(tail -n 5 "$work/console.log" | tr '\n' ' ')" ;;
esac

failures=0
check() { # description, then a command that must succeed
  local what="$1"; shift
  if "$@"; then say "ok   $what"; else say "FAIL $what"; failures=$((failures + 1)); fi
}
prop() { ctl systemctl show -P "$2" "$1"; }
wait_for() { # seconds, then a command polled every 0.2 s
  local until; until=$(( $(date +%s) + $1 )); shift
  while [ "$(date +%s)" -le "$until" ]; do "$@" && return 0; sleep 0.2; done
  return 1
}
is_running() { [ "$(prop "$1" ActiveState)/$(prop "$1" SubState)" = active/running ]; }
status_of() { # unit: "user CapBnd NoNewPrivs Seccomp" of its main process, read inside the container
  local pid; pid="$(prop "$1" MainPID)"
  { ctl sh -c "stat -c %U /proc/$pid; awk '\$1 ~ /^(CapBnd|NoNewPrivs|Seccomp):\$/ { print \$2 }' /proc/$pid/status" 2>/dev/null || true; } \
    | tr '\n' ' ' | sed 's/ $//'
}

# Coordinator
started="$(now)"
ctl systemctl start haagent-coordinator.service || true
check "coordinator active/running (Type=$(prop haagent-coordinator.service Type)) after $(since "$started") s" \
  wait_for 60 is_running haagent-coordinator.service
readyz() { curl -fsS --max-time 2 "$url/readyz" 2>/dev/null | grep -q '"leading":true'; }
check "coordinator answers $url/readyz as leader" wait_for 30 readyz
coordinator_status="$(status_of haagent-coordinator.service)"
check "coordinator runs as haagent, no capabilities, NoNewPrivs, seccomp ($coordinator_status)" \
  test "$coordinator_status" = "haagent 0000000000000000 1 2"
curl -fsS --max-time 5 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"id\":\"$host\",\"cpus\":8,\"memoryMiB\":16384,\"rack\":\"r1\"}" "$url/v1/hosts" >/dev/null \
  || { say "FAIL registering $host"; failures=$((failures + 1)); }

# Agent
started="$(now)"
ctl systemctl start haagent-agent.service || true
check "agent active/running (Type=$(prop haagent-agent.service Type), WatchdogUSec=$(prop haagent-agent.service WatchdogUSec)) after $(since "$started") s" \
  wait_for 60 is_running haagent-agent.service
agent_started="$(date +%s)"
agent_inner="$(prop haagent-agent.service MainPID || true)"
agent_status="$(status_of haagent-agent.service)"
# CAP_KILL is bit 5: 0x20.
check "agent runs as root with CAP_KILL only, NoNewPrivs, seccomp ($agent_status)" \
  test "$agent_status" = "root 0000000000000020 1 2"
heard() { curl -fsS --max-time 2 -H "Authorization: Bearer $token" "$url/metrics" 2>/dev/null | grep -q '^haagent_hosts_by_state{state="healthy"} 1'; }
check "coordinator's engine counts the agent's host healthy (/metrics)" wait_for 30 heard
check_agent() { ctl haagentctl check agent --config /etc/haagent/agent.json > "$work/check-agent.txt" 2>&1; }
check "haagentctl check agent: OK with the unit active and the coordinator reachable" check_agent
say "check agent: $(head -c 300 "$work/check-agent.txt")"
check "agent kicks its file watchdog under ProtectSystem=strict (/var/lib/haagent/watchdog)" \
  wait_for 10 test -e "$machine/var/lib/haagent/watchdog"
# A coordinator outage: after SelfFenceTimeout (10 s) the agent self-fences (libvirt's test VM is destroyed) and,
# every HA VM proven dead, goes on kicking and pinging: systemd must not restart it (checked past WatchdogSec below).
ctl systemctl stop haagent-coordinator.service
self_fenced() {
  local rc=0
  ctl haagentctl check agent --config /etc/haagent/agent.json > "$work/check-agent.txt" 2>&1 || rc=$?
  [ "$rc" = 2 ] && grep -q 'self-fenced at' "$work/check-agent.txt"
}
check "coordinator stopped: agent self-fences (haagentctl check agent CRITICAL)" wait_for 40 self_fenced
say "check agent: $(head -c 300 "$work/check-agent.txt")"
# Past WatchdogSec (30 s): only the WATCHDOG=1 pings keep systemd from aborting it.
# WatchdogUSec reads "30s" (or "1min 30s").
watchdog_s="$(prop haagent-agent.service WatchdogUSec | awk '{ t = 0; for (i = 1; i <= NF; i++) { v = $i + 0; if ($i ~ /min$/) v *= 60; t += v } print int(t) }' || true)"
[ -n "$watchdog_s" ] && [ "$watchdog_s" -gt 0 ] || watchdog_s=30
sleep_for=$(( agent_started + watchdog_s + 8 - $(date +%s) ))
[ "$sleep_for" -gt 0 ] && sleep "$sleep_for"
check "agent alive $(( $(date +%s) - agent_started )) s (> WatchdogSec ${watchdog_s} s) across its self-fence: same PID, NRestarts=0" test \
  "$(prop haagent-agent.service MainPID)/$(prop haagent-agent.service NRestarts)/$(prop haagent-agent.service ActiveState)" = "$agent_inner/0/active"

# A hung agent: SIGSTOP. No more pings → systemd's watchdog aborts it and Restart=always brings a new one.
stopped="$(now)"
ctl sh -c "kill -STOP $agent_inner"  # kill is a shell builtin here (no procps in minbase)
timed_out() { ctl journalctl -u haagent-agent.service --no-pager -q | grep -q 'Watchdog timeout'; }
# The deadline runs from the last ping (up to WatchdogSec/2 before the SIGSTOP), so it fires 15-30 s after it.
check "SIGSTOPped agent: systemd logs 'Watchdog timeout' within WatchdogSec + 20 s" wait_for $(( watchdog_s + 20 )) timed_out
say "watchdog: '$(ctl journalctl -u haagent-agent.service --no-pager -q -o cat | grep -m1 'Watchdog timeout' || true)' seen $(since "$stopped") s after SIGSTOP"
restarted() { [ "$(prop haagent-agent.service NRestarts)" -ge 1 ] && [ "$(prop haagent-agent.service MainPID)" != "$agent_inner" ] && is_running haagent-agent.service; }
check "agent restarted by systemd and active/running again" wait_for 30 restarted

# systemctl stop: SIGTERM, and the agent ends within TimeoutStopSec by itself (Result=timeout if systemd had to
# SIGKILL it, exit-code for a non-zero exit). systemd clears ExecMainStatus once the unit is inactive.
stop_started="$(now)"
ctl systemctl stop haagent-agent.service || true
stopped_as="$(prop haagent-agent.service ActiveState)/$(prop haagent-agent.service Result)"
check "systemctl stop: agent stopped cleanly in $(since "$stop_started") s ($stopped_as)" test "$stopped_as" = "inactive/success"
# A bad configuration exits 78 (EX_CONFIG), which RestartPreventExitStatus=78 keeps from a restart loop.
echo '{ "HostId": "" }' > "$machine/etc/haagent/agent.json"
ctl systemctl start haagent-agent.service >/dev/null 2>&1 || true
sleep 5 # > 2 x RestartSec (a manual start resets NRestarts to 0)
check "bad config: agent failed with status 78 and was not restarted (NRestarts $(prop haagent-agent.service NRestarts))" \
  test "$(prop haagent-agent.service ActiveState)/$(prop haagent-agent.service ExecMainStatus)/$(prop haagent-agent.service NRestarts)" = "failed/78/0"
say "bad config: '$(ctl journalctl -u haagent-agent.service --no-pager -q -o cat | grep -m1 -i 'invalid configuration' | head -c 200 || true)'"

if [ "$failures" -ne 0 ]; then
  for unit in haagent-coordinator haagent-agent; do
    echo "---- journalctl -u $unit"
    ctl journalctl -u "$unit.service" --no-pager -q | tail -n 60
  done
  say "FAILED: $failures check(s)"
  exit 1
fi
say "PASSED"
