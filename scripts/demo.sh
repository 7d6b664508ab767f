#!/usr/bin/env bash
# The main job, live and on loopback: a host fails and HaAgent fences it before its VM runs anywhere else.
#
# Part 1 (always): the multi-host lab — a storage namespace running Ceph and hosts h1, h2 in their own network
# namespaces, each with its own libvirtd — plays the fence-first story on real parts: a VM's QEMU on h1 writes to its
# RBD disk, h1 is fenced (whole-IP blocklist + all-PG barrier), its next write is refused, the same VM starts on h2
# and writes, and the image read back from storage holds no write of h1 after the fence; then a frozen host, fenced and
# thawed, never lands the write it wakes up with. Needs root (namespaces, cgroups); exits non-zero when a claim fails.
#
# Options (environment):
#   DEMO_PARTS="proof"                  haagent-demo parts to run: proof, failover, failover-freeze, all.
#                                       failover = coordinator + agents on the same lab (complete once the
#                                       agent<->coordinator link and the engine are on main).
#   DEMO_SIMULATOR=1                    also replay the simulator scenarios (decision core on a virtual clock).
#   DEMO_SCENARIOS="crash ..."          which simulator scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: needs root (network namespaces, cgroups, a private libvirtd per host); try: sudo $0" >&2
  exit 1
fi

bash scripts/install-deps.sh
echo "demo: building the demo driver, coordinator and agent"
dotnet build tests/HaAgent.Demo -c Release -v quiet -nologo >/dev/null

demo=(dotnet tests/HaAgent.Demo/bin/Release/net10.0/haagent-demo.dll)
status=0
for part in ${DEMO_PARTS:-proof}; do
  "${demo[@]}" "$part" || status=$?
done

if [ "${DEMO_SIMULATOR:-0}" = 1 ]; then
  dotnet build coordinator/HaAgent.Simulator -c Release -v quiet -nologo >/dev/null
  simulator=(dotnet coordinator/HaAgent.Simulator/bin/Release/net10.0/HaAgent.Simulator.dll)
  for scenario in ${DEMO_SCENARIOS:-crash network-isolation rack-power-loss-anti-affinity}; do
    echo
    echo "=== simulator scenario: $scenario — $(head -n1 "tests/scenarios/$scenario/README")"
    "${simulator[@]}" run "tests/scenarios/$scenario" || status=$?
  done
fi

if [ "$status" -eq 0 ]; then
  echo "demo: every claim held"
else
  echo "demo: FAILED (exit $status)" >&2
fi
exit "$status"
