#!/usr/bin/env bash
# tools/slurm-local.sh start|stop|status - a one-node Slurm cluster on this
# machine, for the tests of `./run.sh sweep --slurm` and for CI (.ci/run).
#
# The issue makes Slurm a real component: the tests submit a real job array to
# a real slurmctld and slurmd, not to a mock. This script sets that up on a
# Debian machine, as root, without systemd (containers and CI machines have
# none): it starts the daemons directly.
#
#   start   install the Debian packages if missing (slurmctld slurmd
#           slurm-client munge), create the munge key if missing, start munged,
#           write /etc/slurm/slurm.conf for ONE node (this host, all its CPUs),
#           start slurmctld and slurmd, wait until `sinfo` shows the node idle.
#           Idempotent: does nothing when the cluster already answers.
#           On failure prints the daemons' logs and exits 1.
#   stop    stop slurmd, slurmctld and (if this script started it) munged, by
#           the process ids in their pid files.
#   status  print the daemons, `sinfo` and `squeue`; exit 0 if the node is up.
#
# Everything the cluster writes lives under $INCUBATOR_SLURM_DIR (default
# /var/lib/incubator-slurm): state, spool, logs, pid files. The only file
# written outside it is /etc/slurm/slurm.conf (where Debian's Slurm reads its
# configuration); it starts with a marker line, and a slurm.conf without the
# marker (a real cluster's) is never replaced.
#
# The configuration avoids what containers lack: no cgroup plugins
# (proctrack/linuxproc, task/none), no accounting database (squeue and the
# sweep's own manifest tell the state; sacct is not available), loopback
# addresses only.
set -euo pipefail

BASE="${INCUBATOR_SLURM_DIR:-/var/lib/incubator-slurm}"
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
MARKER="# written by incubator tools/slurm-local.sh"
PACKAGES=(slurmctld slurmd slurm-client munge)
MUNGE_KEY=/etc/munge/munge.key
MUNGE_SOCKET_DIR=/run/munge
START_TIMEOUT="${INCUBATOR_SLURM_TIMEOUT:-60}"
HOST="$(hostname -s)"

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

need_root() {
    if [[ "$(id -u)" -ne 0 ]]; then
        say "must run as root (it installs packages, writes $CONF and starts daemons)"
        say "the packages it needs: sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}"
        exit 1
    fi
}

# ---- packages ------------------------------------------------------------------

