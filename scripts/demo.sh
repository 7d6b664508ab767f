#!/usr/bin/env bash
# The main job, live and on loopback: a host fails and HaAgent fences it before its VM runs anywhere else.
#
# A multi-host lab — a storage namespace running Ceph and the coordinator (embedded SQLite store), and hosts h1, h2,
# h3 in their own network namespaces, each with its own libvirtd and a HaAgent agent — runs a protected VM (real QEMU,
# disk on RBD) on h1 that keeps writing numbered blocks. Then:
#   failover:        h1 is killed (-9, every process of the host). The coordinator sees it silent on the network and
#                    on storage, has a peer blocklist h1's whole IP, verifies the fence (osdmap epoch), and only then
#                    starts the VM on a survivor. The image is read back from storage: every write is there once.
#   failover-freeze: h1 is frozen instead (alive but unreachable) and thawed once its VM runs elsewhere: the write it
#                    wakes up with must not land. The image read back proves it.
# The audit log explaining each decision is printed. Needs root (namespaces, cgroups); exits non-zero when a claim fails.
#
# Options (environment):
#   DEMO_PARTS="failover failover-freeze"  haagent-demo parts: failover, failover-freeze, proof (the lab's fence proof
#                                          without the daemons), coordinator-failover (three coordinators on etcd, one
#                                          per host; the host running the leader and the VM is killed -9: another
#                                          coordinator takes over, fences, restarts the VM once), all.
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
for part in ${DEMO_PARTS:-failover failover-freeze}; do
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
