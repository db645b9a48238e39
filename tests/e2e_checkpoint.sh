#!/usr/bin/env bash
# e2e_checkpoint.sh BIN_DIR - runs survive schedulers (issue: batch runs):
#  1. SIGTERM right after the checkpoint of month 12 is published: exit 75, a
#     new checkpoint, no .h5; resuming gives datasets identical to an
#     uninterrupted run's;
#  2. SIGKILL right after the checkpoint of month 6 is published: the last checkpoint and an
#     earlier complete output are intact, and resuming from it gives the same
#     datasets again;
#  3. a checkpoint of another scenario or seed is refused with a clear error.
set -uo pipefail
bin="${1:?usage: e2e_checkpoint.sh BIN_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sim="$bin/incubator-sim"
scen="$root/scenarios/incubator.ini"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
# Large enough that a month takes tens of milliseconds, small enough for CI.
args=(--workers 400000 --months 72 --quiet)

same() { # same A B: every output dataset equal
    local g
    for g in /time /time_label /national /node /node_sector /migration; do
        h5diff -q "$1" "$2" "$g" "$g" >/dev/null 2>&1 || { echo "  differs in $g"; return 1; }
    done
}

"$sim" "$scen" "${args[@]}" --out "$tmp/full.h5" >/dev/null || notok "uninterrupted run"

# wait_published FILE [OLD_INODE]: wait (up to 60 s) until FILE exists under
# a new name, i.e. a checkpoint was published (written to a temporary name and
# renamed: a new inode each time). Prints the inode; fails on timeout or when
# the run (pid $pid) ended first.
wait_published() {
    local f="$1" old="${2:-}" i
    for _ in $(seq 1 6000); do
        i="$(stat -c %i "$f" 2>/dev/null || true)"
        if [[ -n "$i" && "$i" != "$old" ]]; then
            echo "$i"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}

# 1. SIGTERM at a fixed point: right after the periodic checkpoint of month 12
#    is published (60 of the 72 months still to run, so the run cannot have
#    finished first); the signal makes the run write a newer checkpoint.
"$sim" "$scen" "${args[@]}" --out "$tmp/a.h5" --checkpoint "$tmp/a.ckpt.h5" --checkpoint-every 12 >/dev/null 2>"$tmp/a.err" &
pid=$!
ino="$(wait_published "$tmp/a.ckpt.h5")" || notok "SIGTERM: the checkpoint of month 12 never appeared"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [[ $rc -eq 75 ]]; then
    [[ -f "$tmp/a.ckpt.h5" && "$(stat -c %i "$tmp/a.ckpt.h5")" != "$ino" && ! -e "$tmp/a.h5" && ! -e "$tmp/a.h5.partial" ]] &&
        ok "SIGTERM after the checkpoint of month 12: exit 75, a new checkpoint written, no output file ($(tail -1 "$tmp/a.err" | cut -c1-90))" ||
        notok "SIGTERM: exit 75 but files wrong: $(ls "$tmp")"
    "$sim" "$scen" "${args[@]}" --out "$tmp/a.h5" --resume "$tmp/a.ckpt.h5" --checkpoint "$tmp/a.ckpt.h5" >/dev/null &&
        same "$tmp/full.h5" "$tmp/a.h5" && ok "resumed after SIGTERM: every dataset equals the uninterrupted run's" ||
        notok "resumed after SIGTERM: output differs or the resume failed"
    [[ ! -e "$tmp/a.ckpt.h5" ]] && ok "checkpoint removed once the run completed" || notok "checkpoint left after completion"
elif [[ $rc -eq 0 ]]; then
    notok "SIGTERM after the checkpoint of month 12: the run had finished (exit 0)"
else
    notok "SIGTERM: exit $rc, expected 75: $(tail -2 "$tmp/a.err")"
fi

