#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for make test-slurm: munged, slurmctld and slurmd of
# Debian's slurm-wlm, configured in DIR (default build/slurm) with every core of this machine as
# one node in one partition. Needs root (the daemons); nothing outside DIR and /run/munge is
# written. A real cluster needs none of this: scripts/slurm_launch.sh submits to whatever
# sbatch reaches.
#   scripts/slurm_cluster.sh start [DIR]   configure and start; waits until the node is idle
#   scripts/slurm_cluster.sh stop [DIR]    stop the daemons started from DIR
#   scripts/slurm_cluster.sh env [DIR]     prints the SLURM_CONF=... line the clients need
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-}
dir=$(realpath -m "${2:-build/slurm}")
conf="$dir/slurm.conf"

die() { echo "error: slurm_cluster: $*" >&2; exit 1; }

write_conf() {
  local node cpus mem
  node=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat >"$conf" <<EOF
# Written by scripts/slurm_cluster.sh: a one-node cluster on localhost.
ClusterName=accel
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
# No cgroups in a sandbox or container: processes tracked by their parent, tasks not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if pgrep -x munged >/dev/null; then return; fi
  [[ -f /etc/munge/munge.key ]] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  # munged refuses root without --force; here the daemons run as root by design (see header).
  munged --force
}

wait_idle() {
  local i state
  for ((i = 0; i < 60; i++)); do
    state=$(SLURM_CONF="$conf" sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    [[ "$state" == idle* || "$state" == mixed* || "$state" == allocated* ]] && return 0
    sleep 1
  done
  die "the node did not become idle in 60 s (state '${state:-none}'; logs in $dir/log)"
}

case "$cmd" in
  start)
    if [[ $(id -u) != 0 ]]; then
      command -v sudo >/dev/null || die "the daemons need root (or sudo)"
      exec sudo -E bash "$0" "$@"
    fi
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null ||
      die "slurmctld, slurmd or munged missing (scripts/deps.sh --slurm)"
    write_conf
    start_munge
    "$0" stop "$dir" >/dev/null 2>&1 || true
    slurmctld -f "$conf" -i
    slurmd -f "$conf"
    wait_idle
    echo "slurm: one-node cluster up ($(hostname -s), $(nproc) CPUs, partition local; SLURM_CONF=$conf)"
    ;;
  stop)
    for d in slurmd slurmctld; do
      if [[ -f "$dir/$d.pid" ]]; then kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; rm -f "$dir/$d.pid"; fi
    done
    ;;
  env)
    echo "SLURM_CONF=$conf"
    ;;
  *)
    die "usage: scripts/slurm_cluster.sh start|stop|env [DIR]"
    ;;
esac
