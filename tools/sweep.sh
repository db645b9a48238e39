#!/usr/bin/env bash
# tools/sweep.sh - scenario sweeps: many runs of incubator-sim (scenarios x
# --grid values x seeds), run locally N at a time or as one Slurm job array,
# recorded in a manifest, resumable. `./run.sh sweep ARGS` builds and then runs
# this script; docs/sweeps.md is the user's guide.
#
# Why a script and not the simulator: a run is one process with one output
# file (docs/output.md), and what a sweep adds is bookkeeping around many such
# processes: which runs exist, which are finished, where each one's file and
# log are, and what a scheduler did with it. All of that is derived from the
# files in the sweep's folder, so a sweep survives being killed, re-run, or
# finished on another machine:
#
#   DIR/sweep.conf      the options that define the runs (and their hash)
#   DIR/manifest.tsv    one row per run (written atomically: temp file, rename;
#                       updates serialized with flock on DIR/manifest.lock)
#   DIR/*.h5            the outputs, one per row, names unique per row
#   DIR/*.ckpt.h5       checkpoints of unfinished runs (resumed on the next try)
#   DIR/logs/           one log per local run (ID.log), per Slurm task (%A_%a.log)
#   DIR/sweep.sbatch    the job script of the last Slurm submission
#
# Internal entry points:
#   tools/sweep.sh slurm-task DIR [--bin DIR] [--threads N] [--checkpoint-every M]
#       the body of one array task (DIR/sweep.sbatch execs it); row = task id
#   tools/sweep.sh run-row DIR ID [same options]
#       one row by hand, as a local worker runs it (log in DIR/logs/ID.log)
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
SELF="$ROOT/tools/sweep.sh"
HEADER=$'id\tscenario\tseed\toverrides\toutput\tstatus\texit_code\tjob_id\tarray_task\tlog'
MAX_REQUEUES=20 # a Slurm task requeued more often than this is marked failed
STOP_SIGNAL=""  # the signal that stopped the last run_row: USR1, TERM, INT or empty

usage() {
    cat <<'EOF'
usage: ./run.sh sweep [options]

Run every combination of scenarios x grid values x seeds with incubator-sim,
record them in DIR/manifest.tsv, and print `incubator-analyze summary` of the
outputs. Re-running the same command runs only the rows that are not done
(resuming from checkpoints where present). Guide: docs/sweeps.md.

what to run:
  --scenario NAME       scenarios/NAME.ini, or a path to an .ini (repeatable;
                        at least one)
  --seeds SPEC          seeds: 1-5, 1,2,7 or 1-3,10 (default 1)
  --grid KEY=V1,V2,...  a scenario key and its values (repeatable; the grid is
                        the full factorial of all --grid options)
  --set KEY=V           a fixed override for every run (repeatable)
  --workers N           worker agents per run (incubator-sim --workers)
  --months N            months per run (incubator-sim --months)

where:
  --name NAME           the sweep's name (default: the scenario names and a
                        short hash of the options above, so the same options
                        give the same folder and different ones never share it)
  --out DIR             the sweep's folder (default ROOT/NAME)
  --root DIR            parent folder of default sweep folders
                        (default results/sweeps)

how:
  --jobs N              local runs at a time (default 1); with --slurm, the most
                        array tasks running at once (default: no limit)
  --threads N           OpenMP threads per run (default 1 if --jobs > 1 or
                        --slurm, else all cores)
  --checkpoint-every M  checkpoint every M months (default 12), if this
                        incubator-sim supports checkpoints
  --slurm               submit one Slurm job array (one run per task) instead of
                        running locally
  --partition P         Slurm partition (default: the cluster's default)
  --time T              Slurm time limit per task, e.g. 30 or 2:00:00
  --signal-before S     with --slurm: seconds before the time limit at which a
                        run is told to checkpoint and stop (default 120)
  --no-wait             with --slurm: submit and return; re-run the command
                        later to update the manifest and print the summary
  --wait-timeout S      with --slurm: stop waiting after S seconds (exit 1)
  --dry-run             write the manifest and print what would run
  --bin DIR             folder of incubator-sim and incubator-analyze
                        (default build/bin, or $INCUBATOR_BIN_DIR)
  -h, --help            this text

Exit status: 0 when every row is done (or after --dry-run / --no-wait),
1 when some row is failed or unfinished, 2 for a usage error.
EOF
}

usage_error() {
    echo "sweep: $*" >&2
    echo "usage: ./run.sh sweep --scenario NAME [--seeds 1-5] [--grid KEY=V1,V2] [--set KEY=V] [--jobs N] [--slurm] ... (--help for all options)" >&2
    exit 2
}
die() {
    echo "sweep: $*" >&2
    exit 1
}
note() { echo "sweep: $*" >&2; }

is_count() { [[ "$1" =~ ^[0-9]+$ && "$1" -ge 1 ]]; }