# 2. SIGKILL with periodic checkpoints; an earlier output in the folder.
cp "$tmp/full.h5" "$tmp/earlier.h5"
sum_before=$(md5sum "$tmp/earlier.h5" | cut -d' ' -f1)
"$sim" "$scen" "${args[@]}" --out "$tmp/b.h5" --checkpoint-every 3 --checkpoint "$tmp/b.ckpt.h5" >/dev/null 2>&1 &
pid=$!
# SIGKILL right after the second checkpoint (month 6) is published.
ino="$(wait_published "$tmp/b.ckpt.h5")" && wait_published "$tmp/b.ckpt.h5" "$ino" >/dev/null ||
    notok "SIGKILL: two checkpoints were not published"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [[ -f "$tmp/b.ckpt.h5" && ! -e "$tmp/b.h5" ]]; then
    ok "SIGKILL: the last checkpoint is there and no .h5 claims to be complete"
    [[ "$(md5sum "$tmp/earlier.h5" | cut -d' ' -f1)" == "$sum_before" ]] && ok "SIGKILL: an earlier output is untouched" ||
        notok "SIGKILL: an earlier output changed"
    "$sim" "$scen" "${args[@]}" --out "$tmp/b.h5" --resume "$tmp/b.ckpt.h5" --checkpoint "$tmp/b.ckpt.h5" >/dev/null 2>"$tmp/b.err" &&
        same "$tmp/full.h5" "$tmp/b.h5" && ok "resumed after SIGKILL: every dataset equals the uninterrupted run's" ||
        notok "resumed after SIGKILL: $(tail -1 "$tmp/b.err")"
else
    notok "SIGKILL: no checkpoint ($(ls "$tmp"))"
fi

# 3. A checkpoint of another run is refused.
"$sim" "$scen" "${args[@]}" --months 12 --out "$tmp/c.h5" --checkpoint-every 6 --checkpoint "$tmp/keep.ckpt.h5" >/dev/null 2>&1
"$sim" "$scen" "${args[@]}" --out "$tmp/d.h5" --checkpoint-every 5 --checkpoint "$tmp/d.ckpt.h5" >/dev/null 2>&1 &
pid=$!
wait_published "$tmp/d.ckpt.h5" >/dev/null || notok "no checkpoint of month 5 was published"
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
if [[ -f "$tmp/d.ckpt.h5" ]]; then
    "$sim" "$scen" "${args[@]}" --seed 2 --out "$tmp/e.h5" --resume "$tmp/d.ckpt.h5" >/dev/null 2>"$tmp/e.err"
    rc=$?
    [[ $rc -eq 2 ]] && grep -q "another run" "$tmp/e.err" && [[ ! -e "$tmp/e.h5" ]] &&
        ok "a checkpoint of another seed is refused: $(cut -c1-100 "$tmp/e.err")" || notok "another seed: exit $rc: $(cat "$tmp/e.err")"
    "$sim" "$root/scenarios/baseline.ini" "${args[@]}" --out "$tmp/f.h5" --resume "$tmp/d.ckpt.h5" >/dev/null 2>"$tmp/f.err"
    rc=$?
    [[ $rc -eq 2 ]] && grep -q "another scenario" "$tmp/f.err" && ok "a checkpoint of another scenario is refused" ||
        notok "another scenario: exit $rc: $(cat "$tmp/f.err")"
else
    notok "no checkpoint to test refusals with"
fi
"$sim" "$scen" "${args[@]}" --out "$tmp/g.h5" --resume "$tmp/missing.ckpt.h5" >/dev/null 2>"$tmp/g.err"
rc=$?
[[ $rc -eq 3 ]] && grep -q "missing.ckpt.h5" "$tmp/g.err" && ok "a missing checkpoint is an error naming it" || notok "missing checkpoint: exit $rc"

# 4. Agent snapshots: typed, compressed columns per month, named .h5 only when complete.
"$sim" "$root/scenarios/baseline.ini" --workers 20000 --months 12 --quiet --out "$tmp/s.h5" --snapshot-every 6 >/dev/null 2>&1
if [[ -f "$tmp/s.snap.h5" && ! -e "$tmp/s.snap.h5.partial" ]] &&
    h5ls "$tmp/s.snap.h5/2019-06/workers/savings" >/dev/null 2>&1 &&
    h5ls "$tmp/s.snap.h5/2019-12/firms/ln_a" >/dev/null 2>&1 &&
    [[ "$(h5dump -p -d /2019-12/workers/wage "$tmp/s.snap.h5" 2>/dev/null)" == *DEFLATE* ]]; then
    ok "snapshots: /2019-06 and /2019-12 with worker and firm columns, deflate-compressed"
else
    notok "snapshots missing or incomplete: $(ls "$tmp" | tr '\n' ' ')"
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
