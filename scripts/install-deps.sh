#!/usr/bin/env bash
# Installs every Debian 12 package HaAgent builds, runs or tests with. Idempotent: when all are present it
# touches nothing; otherwise one `apt-get update`, then one `apt-get install -y`.
set -euo pipefail

packages=(
  # build
  ca-certificates curl git clang zlib1g-dev
  # Ceph: throwaway test cluster and librados.so.2
  ceph-mon ceph-osd ceph-common librados2 librados-dev
  # iSCSI: userspace target and libiscsi.so.7
  tgt libiscsi7 libiscsi-bin libiscsi-dev
  # libvirt (test:/// driver and libvirtd) and QEMU
  libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils
  # QEMU's rbd block driver: lab VMs keep their disks on RBD (scripts/demo.sh, tests/HaAgent.EndToEnd.Tests)
  qemu-block-extra util-linux
  # coordinator HA store, D-Bus, partitions
  etcd-server etcd-client dbus nftables iproute2 procps
  # model checking the fence protocol: spin preprocesses the model with gcc -E, and its verifier is C built by gcc
  spin gcc
  # packaging
  rpm rpmlint dpkg-dev lintian
  # the units under a real systemd (packaging/systemd-smoke.sh): a debootstrapped Debian booted with systemd-nspawn
  debootstrap systemd-container
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# Debian starts tgt and libvirtd as services where systemd runs; tests bring their own instances.
echo "install-deps: done"