ensure_packages() {
    local missing=() p status
    for p in "${PACKAGES[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    say "installing Debian packages: ${missing[*]}"
    # The packages' scripts try to start the services; without systemd that
    # fails or is refused. A policy-rc.d that says "no" keeps them quiet; we
    # start the daemons ourselves.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    local rc=0
    apt-get update >/dev/null || rc=$?
    if [[ $rc -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
    fi
    [[ $made_policy -eq 1 ]] && rm -f "$policy"
    [[ $rc -eq 0 ]] || die "apt-get failed (exit $rc); install by hand: apt-get install -y --no-install-recommends ${missing[*]}"
}

# ---- munge ---------------------------------------------------------------------

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    if [[ ! -s "$MUNGE_KEY" ]]; then
        say "creating the munge key $MUNGE_KEY"
        mkdir -p "$(dirname "$MUNGE_KEY")"
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile="$MUNGE_KEY" --force
        elif command -v create-munge-key >/dev/null 2>&1; then
            create-munge-key -f
        else
            dd if=/dev/urandom bs=1 count=1024 of="$MUNGE_KEY" status=none
        fi
    fi
    chown munge:munge "$MUNGE_KEY"
    chmod 0400 "$MUNGE_KEY"
    munge_works && return 0

    mkdir -p "$MUNGE_SOCKET_DIR" /var/lib/munge /var/log/munge
    chown munge:munge "$MUNGE_SOCKET_DIR" /var/lib/munge /var/log/munge
    chmod 0755 "$MUNGE_SOCKET_DIR"
    # munged refuses to run as root; Debian runs it as user munge.
    runuser -u munge -- /usr/sbin/munged
    touch "$BASE/munged.ours"
    for _ in $(seq 1 50); do
        munge_works && return 0
        sleep 0.2
    done
    say "munged does not answer; its log:"
    tail -n 30 /var/log/munge/munged.log >&2 2>/dev/null || true
    exit 1
}

# ---- configuration -------------------------------------------------------------

write_conf() {
    if [[ -f "$CONF" ]] && ! head -n 1 "$CONF" | grep -qF "$MARKER"; then
        die "$CONF exists and was not written by this script (a real cluster's?); not replacing it"
    fi
    # The node as slurmd sees the hardware (sockets, cores, threads), so
    # slurmd does not drain the node for a mismatch; memory less a margin.
    local cpus mem node_hw
    cpus="$(nproc)"
    mem="$(free -m | awk '/^Mem:/ {print $2}')"
    mem=$((mem > 2048 ? mem - 1024 : mem / 2))
    node_hw="$(slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* \(CPUs=.*\) RealMemory=.*/\1/p' | head -n 1)"
    [[ -n "$node_hw" ]] || node_hw="CPUs=$cpus"
    mkdir -p "$CONF_DIR" "$BASE/state" "$BASE/spool" "$BASE/log"
    local tmp="$CONF.tmp.$$"
    cat >"$tmp" <<EOF
$MARKER; replaced by each 'start'
# One node ($HOST, loopback only) for the incubator tests: see the script.
ClusterName=incubator
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
# A requeued job may start again after cred_expire seconds (default 120), and
# the schedulers look at pending jobs every few seconds (defaults 60 and 30):
# quick turnaround for the tests' requeue case.
AuthInfo=cred_expire=10
SchedulerParameters=sched_interval=2,bf_interval=2
MailProg=/bin/true
MaxArraySize=100001
MaxJobCount=200000
# Finished jobs stay visible to scontrol show job for 5 minutes.
MinJobAge=300
KillWait=30
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/slurmctld.pid
SlurmdPidFile=$BASE/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$HOST NodeAddr=127.0.0.1 $node_hw RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$tmp" "$CONF"
    # Debian's slurmd looks for cgroup.conf only with cgroup plugins; none here.
}

# ---- daemons -------------------------------------------------------------------

# pid_alive FILE NAME: the pid in FILE is a live process named NAME.
pid_alive() {
    local pid
    [[ -s "$1" ]] || return 1
    pid="$(cat "$1" 2>/dev/null)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]]
}

node_state() { sinfo -h -n "$HOST" -o '%T' 2>/dev/null | head -n 1; }

diagnostics() {
    say "---- diagnostics ----"
    {
        echo "slurmctld: $(pid_alive "$BASE/slurmctld.pid" slurmctld && echo running || echo 'not running')"
        echo "slurmd:    $(pid_alive "$BASE/slurmd.pid" slurmd && echo running || echo 'not running')"
        echo "munge:     $(munge_works && echo works || echo 'does not work')"
        echo "-- scontrol ping"; scontrol ping 2>&1 || true
        echo "-- sinfo"; sinfo -N -l 2>&1 || true
        echo "-- $BASE/log/slurmctld.log (last 40 lines)"; tail -n 40 "$BASE/log/slurmctld.log" 2>&1 || true
        echo "-- $BASE/log/slurmd.log (last 40 lines)"; tail -n 40 "$BASE/log/slurmd.log" 2>&1 || true
        echo "-- $BASE/log/*.out (daemons' own stderr)"; tail -n 20 "$BASE"/log/*.out 2>&1 || true
    } >&2
}

start() {
    need_root
    mkdir -p "$BASE/log"
    ensure_packages
    if pid_alive "$BASE/slurmctld.pid" slurmctld && pid_alive "$BASE/slurmd.pid" slurmd &&
        [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing)$ ]]; then
        say "already running: node $HOST is $(node_state)"
        return 0
    fi
    start_munge
    write_conf
    if ! pid_alive "$BASE/slurmctld.pid" slurmctld; then
        # -c: start clean (no jobs from an earlier session); -i: ignore
        # unreadable state. The daemon forks into the background itself.
        slurmctld -c -i >"$BASE/log/slurmctld.out" 2>&1 || { diagnostics; die "slurmctld failed to start"; }
    fi
    if ! pid_alive "$BASE/slurmd.pid" slurmd; then
        slurmd >"$BASE/log/slurmd.out" 2>&1 || { diagnostics; die "slurmd failed to start"; }
    fi
    local t0=$SECONDS state=""
    while ((SECONDS - t0 < START_TIMEOUT)); do
        state="$(node_state)"
        case "$state" in
            idle | mixed | allocated | completing)
                say "node $HOST is $state ($(nproc) CPUs, partition debug); config $CONF, logs $BASE/log"
                return 0
                ;;
            down* | drain* | fail*)
                # ReturnToService=2 should bring it back; nudge it once.
                scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
                ;;
        esac
        sleep 1
    done
    diagnostics
    die "node $HOST is not idle after ${START_TIMEOUT}s (state: ${state:-no answer})"
}

# stop_daemon PIDFILE NAME: TERM, wait up to 15 s, then KILL.
stop_daemon() {
    local file="$1" name="$2" pid
    pid_alive "$file" "$name" || { rm -f "$file"; return 0; }
    pid="$(cat "$file")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 75); do
        [[ -d "/proc/$pid" ]] || break
        sleep 0.2
    done
    if [[ -d "/proc/$pid" ]]; then
        say "$name (pid $pid) did not stop in 15 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop() {
    need_root
    stop_daemon "$BASE/slurmd.pid" slurmd
    stop_daemon "$BASE/slurmctld.pid" slurmctld
    if [[ -f "$BASE/munged.ours" ]]; then
        local mpid=""
        for f in "$MUNGE_SOCKET_DIR/munged.pid" /var/run/munge/munged.pid; do
            [[ -s "$f" ]] && { mpid="$f"; break; }
        done
        [[ -n "$mpid" ]] && stop_daemon "$mpid" munged
        rm -f "$BASE/munged.ours"
    fi
    say "stopped"
}

status() {
    local rc=0
    echo "slurmctld: $(pid_alive "$BASE/slurmctld.pid" slurmctld && echo "running (pid $(cat "$BASE/slurmctld.pid"))" || echo 'not running')"
    echo "slurmd:    $(pid_alive "$BASE/slurmd.pid" slurmd && echo "running (pid $(cat "$BASE/slurmd.pid"))" || echo 'not running')"
    echo "munge:     $(munge_works && echo works || echo 'does not work')"
    if command -v sinfo >/dev/null 2>&1; then
        sinfo 2>&1 || rc=1
        squeue 2>&1 || rc=1
        [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing)$ ]] || rc=1
    else
        echo "sinfo: not installed"
        rc=1
    fi
    return "$rc"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop; start ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
esac
