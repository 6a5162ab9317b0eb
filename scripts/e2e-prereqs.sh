#!/usr/bin/env bash
# Installs what the e2e suite (test/e2e) needs on a Debian/Ubuntu machine, as root.
# Idempotent: a quick no-op when everything is already installed.
#
# The test hosts run dockerd *inside* systemd-nspawn; this machine itself must never run one.
# docker.io's and containerd's maintainer scripts try to start their daemons through
# invoke-rc.d, so the install runs under a policy-rc.d that forbids every start (exit 101), and
# we check afterwards that no daemon was left running in this machine's PID namespace.
set -euo pipefail

# ansible-core and ssh: the fleet test (test/e2e/ansible.e2e.test.ts) drives three test hosts with
# Debian's Ansible over SSH; each host runs this machine's sshd (its /etc is this machine's).
PKGS=(systemd-container docker.io iptables busybox-static iproute2 ansible-core openssh-server openssh-client)

if [[ $(id -u) -ne 0 ]]; then
  echo "e2e-prereqs: must run as root (the e2e suite boots systemd-nspawn hosts)" >&2
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully configured package.
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

# PIDs of daemons in *this* PID namespace: test hosts' dockerds are visible in `ps` here too,
# but they live in their own PID namespace and are fine.
local_daemons() {
  local self_ns pid
  self_ns=$(readlink /proc/self/ns/pid)
  for pid in $(pgrep -x dockerd || true) $(pgrep -x containerd || true); do
    if [[ $(readlink "/proc/$pid/ns/pid" 2>/dev/null || true) == "$self_ns" ]]; then
      echo "$pid"
    fi
  done
}

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "e2e-prereqs: installing ${missing[*]}"
  POLICY=/usr/sbin/policy-rc.d
  BACKUP=""
  if [[ -e $POLICY ]]; then
    BACKUP=$(mktemp /usr/sbin/policy-rc.d.e2e-backup.XXXXXX)
    cp -p "$POLICY" "$BACKUP"
  fi
  restore_policy() {
    if [[ -n $BACKUP ]]; then mv -f "$BACKUP" "$POLICY"; else rm -f "$POLICY"; fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\n# e2e-prereqs: no service may start during this install\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"

  export DEBIAN_FRONTEND=noninteractive
  # update only when the lists are missing or stale, so re-runs stay fast and offline-tolerant.
  if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1) ]]; then
    apt-get update -q
  fi
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"

  restore_policy
  trap - EXIT
else
  echo "e2e-prereqs: all present (${PKGS[*]})"
fi

leftover=$(local_daemons)
if [[ -n $leftover ]]; then
  echo "e2e-prereqs: a dockerd/containerd is running on this machine (pids: $leftover) — stopping it" >&2
  # shellcheck disable=SC2086
  kill $leftover 2>/dev/null || true
  sleep 2
  leftover=$(local_daemons)
  if [[ -n $leftover ]]; then
    echo "e2e-prereqs: still running after SIGTERM: $leftover" >&2
    exit 1
  fi
fi

for bin in systemd-nspawn dockerd nsenter busybox ip iptables ansible-playbook ssh ssh-keygen; do
  command -v "$bin" >/dev/null || { echo "e2e-prereqs: $bin missing after install" >&2; exit 1; }
done
echo "e2e-prereqs: ok"
