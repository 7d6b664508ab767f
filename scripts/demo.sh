#!/usr/bin/env bash
# The main job, on loopback: a host failure played through HaAgent's decision core.
#
# Today this replays scenarios on the simulator's virtual clock: a host crashes, is judged dead from the
# network AND storage evidence, is fenced through a peer, the fence is verified, and only then are its VMs
# restarted elsewhere; then a partitioned host that still writes storage is shown NOT to be fenced or
# restarted. The live demo with the coordinator service, the agents and a real Ceph cluster replaces this
# once those land (see the issues).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
dotnet build coordinator/HaAgent.Simulator -c Release -v quiet -nologo >/dev/null

simulator=(dotnet coordinator/HaAgent.Simulator/bin/Release/net10.0/HaAgent.Simulator.dll)
for scenario in ${DEMO_SCENARIOS:-crash network-isolation rack-power-loss-anti-affinity}; do
  echo
  echo "=== scenario: $scenario — $(head -n1 "tests/scenarios/$scenario/README")"
  "${simulator[@]}" run "tests/scenarios/$scenario"
done