# ini_get FILE SECTION KEY: the value of SECTION.KEY in the scenario FILE,
# following its `extends` chain (the file's own value wins over its base's),
# printed as "VALUE<TAB>FILE:LINE"; nothing when no file of the chain sets it.
# Mirrors the reading of sim/scenario.c: `;` starts a comment, blanks around
# the value are dropped, `extends` is relative to the file's folder.
ini_get() {
    local file="$1" sec="$2" key="$3" depth=0 hit base
    while [[ -n "$file" && $depth -lt 32 ]]; do
        hit="$(awk -v sec="$sec" -v key="$key" '
            { line = $0; sub(/[;#].*/, "", line) }
            line ~ /^[ \t]*\[/ { s = line; gsub(/^[ \t]*\[|\][ \t]*$/, "", s); cur = s; next }
            {
                i = index(line, "="); if (!i) next
                k = substr(line, 1, i - 1); v = substr(line, i + 1)
                gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
                if (cur == sec && k == key) { val = v; at = NR }
                if (cur == "" && k == "extends") ext = v
            }
            END { if (at) printf "%s\t%d\n", val, at; else printf "\t0\t%s\n", ext }' "$file")"
        if [[ "$hit" != $'\t0\t'* ]]; then
            printf '%s:%s\n' "${hit%%$'\t'*}	$file" "${hit##*$'\t'}"
            return 0
        fi
        base="${hit#$'\t0\t'}"
        [[ -n "$base" ]] || return 0
        [[ "$base" == /* ]] || base="$(dirname "$file")/$base"
        file="$base"
        depth=$((depth + 1))
    done
}

# month_index YYYY-MM: year * 12 + month - 1 (nothing when malformed).
month_index() {
    [[ "$1" =~ ^([0-9]{4})-([0-9]{2})$ ]] || return 0
    echo $((10#${BASH_REMATCH[1]} * 12 + 10#${BASH_REMATCH[2]} - 1))
}

# check_schedule NAME FILE OVERRIDES MONTHS: before anything runs, the dated
# keys of a policy in force (policy.start, sanctions.start) must lie within
# the run, as incubator-sim requires (sim/scenario.c check_lists: a date that
# times a policy switched off may lie outside). OVERRIDES is "k=v;k=v" (--set
# and one grid point); MONTHS the sweep's --months or empty. Exits 2 naming
# the scenario, the key, its value and where it was set.
check_schedule() {
    local name="$1" file="$2" over="$3" months="$4" kv
    declare -A val=() from=()
    local k r
    for k in run.start run.months policy.start sanctions.start sanctions.level sanctions.export_cut \
        incentives.nodes incentives.sectors little_giants.count skills.training_share; do
        r="$(ini_get "$file" "${k%%.*}" "${k#*.}")"
        val[$k]="${r%%$'\t'*}"
        from[$k]="${r#*$'\t'}"
    done
    IFS=';' read -ra kvs <<<"$over"
    for kv in "${kvs[@]}"; do
        [[ -n "$kv" ]] || continue
        k="${kv%%=*}"
        val[$k]="${kv#*=}"
        from[$k]="--set/--grid $kv"
    done
    if [[ -n "$months" ]]; then val[run.months]="$months"; from[run.months]="--months $months"; fi
    local start last m
    start="$(month_index "${val[run.start]}")"
    [[ -n "$start" && "${val[run.months]}" =~ ^[0-9]+$ ]] || return 0 # incubator-sim reports these
    last=$((start + 10#${val[run.months]} - 1))
    nz() { [[ -n "$1" ]] && awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }
    listed() { [[ -n "$1" && "$1" != none ]]; }
    local active_policy=0 active_sanctions=0
    { listed "${val[incentives.nodes]}" && listed "${val[incentives.sectors]}"; } && active_policy=1
    nz "${val[little_giants.count]}" && active_policy=1
    nz "${val[skills.training_share]}" && active_policy=1
    { nz "${val[sanctions.level]}" || nz "${val[sanctions.export_cut]}"; } && active_sanctions=1
    for k in policy.start sanctions.start; do
        [[ "$k" == policy.start && $active_policy -eq 1 ]] || [[ "$k" == sanctions.start && $active_sanctions -eq 1 ]] || continue
        m="$(month_index "${val[$k]}")"
        [[ -n "$m" ]] || continue
        if ((m < start || m > last)); then
            echo "sweep: scenario $name: $k = ${val[$k]} (${from[$k]}) is outside the run of ${val[run.months]} months from ${val[run.start]} (${from[run.months]}): incubator-sim accepts a month from ${val[run.start]} to $(printf '%04d-%02d' $((last / 12)) $((last % 12 + 1))); give --months $((m - start + 1)) or more, or --set $k=MONTH within the run; nothing was run" >&2
            exit 2
        fi
    done
}

# ---- the manifest ----------------------------------------------------------------

# Columns: 1 id, 2 scenario, 3 seed, 4 overrides, 5 output, 6 status,
# 7 exit_code, 8 job_id, 9 array_task, 10 log. "-" stands for empty.

# manifest_set DIR ID STATUS EXIT JOB TASK LOG: update row ID; an empty
# argument keeps that field. Atomic (temp file + rename), under the lock.
manifest_set() {
    local dir="$1"
    (
        flock 9
        local m="$dir/manifest.tsv" tmp
        tmp="$(mktemp "$dir/.manifest.XXXXXX")" || exit 1
        awk -F'\t' -v OFS='\t' -v id="$2" -v st="$3" -v rc="$4" -v jb="$5" -v tk="$6" -v lg="$7" '
            NR > 1 && $1 == id {
                if (st != "") $6 = st
                if (rc != "") $7 = rc
                if (jb != "") $8 = jb
                if (tk != "") $9 = tk
                if (lg != "") $10 = lg
            }
            { print }' "$m" >"$tmp" && commit "$tmp" "$m"
    ) 9>"$dir/manifest.lock" || { note "cannot update $dir/manifest.tsv (row $2 -> $3; disk full?)"; return 1; }
}

# commit TMP DEST: rename TMP over DEST (atomic: readers see the old or the
# new file, never a part). Callers write TMP completely first and call this
# only if that succeeded, so a full disk leaves DEST as it was.
commit() {
    mv -f "$1" "$2" || { rm -f "$1"; return 1; }
}

# manifest_row DIR ID: print row ID (tab-separated) or fail.
manifest_row() {
    awk -F'\t' -v id="$2" 'NR > 1 && $1 == id { print; found = 1 } END { exit !found }' "$1/manifest.tsv"
}

# lock_held FILE: some process holds a write lock on FILE. incubator-sim
# locks NAME.h5.lock with an fcntl (open-file-description) lock, which
# flock(1) cannot see; F_GETLK can. Perl is part of every Debian system.
lock_held() {
    [[ -e "$1" ]] || return 1
    perl -MFcntl -e '
        open(my $f, "<", $ARGV[0]) or exit 1;
        my $l = pack("s s x4 q q i x4", F_WRLCK, SEEK_SET, 0, 0, 0);
        fcntl($f, F_GETLK, $l) or exit 1;
        exit((unpack("s", $l))[0] == F_UNLCK ? 1 : 0);' "$1"
}

ckpt_of() { echo "${1%.h5}.ckpt.h5"; }

# Slurm array tasks that are queued or running, as "JOBID_TASK" lines (nothing
# without squeue). A task that is COMPLETING has finished its script (and
# written its row); it does not count.
slurm_active() {
    command -v squeue >/dev/null 2>&1 || return 0
    squeue -h -r -o '%F_%K %T' 2>/dev/null |
        awk '$2 ~ /^(PENDING|RUNNING|CONFIGURING|SUSPENDED|REQUEUE|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|RESV_DEL_HOLD|STOPPED)$/ { print $1 }' || true
}

# derive DIR OUTPUT OLD_STATUS OLD_JOB OLD_TASK ACTIVE_LIST: the status of a
# row from its files (and, for a row submitted to Slurm, from the queue).
derive_status() {
    local dir="$1" out="$2" old="$3" job="$4" task="$5" active="$6"
    if [[ -f "$dir/$out" ]]; then
        echo "done"
    elif [[ -f "$dir/$out.partial" ]] && lock_held "$dir/$out.lock"; then
        echo running
    elif [[ "$job" != "-" ]] && grep -qxF -- "${job}_${task}" <<<"$active"; then
        # Queued or running in Slurm (maybe on another node): leave it alone.
        [[ "$old" == running ]] && echo running || echo pending
    elif [[ -f "$dir/$(ckpt_of "$out")" ]]; then
        echo requeued
    elif [[ "$old" == failed ]]; then
        echo failed
    elif [[ "$old" == running || ("$old" == pending && "$job" != "-") ]]; then
        # It was started (or submitted) and is gone without a result or a
        # checkpoint: killed, or its node died.
        echo failed
    else
        echo pending
    fi
}

# ---- running one row -----------------------------------------------------------

SIM_SUPPORTS_CKPT="" # computed once per process

sim_supports_checkpoints() {
    if [[ -z "$SIM_SUPPORTS_CKPT" ]]; then
        local help
        help="$("$BIN_DIR/incubator-sim" --help 2>/dev/null || true)"
        if grep -q -- --checkpoint-every <<<"$help"; then
            SIM_SUPPORTS_CKPT=1
        else
            SIM_SUPPORTS_CKPT=0
        fi
    fi
    [[ "$SIM_SUPPORTS_CKPT" == 1 ]]
}

# conf_get DIR KEY: the values of KEY in DIR/sweep.conf, one a line.
conf_get() { sed -n "s/^$2=//p" "$1/sweep.conf"; }

# run_row DIR ID JOB TASK LOG: run row ID of the sweep in DIR unless its output
# exists; update the manifest before and after. LOG "-" leaves stdout and
# stderr alone (a Slurm task: they go to the task's log). JOB and TASK "-"
# for a local run. Returns incubator-sim's exit code (0 if already done).
# Uses BIN_DIR, THREADS, CKPT_EVERY.
run_row() {
    local dir="$1" id="$2" job="$3" task="$4" log="$5"
    local row scen seed ovr out
    row="$(manifest_row "$dir" "$id")" || { note "$dir: no row $id in the manifest"; return 2; }
    IFS=$'\t' read -r _ scen seed ovr out _ <<<"$row"
    if [[ -f "$dir/$out" ]]; then
        manifest_set "$dir" "$id" "done" 0 "" "" "" || true
        return 0
    fi
    local file ckpt
    file="$(conf_get "$dir" "file.$scen")"
    ckpt="$(ckpt_of "$out")"
    local cmd=("$BIN_DIR/incubator-sim" "$file" --seed "$seed" --out "$dir/$out" --quiet)
    local kv
    if [[ "$ovr" != "-" ]]; then
        IFS=';' read -ra kvs <<<"$ovr"
        for kv in "${kvs[@]}"; do cmd+=(--set "$kv"); done
    fi
    local w m
    w="$(conf_get "$dir" workers)"
    m="$(conf_get "$dir" months)"
    [[ -n "$w" ]] && cmd+=(--workers "$w")
    [[ -n "$m" ]] && cmd+=(--months "$m")
    [[ -n "$THREADS" ]] && cmd+=(--threads "$THREADS")
    if sim_supports_checkpoints; then
        cmd+=(--checkpoint-every "$CKPT_EVERY" --checkpoint "$dir/$ckpt")
        [[ -f "$dir/$ckpt" ]] && cmd+=(--resume "$dir/$ckpt")
    fi
    local logrel="${log#"$dir/"}"
    [[ "$log" == "-" ]] && logrel=""
    manifest_set "$dir" "$id" running - "$job" "$task" "$logrel" || true

    local msg
    msg="== $(date '+%Y-%m-%d %H:%M:%S') row $id on $(hostname -s)$([[ "$job" != - ]] && echo " job ${job}_$task"): ${cmd[*]}"
    local simpid rc
    if [[ "$log" == "-" ]]; then
        echo "$msg"
        "${cmd[@]}" </dev/null &
    else
        echo "$msg" >>"$log" || true
        "${cmd[@]}" </dev/null >>"$log" 2>&1 &
    fi
    simpid=$!
    # SIGUSR1 (Slurm's --signal=B:USR1 before the time limit), SIGTERM (scancel,
    # the time limit, the local driver stopping) or SIGINT (Ctrl-C) to us: tell
    # the run to finish its month, checkpoint and exit 75. Every incubator-sim
    # handles SIGTERM. STOP_SIGNAL tells the caller which one it was.
    local stopping=0
    STOP_SIGNAL=""
    trap 'stopping=1; STOP_SIGNAL=USR1; kill -TERM "$simpid" 2>/dev/null || true' USR1
    trap 'stopping=1; STOP_SIGNAL=TERM; kill -TERM "$simpid" 2>/dev/null || true' TERM
    trap 'stopping=1; STOP_SIGNAL=INT; kill -TERM "$simpid" 2>/dev/null || true' INT
    while :; do
        rc=0
        wait "$simpid" || rc=$?
        ((rc <= 128)) && break
        # wait was interrupted by a trapped signal, or the run died of one.
        if ! kill -0 "$simpid" 2>/dev/null; then
            wait "$simpid" 2>/dev/null && rc=0 || { local r=$?; [[ $r -ne 127 ]] && rc=$r; }
            break
        fi
    done
    trap - TERM INT USR1

    # Told to stop before it had set up its signal handlers: it died of the
    # SIGTERM, having written nothing. The same as a stop: run it again.
    ((stopping && rc == 128 + 15)) && rc=75
    local status
    if [[ $rc -eq 0 && -f "$dir/$out" ]]; then
        status="done"
    elif [[ $rc -eq 75 ]]; then
        status=requeued
    else
        status=failed
        [[ $rc -eq 0 ]] && rc=1 # exit 0 without the file cannot happen; be safe
    fi
    manifest_set "$dir" "$id" "$status" "$rc" "" "" "" || true
    msg="== $(date '+%Y-%m-%d %H:%M:%S') row $id: exit $rc ($status)"
    if [[ "$log" == "-" ]]; then echo "$msg"; else echo "$msg" >>"$log" || true; fi
    return "$rc"
}

# Options of the internal entry points.
parse_exec_opts() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --bin) BIN_DIR="$2"; shift 2 ;;
            --threads) THREADS="$2"; shift 2 ;;
            --checkpoint-every) CKPT_EVERY="$2"; shift 2 ;;
            *) die "internal: unknown option $1" ;;
        esac
    done
}

# The body of one Slurm array task (DIR/sweep.sbatch execs this).
slurm_task() {
    local dir="$1" row task job
    shift
    parse_exec_opts "$@"
    task="${SLURM_ARRAY_TASK_ID:?not in a Slurm array task}"
    job="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-}}"
    row="$task"
    if [[ -f "$dir/slurm-tasks.txt" ]]; then # array index -> row id, when ids exceed MaxArraySize
        row="$(awk -v t="$task" '$1 == t { print $2 }' "$dir/slurm-tasks.txt")"
        [[ -n "$row" ]] || die "$dir/slurm-tasks.txt has no array task $task"
    fi
    local rc=0
    run_row "$dir" "$row" "$job" "$task" - || rc=$?
    if [[ $rc -eq 75 && "$STOP_SIGNAL" != USR1 ]]; then
        # SIGTERM: scancel (the user wants the task gone), the time limit
        # itself (too late to requeue) or a preemption (Slurm requeues by
        # itself if so configured). The row stays requeued: re-running the
        # sweep resumes it.
        echo "== stopped by SIG${STOP_SIGNAL:-TERM}, not by the time-limit signal: not requeueing (re-run the sweep to resume)"
    elif [[ $rc -eq 75 ]]; then
        local n="${SLURM_RESTART_COUNT:-0}" max="$MAX_REQUEUES"
        # Without checkpoints a requeued run starts over and meets the same
        # time limit again: give up sooner.
        sim_supports_checkpoints || max=3
        if ((n >= max)); then
            note "row $row stopped by a signal $((n + 1)) times: not requeueing again"
            manifest_set "$dir" "$row" failed 75 "" "" ""
            exit 75
        fi
        # Back into the queue: the next start finds the checkpoint and resumes.
        echo "== requeueing job ${SLURM_JOB_ID} (array task ${job}_${task}, restart $((n + 1)))"
        scontrol requeue "$SLURM_JOB_ID" || note "scontrol requeue $SLURM_JOB_ID failed"
    fi
    exit "$rc"
}

# ---- the sweep -----------------------------------------------------------------

# expand_seeds SPEC: one seed a line, or fail.
expand_seeds() {
    local part a b s
    [[ "$1" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || return 1
    IFS=',' read -ra parts <<<"$1"
    for part in "${parts[@]}"; do
        if [[ "$part" =~ ^([0-9]+)-([0-9]+)$ ]]; then
            a=$((10#${BASH_REMATCH[1]}))
            b=$((10#${BASH_REMATCH[2]}))
            ((a <= b && b - a < 100000)) || return 1
            for ((s = a; s <= b; s++)); do echo "$s"; done
        elif [[ "$part" =~ ^[0-9]+$ ]]; then
            echo "$((10#$part))"
        else
            return 1
        fi
    done
}

# slurm_time_seconds T: a Slurm time limit (MINUTES, MINUTES:SECONDS,
# HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS)
# in seconds; fails for anything else.
slurm_time_seconds() {
    local t="$1" d=0
    if [[ "$t" =~ ^([0-9]+)-(.*)$ ]]; then
        d=$((10#${BASH_REMATCH[1]}))
        t="${BASH_REMATCH[2]}"
        if [[ "$t" =~ ^([0-9]+)$ ]]; then echo $((d * 86400 + 10#$t * 3600)); return 0; fi
        if [[ "$t" =~ ^([0-9]+):([0-9]+)$ ]]; then echo $((d * 86400 + 10#${BASH_REMATCH[1]} * 3600 + 10#${BASH_REMATCH[2]} * 60)); return 0; fi
        if [[ "$t" =~ ^([0-9]+):([0-9]+):([0-9]+)$ ]]; then echo $((d * 86400 + 10#${BASH_REMATCH[1]} * 3600 + 10#${BASH_REMATCH[2]} * 60 + 10#${BASH_REMATCH[3]})); return 0; fi
        return 1
    fi
    if [[ "$t" =~ ^([0-9]+)$ ]]; then echo $((10#$t * 60)); return 0; fi
    if [[ "$t" =~ ^([0-9]+):([0-9]+)$ ]]; then echo $((10#${BASH_REMATCH[1]} * 60 + 10#${BASH_REMATCH[2]})); return 0; fi
    if [[ "$t" =~ ^([0-9]+):([0-9]+):([0-9]+)$ ]]; then echo $((10#${BASH_REMATCH[1]} * 3600 + 10#${BASH_REMATCH[2]} * 60 + 10#${BASH_REMATCH[3]})); return 0; fi
    return 1
}

# Compress sorted integers into a Slurm array spec: 0-3,5,7-9.
array_spec() {
    awk 'NR == 1 { a = b = $1; next }
         $1 == b + 1 { b = $1; next }
         { s = s (s ? "," : "") (a == b ? a : a "-" b); a = b = $1 }
         END { if (NR) print s (s ? "," : "") (a == b ? a : a "-" b) }'
}

main() {
    local scenarios=() seeds_spec="" grids=() sets=() workers="" months=""
    local name="" out="" root="" jobs="" slurm=0 partition="" timelimit="" dry=0
    local nowait=0 wait_timeout="" signal_before=120 jobs_given=0
    THREADS=""
    CKPT_EVERY=12
    need_val() { [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value"; }
    while [[ $# -gt 0 ]]; do
        case "$1" in
            -h | --help) usage; exit 0 ;;
            --scenario) need_val "$@"; scenarios+=("$2"); shift 2 ;;
            --seeds) need_val "$@"; seeds_spec="$2"; shift 2 ;;
            --grid) need_val "$@"; grids+=("$2"); shift 2 ;;
            --set) need_val "$@"; sets+=("$2"); shift 2 ;;
            --workers) need_val "$@"; workers="$2"; shift 2 ;;
            --months) need_val "$@"; months="$2"; shift 2 ;;
            --name) need_val "$@"; name="$2"; shift 2 ;;
            --out) need_val "$@"; out="$2"; shift 2 ;;
            --root) need_val "$@"; root="$2"; shift 2 ;;
            --jobs) need_val "$@"; jobs="$2"; jobs_given=1; shift 2 ;;
            --threads) need_val "$@"; THREADS="$2"; shift 2 ;;
            --checkpoint-every) need_val "$@"; CKPT_EVERY="$2"; shift 2 ;;
            --slurm) slurm=1; shift ;;
            --partition) need_val "$@"; partition="$2"; shift 2 ;;
            --time) need_val "$@"; timelimit="$2"; shift 2 ;;
            --signal-before) need_val "$@"; signal_before="$2"; shift 2 ;;
            --no-wait) nowait=1; shift ;;
            --wait-timeout) need_val "$@"; wait_timeout="$2"; shift 2 ;;
            --dry-run) dry=1; shift ;;
            --bin) need_val "$@"; BIN_DIR="$2"; shift 2 ;;
            *) usage_error "unknown option or missing value: $1" ;;
        esac
    done

    # ---- check the options
    [[ ${#scenarios[@]} -gt 0 ]] || usage_error "no --scenario given"
    [[ -z "$workers" ]] || is_count "$workers" || usage_error "--workers $workers: expected a positive integer"
    [[ -z "$months" ]] || is_count "$months" || usage_error "--months $months: expected a positive integer"
    [[ -z "$jobs" ]] || is_count "$jobs" || usage_error "--jobs $jobs: expected a positive integer"
    [[ -z "$THREADS" ]] || is_count "$THREADS" || usage_error "--threads $THREADS: expected a positive integer"
    is_count "$CKPT_EVERY" || usage_error "--checkpoint-every $CKPT_EVERY: expected a positive integer"
    is_count "$signal_before" || usage_error "--signal-before $signal_before: expected a positive integer (seconds)"
    [[ -z "$wait_timeout" ]] || is_count "$wait_timeout" || usage_error "--wait-timeout $wait_timeout: expected a positive integer (seconds)"
    [[ -z "$name" || "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || usage_error "--name $name: use letters, digits and . _ + - only"
    if [[ $slurm -eq 0 ]]; then
        [[ -z "$partition" && -z "$timelimit" && $nowait -eq 0 && -z "$wait_timeout" ]] ||
            usage_error "--partition, --time, --no-wait and --wait-timeout need --slurm"
    fi
    if [[ -n "$timelimit" ]]; then
        local tl
        tl="$(slurm_time_seconds "$timelimit")" || usage_error "--time $timelimit: expected a Slurm time (MINUTES, MM:SS, HH:MM:SS, D-HH or D-HH:MM:SS)"
        ((tl > signal_before + 60)) ||
            usage_error "--time $timelimit is too short for --signal-before $signal_before: runs would be stopped right after starting (Slurm may signal up to 60 s early)"
    fi
    [[ -n "$jobs" ]] || jobs=1
    if [[ -z "$THREADS" ]] && ((jobs > 1 || slurm)); then THREADS=1; fi

    BIN_DIR="$(cd "$BIN_DIR" 2>/dev/null && pwd)" || usage_error "--bin: no such folder"
    [[ -x "$BIN_DIR/incubator-sim" ]] || die "$BIN_DIR/incubator-sim not found (build first: ./run.sh sweep builds it)"

    local seeds=()
    if [[ -z "$seeds_spec" ]]; then
        seeds=(1)
    else
        local seedlist
        seedlist="$(expand_seeds "$seeds_spec")" ||
            usage_error "--seeds $seeds_spec: expected numbers and ranges like 1-5 or 1,2,7"
        mapfile -t seeds <<<"$seedlist"
        [[ "$(printf '%s\n' "${seeds[@]}" | sort -n | uniq -d | head -n 1)" == "" ]] ||
            usage_error "--seeds $seeds_spec: a seed appears twice"
    fi

    # Scenarios: NAME -> scenarios/NAME.ini, or a path.
    local snames=() sfiles=() s f n
    for s in "${scenarios[@]}"; do
        if [[ "$s" == */* || "$s" == *.ini ]]; then f="$s"; n="$(basename "$s" .ini)"; else f="$ROOT/scenarios/$s.ini"; n="$s"; fi
        [[ -f "$f" ]] || usage_error "--scenario $s: no file $f"
        [[ "$n" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || usage_error "--scenario $s: the name $n has characters a file name should not have"
        for x in "${snames[@]}"; do [[ "$x" != "$n" ]] || usage_error "--scenario $n given twice"; done
        snames+=("$n")
        sfiles+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
    done

    # Keys: must be scenario keys (incubator-sim --list-params), each once.
    local known keys=() kv k v
    known="$("$BIN_DIR/incubator-sim" --list-params 2>/dev/null | sed -n 's/^| \([a-z0-9_]*\.[a-z0-9_.]*\) |.*/\1/p')"
    check_key() {
        local k="$1" what="$2" x
        [[ "$k" =~ ^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$ ]] || usage_error "$what: expected SECTION.KEY=VALUE"
        if [[ -n "$known" ]] && ! grep -qxF "$k" <<<"$known"; then
            usage_error "$what: $k is not a scenario key (incubator-sim --list-params lists them)"
        fi
        [[ "$k" != run.seed ]] || usage_error "$what: use --seeds for the seeds"
        [[ "$k" != run.months || -z "$months" ]] || usage_error "$what: --months is given too"
        for x in "${keys[@]}"; do [[ "$x" != "$k" ]] || usage_error "$what: $k is set twice"; done
        keys+=("$k")
    }
    for kv in "${sets[@]}"; do
        [[ "$kv" == *=* ]] || usage_error "--set $kv: expected KEY=VALUE"
        k="${kv%%=*}" v="${kv#*=}"
        check_key "$k" "--set $kv"
        [[ -n "$v" && ! "$v" =~ [[:space:]\;] ]] || usage_error "--set $kv: the value must be non-empty, without spaces or ;"
    done
    local gkeys=() gvals=()
    for kv in "${grids[@]}"; do
        [[ "$kv" == *=* ]] || usage_error "--grid $kv: expected KEY=V1,V2,..."
        k="${kv%%=*}" v="${kv#*=}"
        check_key "$k" "--grid $kv"
        [[ -n "$v" && ! "$v" =~ [[:space:]\;] && ! "$v" =~ (^,|,,|,$) ]] ||
            usage_error "--grid $kv: expected non-empty values separated by commas, without spaces or ;"
        [[ -z "$(tr ',' '\n' <<<"$v" | sort | uniq -d)" ]] || usage_error "--grid $kv: a value appears twice"
        gkeys+=("$k")
        gvals+=("$v")
    done

    # ---- the rows: scenario (slowest), grid point, seed (fastest)
    local combos=("") c new i
    for ((i = 0; i < ${#gkeys[@]}; i++)); do
        new=()
        IFS=',' read -ra vs <<<"${gvals[$i]}"
        for c in "${combos[@]}"; do
            for v in "${vs[@]}"; do new+=("${c:+$c;}${gkeys[$i]}=$v"); done
        done
        combos=("${new[@]}")
    done
    local fixed=""
    for kv in "${sets[@]}"; do fixed="${fixed:+$fixed;}$kv"; done
    # Every scenario at every grid point: its dated policies within the run.
    for ((i = 0; i < ${#snames[@]}; i++)); do
        for c in "${combos[@]}"; do
            check_schedule "${snames[$i]}" "${sfiles[$i]}" "${fixed:+$fixed;}$c" "$months"
        done
    done
    local nrows=$((${#snames[@]} * ${#combos[@]} * ${#seeds[@]}))
    local width=4
    ((${#nrows} > width)) && width=${#nrows}

    # ---- the sweep's identity: what defines its runs (not how they run)
    local spec
    spec="$(
        for ((i = 0; i < ${#snames[@]}; i++)); do
            if [[ "${sfiles[$i]}" == "$ROOT/scenarios/${snames[$i]}.ini" ]]; then
                echo "scenario=${snames[$i]}"
            else
                echo "scenario=${snames[$i]} ${sfiles[$i]}"
            fi
        done
        echo "seeds=${seeds[*]}"
        for kv in "${grids[@]}"; do echo "grid=$kv"; done
        for kv in "${sets[@]}"; do echo "set=$kv"; done
        echo "workers=$workers"
        echo "months=$months"
    )"
    local hash
    hash="$(sha256sum <<<"$spec" | cut -c1-8)"
    if [[ -z "$name" ]]; then
        if ((${#snames[@]} <= 3)); then
            name="$(IFS=+; echo "${snames[*]}")"
        else
            name="${snames[0]}+$((${#snames[@]} - 1))more"
        fi
        name="$name-$hash"
    fi
    [[ -n "$root" ]] || root="$ROOT/results/sweeps"
    [[ -n "$out" ]] || out="$root/$name"
    mkdir -p "$out/logs" || die "cannot create $out"
    local dir
    dir="$(cd "$out" && pwd)"

    # One driver per sweep folder at a time (the runs it started hold the lock
    # too, so a killed driver's runs still count as running).
    exec 8>"$dir/sweep.lock"
    flock -n 8 || die "another ./run.sh sweep is running in $dir"

    if [[ -f "$dir/sweep.conf" ]]; then
        local oldhash
        oldhash="$(conf_get "$dir" hash)"
        if [[ "$oldhash" != "$hash" ]]; then
            {
                echo "sweep: $dir holds another sweep (options differ); its results are left alone."
                echo "sweep: choose another --out or --name. The difference (< that sweep, > this one):"
                diff <(grep -E '^(scenario|seeds|grid|set|workers|months)=' "$dir/sweep.conf") <(echo "$spec") | grep '^[<>]' | sed 's/^/  /'
            } >&2
            exit 1
        fi
    fi
    {
        echo "# incubator sweep $name: the options that define its runs; do not edit"
        echo "$spec"
        echo "name=$name"
        echo "hash=$hash"
        for ((i = 0; i < ${#snames[@]}; i++)); do echo "file.${snames[$i]}=${sfiles[$i]}"; done
    } >"$dir/.sweep.conf.tmp" && commit "$dir/.sweep.conf.tmp" "$dir/sweep.conf" ||
        die "cannot write $dir/sweep.conf (disk full?)"

    # ---- write (or refresh) the manifest: every row's status from its files
    local active=""
    if [[ -f "$dir/manifest.tsv" ]] && awk -F'\t' 'NR > 1 && $8 != "-" { f = 1 } END { exit !f }' "$dir/manifest.tsv"; then
        active="$(slurm_active)"
    fi
    (
        flock 9
        local old="$dir/manifest.tsv" tmp id=0 seed ovr outname sc g
        declare -A prev=()
        if [[ -f "$old" ]]; then
            while IFS= read -r line; do
                prev["${line%%$'\t'*}"]="$line"
            done < <(tail -n +2 "$old")
        fi
        tmp="$(mktemp "$dir/.manifest.XXXXXX")" || exit 1
        {
            echo "$HEADER"
            for ((si = 0; si < ${#snames[@]}; si++)); do
                sc="${snames[$si]}"
                for ((g = 0; g < ${#combos[@]}; g++)); do
                    ovr="$fixed"
                    [[ -n "${combos[$g]}" ]] && ovr="${ovr:+$ovr;}${combos[$g]}"
                    [[ -n "$ovr" ]] || ovr="-"
                    for seed in "${seeds[@]}"; do
                        outname="$(printf "r%0${width}d_%s_s%s" "$id" "$sc" "$seed")"
                        ((${#combos[@]} > 1)) && outname="${outname}_g$g"
                        outname="$outname.h5"
                        local st=pending rc=- job=- task=- lg=- p="${prev[$id]:-}"
                        if [[ -n "$p" ]]; then
                            local f1 f2 f3 f4 f5 f6 f7 f8 f9 f10
                            IFS=$'\t' read -r f1 f2 f3 f4 f5 f6 f7 f8 f9 f10 <<<"$p"
                            if [[ "$f5" == "$outname" ]]; then
                                st="$f6" rc="$f7" job="$f8" task="$f9" lg="$f10"
                            fi
                        fi
                        local nst
                        nst="$(derive_status "$dir" "$outname" "$st" "$job" "$task" "$active")"
                        [[ "$nst" == "done" && "$st" != "done" ]] && rc=0
                    if [[ "$nst" == pending ]] && ! grep -qxF -- "${job}_${task}" <<<"$active"; then
                        # Not queued anywhere (the output was deleted, or a dry run):
                        # "pending" with a job id would mean "queued in that job".
                        rc=- job=- task=- lg=-
                    fi
                        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
                            "$id" "$sc" "$seed" "$ovr" "$outname" "$nst" "$rc" "$job" "$task" "$lg"
                        id=$((id + 1))
                    done
                done
            done
        } >"$tmp" && commit "$tmp" "$old" || { rm -f "$tmp"; exit 1; }
    ) 9>"$dir/manifest.lock" || die "cannot write $dir/manifest.tsv (disk full?)"

    # Rows to run: not done, not running or queued elsewhere.
    local todo=()
    mapfile -t todo < <(awk -F'\t' 'NR > 1 && $6 != "done" && $6 != "running" && !($6 == "pending" && $8 != "-") { print $1 }' "$dir/manifest.tsv")
    local busy
    busy="$(awk -F'\t' 'NR > 1 && ($6 == "running" || ($6 == "pending" && $8 != "-"))' "$dir/manifest.tsv" | wc -l)"
    local ndone
    ndone="$(awk -F'\t' 'NR > 1 && $6 == "done"' "$dir/manifest.tsv" | wc -l)"
    note "$name: $nrows runs in $dir: $ndone done, $busy running or queued elsewhere, ${#todo[@]} to run"

    if [[ $dry -eq 1 ]]; then
        local id
        for id in "${todo[@]}"; do
            IFS=$'\t' read -r _ s seed ovr outname st _ <<<"$(manifest_row "$dir" "$id")"
            echo "would run row $id ($st): $s seed $seed ${ovr/#-/no overrides} -> $dir/$outname"
        done
        if [[ $slurm -eq 1 && ${#todo[@]} -gt 0 ]]; then
            write_sbatch "$dir" "$name" "$jobs_given" "$jobs" "$partition" "$timelimit" "$signal_before" "${todo[@]}"
            echo "would submit: sbatch $dir/sweep.sbatch"
        fi
        echo "manifest: $dir/manifest.tsv (dry run: nothing was run)"
        exit 0
    fi

    local rc=0
    if [[ ${#todo[@]} -gt 0 ]]; then
        if [[ $slurm -eq 1 ]]; then
            run_slurm "$dir" "$name" "$jobs_given" "$jobs" "$partition" "$timelimit" "$signal_before" "$nowait" "$wait_timeout" "${todo[@]}" || rc=$?
            if [[ $nowait -eq 1 && $rc -eq 0 ]]; then
                echo "submitted; re-run the same command to update $dir/manifest.tsv and print the summary"
                exit 0
            fi
        else
            run_local "$dir" "$jobs" "${todo[@]}" || rc=$?
        fi
    elif ((busy > 0)); then
        note "nothing to start: $busy runs are still running or queued (re-run later to see them finish)"
    fi
    local fin=0
    finish "$dir" "$name" || fin=$?
    ((rc != 0)) && return "$rc"
    return "$fin"
}

# run_local DIR JOBS ID...: run the rows, JOBS at a time.
run_local() {
    local dir="$1" jobs="$2" id stop=0
    shift 2
    sim_supports_checkpoints || true # once, for all runs
    note "running $# runs locally, $jobs at a time${THREADS:+, $THREADS threads each}; logs in $dir/logs/"
    # On SIGINT/SIGTERM: start nothing new; tell the running ones to stop
    # (they checkpoint if they can and are recorded as requeued).
    trap 'stop=1; for p in $(jobs -rp); do kill -TERM "$p" 2>/dev/null || true; done' INT TERM
    for id in "$@"; do
        while (($(jobs -rp | wc -l) >= jobs)); do wait -n 2>/dev/null || true; done
        ((stop)) && break
        run_row "$dir" "$id" - - "$dir/logs/$id.log" >/dev/null 2>>"$dir/logs/$id.log" &
    done
    while (($(jobs -rp | wc -l) > 0)); do wait -n 2>/dev/null || true; done
    wait 2>/dev/null || true
    trap - INT TERM
    ((stop)) && { note "stopped by a signal; re-run the same command to finish"; return 130; }
    return 0
}

# write_sbatch DIR NAME JOBS_GIVEN JOBS PARTITION TIME SIGNAL_BEFORE ID...
write_sbatch() {
    local dir="$1" name="$2" jobs_given="$3" jobs="$4" partition="$5" timelimit="$6" sigb="$7"
    shift 7
    local maxarr spec
    maxarr="$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" { print $3 }')"
    [[ "$maxarr" =~ ^[0-9]+$ ]] || maxarr=1001
    local last="${*: -1}"
    rm -f "$dir/slurm-tasks.txt"
    if ((last < maxarr)); then
        # Array task = row id: output names, logs and manifest rows line up.
        spec="$(printf '%s\n' "$@" | array_spec)"
    else
        local i=0 id
        for id in "$@"; do echo "$i $id"; i=$((i + 1)); done >"$dir/slurm-tasks.txt"
        spec="0-$(($# - 1))"
    fi
    ((jobs_given)) && spec="$spec%$jobs"
    local exec_line
    exec_line="exec $(printf '%q ' "$SELF" slurm-task "$dir" --bin "$BIN_DIR" --checkpoint-every "$CKPT_EVERY")"
    [[ -n "$THREADS" ]] && exec_line="$exec_line--threads $THREADS"
    {
        echo "#!/bin/bash"
        echo "# incubator sweep $name: one array task per manifest row (written by tools/sweep.sh)"
        echo "#SBATCH --job-name=sweep-$name"
        echo "#SBATCH --array=$spec"
        echo "#SBATCH --output=$dir/logs/%A_%a.log"
        echo "#SBATCH --open-mode=append"
        echo "#SBATCH --chdir=$dir"
        echo "#SBATCH --ntasks=1"
        echo "#SBATCH --cpus-per-task=${THREADS:-1}"
        echo "#SBATCH --requeue"
        echo "# USR1 to this script $sigb s before the time limit: the run checkpoints,"
        echo "# exits 75, and the task requeues itself."
        echo "#SBATCH --signal=B:USR1@$sigb"
        [[ -n "$timelimit" ]] && echo "#SBATCH --time=$timelimit"
        [[ -n "$partition" ]] && echo "#SBATCH --partition=$partition"
        echo "$exec_line"
    } >"$dir/.sweep.sbatch.tmp" && commit "$dir/.sweep.sbatch.tmp" "$dir/sweep.sbatch" ||
        die "cannot write $dir/sweep.sbatch (disk full?)"
}

# run_slurm DIR NAME JOBS_GIVEN JOBS PARTITION TIME SIGB NOWAIT TIMEOUT ID...
run_slurm() {
    local dir="$1" name="$2" jobs_given="$3" jobs="$4" partition="$5" timelimit="$6" sigb="$7" nowait="$8" timeout="$9"
    shift 9
    command -v sbatch >/dev/null 2>&1 || die "--slurm: sbatch not found (is this a Slurm login node? tools/slurm-local.sh start sets up a local one)"
    write_sbatch "$dir" "$name" "$jobs_given" "$jobs" "$partition" "$timelimit" "$sigb" "$@"
    # Submitted on hold, so that the manifest names the job before any task
    # can start and write its own state; then released.
    local out jobid
    out="$(sbatch --parsable --hold "$dir/sweep.sbatch" 2>&1)" || die "sbatch $dir/sweep.sbatch failed: $out"
    jobid="${out%%;*}"
    [[ "$jobid" =~ ^[0-9]+$ ]] || die "sbatch said: $out"
    local id i=0 task map=""
    for id in "$@"; do
        task="$id"
        [[ -f "$dir/slurm-tasks.txt" ]] && task="$i"
        map+="$id $task"$'\n'
        i=$((i + 1))
    done
    (
        flock 9
        local tmp
        tmp="$(mktemp "$dir/.manifest.XXXXXX")" || exit 1
        awk -F'\t' -v OFS='\t' -v jb="$jobid" '
            NR == FNR { if (split($0, f, " ") == 2) task[f[1]] = f[2]; next }
            FNR > 1 && ($1 in task) { $6 = "pending"; $7 = "-"; $8 = jb; $9 = task[$1]; $10 = "logs/" jb "_" task[$1] ".log" }
            { print }' <(printf '%s' "$map") "$dir/manifest.tsv" >"$tmp" && commit "$tmp" "$dir/manifest.tsv"
    ) 9>"$dir/manifest.lock" || { scancel "$jobid" 2>/dev/null; die "cannot update $dir/manifest.tsv (disk full?); job $jobid cancelled"; }
    if ! out="$(scontrol release "$jobid" 2>&1)"; then
        scancel "$jobid" 2>/dev/null || true
        die "scontrol release $jobid failed (job cancelled): $out"
    fi
    note "submitted job array $jobid ($# tasks): $dir/sweep.sbatch"
    ((nowait)) && return 0

    # Wait until no task of the array is in the queue (requeued tasks are).
    local t0=$SECONDS last="" now fails=0 q
    while :; do
        if q="$(squeue -h -r -j "$jobid" -o '%K %T' 2>&1)"; then
            fails=0
            [[ -z "$q" ]] && break
        elif grep -qi 'invalid job id' <<<"$q"; then
            break # already purged from the controller: finished
        else
            fails=$((fails + 1))
            ((fails < 30)) || die "squeue keeps failing: $q"
        fi
        now="$(counts "$dir")"
        [[ "$now" != "$last" ]] && note "job $jobid: $now"
        last="$now"
        if [[ -n "$timeout" ]] && ((SECONDS - t0 > timeout)); then
            note "job $jobid still in the queue after ${timeout}s; stopped waiting (it goes on; re-run the command later)"
            return 1
        fi
        sleep 2
    done
    # Rows the job did not report on (killed hard, node failure): from the files.
    local active
    active="$(slurm_active)"
    (
        flock 9
        local tmp line
        tmp="$(mktemp "$dir/.manifest.XXXXXX")" || exit 1
        {
            head -n 1 "$dir/manifest.tsv"
            tail -n +2 "$dir/manifest.tsv" | while IFS=$'\t' read -r f1 f2 f3 f4 f5 f6 f7 f8 f9 f10; do
                if [[ "$f8" == "$jobid" && ("$f6" == pending || "$f6" == running) ]]; then
                    f6="$(derive_status "$dir" "$f5" "$f6" "$f8" "$f9" "$active")"
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f1" "$f2" "$f3" "$f4" "$f5" "$f6" "$f7" "$f8" "$f9" "$f10"
            done
        } >"$tmp" && commit "$tmp" "$dir/manifest.tsv" || { rm -f "$tmp"; exit 1; }
    ) 9>"$dir/manifest.lock" || note "cannot update $dir/manifest.tsv (disk full?)"
    note "job $jobid finished: $(counts "$dir")"
    return 0
}

# counts DIR: "N done, N failed, N pending, ..." from the manifest.
counts() {
    awk -F'\t' 'NR > 1 { n[$6]++; t++ }
        END { printf "%d done, %d failed, %d pending", n["done"], n["failed"], n["pending"];
              if (n["running"]) printf ", %d running", n["running"];
              if (n["requeued"]) printf ", %d requeued", n["requeued"];
              printf " (of %d runs)\n", t }' "$1/manifest.tsv"
}

# finish DIR NAME: the summary of the done outputs, the counts; 0 if all done.
finish() {
    local dir="$1" name="$2" files=() points=() p
    # The summary groups files by scenario and treats them as seeds, so each
    # grid point (each distinct set of overrides) gets a summary of its own.
    mapfile -t points < <(awk -F'\t' 'NR > 1 && $6 == "done" && !seen[$4]++ { print $4 }' "$dir/manifest.tsv")
    if [[ ${#points[@]} -gt 0 && ! -x "$BIN_DIR/incubator-analyze" ]]; then
        note "no $BIN_DIR/incubator-analyze: no summary printed (outputs in $dir)"
    elif [[ ${#points[@]} -gt 0 ]]; then
        for p in "${points[@]}"; do
            mapfile -t files < <(awk -F'\t' -v p="$p" 'NR > 1 && $6 == "done" && $4 == p { print $5 }' "$dir/manifest.tsv")
            if [[ "$p" == "-" ]]; then
                echo "== incubator-analyze summary of ${#files[@]} outputs"
            else
                echo "== incubator-analyze summary of ${#files[@]} outputs with $p"
            fi
            (cd "$dir" && "$BIN_DIR/incubator-analyze" summary "${files[@]}") ||
                note "incubator-analyze summary failed (exit $?); the outputs are in $dir"
        done
    fi
    local failed
    failed="$(awk -F'\t' 'NR > 1 && $6 == "failed" { printf "%s%s (exit %s, %s)", (n++ ? ", " : ""), $1, $7, ($10 == "-" ? "no log" : $10) }' "$dir/manifest.tsv")"
    [[ -n "$failed" ]] && note "failed rows: $failed"
    echo "sweep $name: $(counts "$dir")"
    echo "manifest: $dir/manifest.tsv"
    awk -F'\t' 'NR > 1 && $6 != "done" { exit 1 }' "$dir/manifest.tsv"
}

BIN_DIR="${INCUBATOR_BIN_DIR:-$ROOT/build/bin}"
THREADS=""
CKPT_EVERY=12
case "${1:-}" in
    run-row)
        [[ $# -ge 3 ]] || die "usage: $0 run-row DIR ID [--bin DIR] [--threads N] [--checkpoint-every M]"
        d="$2" r="$3"
        shift 3
        parse_exec_opts "$@"
        run_row "$d" "$r" - - "$d/logs/$r.log"
        ;;
    slurm-task)
        [[ $# -ge 2 ]] || die "usage: $0 slurm-task DIR [options]"
        d="$2"
        shift 2
        slurm_task "$d" "$@"
        ;;
    *) main "$@" ;;
esac
