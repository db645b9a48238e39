#!/usr/bin/env bash
# e2e_diskfull.sh BIN_DIR - running out of disk space (docs/output.md "File
# naming and safety"): a clear error naming the file, exit code 3, no .h5 (nor
# .partial or .lock) of the failed run left behind, and the earlier results in
# the same folder untouched; the same inside a sweep, whose manifest records
# the failed row with exit code 3. A checkpoint or snapshot on a full disk is
# an error (exit 3) naming the file and the full disk, and leaves no .tmp or
# .partial; a snapshot that cannot be published is an error too.
#
# The small disk is a tmpfs mounted for the test (needs root and a kernel that
# lets us mount); where mounting is not permitted the test says so and uses a
# file size limit instead (ulimit -f, with SIGXFSZ ignored so that writes fail
# with EFBIG rather than killing the program): the same code path, a write
# that fails.
#
# Sizes adapt to the build: the small disk holds one finished small run (its
# size is measured first) and half as much again, which a long run exceeds.
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits 1 if any case failed.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim)" >&2
    exit 2
fi
BIN="$(cd "$1" && pwd)"
SIM="$BIN/incubator-sim"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE="$ROOT/scenarios/baseline.ini"
SMALL=(--workers 3000 --months 2 --quiet)
BIG=(--workers 3000 --months 120 --quiet)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_diskfull.XXXXXX")"
MOUNTS=()
cleanup() {
    local m
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
skipped=0
CASE=""
PROBLEMS=()
new_case() { CASE="$1"; PROBLEMS=(); }
problem() { PROBLEMS+=("$*"); }
end_case() {
    if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
        echo "ok - $CASE"
        passed=$((passed + 1))
    else
        echo "not ok - $CASE"
        local p
        for p in "${PROBLEMS[@]}"; do echo "#   $p"; done
        failed=$((failed + 1))
    fi
}
complete() { h5dump -a /status "$1" 2>/dev/null | grep -q '"complete"'; }

# The size of a small finished run, in KiB.
"$SIM" "$BASELINE" "${SMALL[@]}" --out "$WORK/probe.h5" >/dev/null 2>"$WORK/probe.err" ||
    { echo "not ok - a small run works: $(cat "$WORK/probe.err")"; echo "0 passed, 1 failed"; exit 1; }
small_kib=$((($(stat -c %s "$WORK/probe.h5") + 1023) / 1024))
LIMIT_KIB=$((small_kib * 3 / 2 + 64)) # one small run and some room, not a long run
rm -f "$WORK/probe.h5"

# small_disk DIR: make DIR a small disk of LIMIT_KIB. Sets LIMIT_MODE to
# "tmpfs" (mounted) or "ulimit" (mount not permitted: limit the file size).
LIMIT_MODE=""
small_disk() {
    mkdir -p "$1"
    if [[ "$(id -u)" -eq 0 ]] && mount -t tmpfs -o "size=${LIMIT_KIB}k" tmpfs "$1" 2>"$WORK/mount.err"; then
        MOUNTS+=("$1")
        LIMIT_MODE=tmpfs
    else
        LIMIT_MODE=ulimit
        [[ -n "$(cat "$WORK/mount.err" 2>/dev/null)" ]] || echo "not root" >"$WORK/mount.err"
    fi
}
note_mode() {
    if [[ "$LIMIT_MODE" == ulimit ]]; then
        echo "# cannot mount a tmpfs here ($(head -n 1 "$WORK/mount.err")): using a file size limit (ulimit -f $LIMIT_KIB) instead"
    else
        echo "# a tmpfs of ${LIMIT_KIB} KiB (a small run takes ${small_kib} KiB)"
    fi
}
# limited CMD...: run CMD, under the file size limit in ulimit mode.
limited() {
    if [[ "$LIMIT_MODE" == ulimit ]]; then
        (trap '' XFSZ; ulimit -f "$LIMIT_KIB"; exec "$@")
    else
        "$@"
    fi
}

# ---- incubator-sim on a full disk ----------------------------------------------------

new_case "incubator-sim on a full disk: exit 3, a message naming the file, no .h5 left, the earlier result untouched"
DISK="$WORK/disk1"
small_disk "$DISK"
note_mode
if ! limited "$SIM" "$BASELINE" "${SMALL[@]}" --out "$DISK/earlier.h5" >/dev/null 2>"$WORK/earlier.err"; then
    problem "the earlier (small) run did not fit: $(cat "$WORK/earlier.err")"
else
    sum="$(md5sum <"$DISK/earlier.h5")"
    (cd "$DISK" && limited "$SIM" "$BASELINE" "${BIG[@]}" --out "$DISK/big.h5" >/dev/null 2>"$WORK/big.err")
    rc=$?
    [[ $rc -eq 3 ]] || problem "exit code $rc, expected 3 (file error)$( ((rc > 128)) && echo ": killed by signal $((rc - 128))")"
    grep -qF "$DISK/big.h5" "$WORK/big.err" || problem "the message does not name $DISK/big.h5"
    grep -qiE 'no space left|file too large|disk|quota' "$WORK/big.err" || problem "the message does not say the disk is full"
    [[ -z "$(find "$DISK" -name 'big.h5*')" ]] || problem "left behind: $(find "$DISK" -name 'big.h5*' | tr '\n' ' ')"
    [[ "$(md5sum <"$DISK/earlier.h5")" == "$sum" ]] || problem "earlier.h5 changed"
    complete "$DISK/earlier.h5" || problem "earlier.h5 is not complete"
    ((${#PROBLEMS[@]} == 0)) || problem "stderr: $(tr '\n' ' ' <"$WORK/big.err")"
fi
end_case

# ---- checkpoints and snapshots on a full disk -------------------------------------------
# The output goes to a roomy folder and the checkpoint (or snapshot) to the
# small disk, which holds one checkpoint but not a second beside it, and not
# a year of snapshots. Only on a tmpfs: a file size limit would stop the
# output first.

# full_disk_case WHAT ARGS...: run a 24-month run with ARGS; the message must
# match the extended regex EXPECTED (set by the caller), exit 3, no .tmp or
# .partial left on the disk, no output published.
full_disk_case() {
    local name="$1"
    shift
    (cd "$DISK" && "$SIM" "$BASELINE" --workers 3000 --months 24 --quiet "$@" --out "$WORK/$name.h5" \
        >/dev/null 2>"$WORK/$name.err")
    local rc=$?
    [[ $rc -eq 3 ]] || problem "exit code $rc, expected 3 (file error)"
    grep -qxE "$EXPECTED" "$WORK/$name.err" || problem "stderr is not the expected message: $(tr '\n' ' ' <"$WORK/$name.err")"
    [[ -z "$(find "$DISK" -name '*.tmp' -o -name '*.partial')" ]] ||
        problem "left behind: $(find "$DISK" -name '*.tmp' -o -name '*.partial' | tr '\n' ' ')"
    [[ ! -e "$WORK/$name.h5" && ! -e "$WORK/$name.h5.partial" ]] || problem "the output of the failed run exists"
}

new_case "a checkpoint on a full disk: exit 3, the message names the file and the full disk, no .tmp left"
DISK="$WORK/disk3"
small_disk "$DISK"
if [[ "$LIMIT_MODE" != tmpfs ]]; then
    echo "ok - # SKIP no tmpfs: a file size limit stops the output before the checkpoint"
    skipped=$((skipped + 1))
else
    EXPECTED="incubator-sim: cannot write checkpoint $DISK/run\\.ckpt\\.h5\\.tmp: No space left on device: the disk holding folder $DISK is full \\([0-9]+ bytes free\\); the previous checkpoint is kept"
    full_disk_case ckpt --checkpoint "$DISK/run.ckpt.h5" --checkpoint-every 1
    end_case
fi

new_case "a snapshot on a full disk: exit 3, the message names the file and the full disk, no .partial left"
DISK="$WORK/disk4"
small_disk "$DISK"
if [[ "$LIMIT_MODE" != tmpfs ]]; then
    echo "ok - # SKIP no tmpfs: a file size limit stops the output before the snapshot"
    skipped=$((skipped + 1))
else
    EXPECTED="incubator-sim: cannot write the 20[0-9]{2}-[0-9]{2} snapshot to $DISK/snap\\.h5\\.partial: No space left on device: the disk holding folder $DISK is full \\([0-9]+ bytes free\\); the damaged snapshot file was removed"
    full_disk_case snap --snapshot "$DISK/snap.h5" --snapshot-every 1
    [[ ! -e "$DISK/snap.h5" ]] || problem "a snapshot file $DISK/snap.h5 was published"
    end_case
fi

new_case "a snapshot that cannot be published (its name is a folder): exit 3, a message naming both names, no .partial left"
mkdir -p "$WORK/pub/snap.h5"
"$SIM" "$BASELINE" "${SMALL[@]}" --snapshot "$WORK/pub/snap.h5" --snapshot-every 1 --out "$WORK/pub/run.h5" \
    >/dev/null 2>"$WORK/pub.err"
rc=$?
[[ $rc -eq 3 ]] || problem "exit code $rc, expected 3 (file error)"
grep -qxF "incubator-sim: cannot rename $WORK/pub/snap.h5.partial to $WORK/pub/snap.h5: Is a directory (folder $WORK/pub); nothing was published" \
    "$WORK/pub.err" || problem "stderr is not the expected message: $(tr '\n' ' ' <"$WORK/pub.err")"
[[ ! -e "$WORK/pub/snap.h5.partial" ]] || problem "left behind: $WORK/pub/snap.h5.partial"
end_case

# ---- a sweep on a full disk ------------------------------------------------------------

new_case "a sweep on a full disk: the row that does not fit is failed with exit 3, no .h5 of it, the done row untouched"
DISK="$WORK/disk2"
small_disk "$DISK"
OUT="$WORK/sweep"
(limited env INCUBATOR_BIN_DIR="$BIN" "$ROOT/run.sh" sweep --scenario baseline --workers 3000 \
    --grid run.months=2,120 --out "$DISK/sw" >"$OUT.stdout" 2>"$OUT.stderr" </dev/null)
rc=$?
[[ $rc -eq 1 ]] || problem "sweep exit code $rc, expected 1 (a row failed)"
M="$DISK/sw/manifest.tsv"
if [[ ! -f "$M" ]]; then
    problem "no manifest"
else
    rows="$(awk -F'\t' 'NR > 1 { print $6 "/" $7 }' "$M" | tr '\n' ' ')"
    [[ "$rows" == "done/0 failed/3 " ]] || problem "status/exit of the rows: $rows (expected done/0 failed/3)"
    out0="$(awk -F'\t' 'NR == 2 { print $5 }' "$M")"
    out1="$(awk -F'\t' 'NR == 3 { print $5 }' "$M")"
    complete "$DISK/sw/$out0" || problem "$out0 is not complete"
    [[ -z "$(find "$DISK" -name "$out1*")" ]] || problem "left behind: $(find "$DISK" -name "$out1*" | tr '\n' ' ')"
    grep -qF "$out1" "$DISK/sw/logs/1.log" || problem "the failed row's log does not name its file: $(grep -v '^==' "$DISK/sw/logs/1.log" | head -n 2)"
    grep -q "failed rows: 1 (exit 3" "$OUT.stderr" || problem "the sweep did not report the failed row"
fi
((${#PROBLEMS[@]} == 0)) || problem "sweep output: $(tail -n 5 "$OUT.stderr" | tr '\n' ' ')"
end_case

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]] || exit 1
# A case that could not run here is a skip, not a pass: ctest reports exit 77
# as "Skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
[[ $skipped -eq 0 ]] || exit 77
