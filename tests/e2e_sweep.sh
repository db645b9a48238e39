#!/usr/bin/env bash
# e2e_sweep.sh BIN_DIR - end-to-end tests of `./run.sh sweep` run locally
# (tools/sweep.sh; docs/sweeps.md): the manifest, parallel runs, resumption
# (re-running runs only what is missing), sweeps that must not overwrite each
# other, grids, --dry-run and usage errors.
#
# Runs ./run.sh sweep with INCUBATOR_BIN_DIR=BIN_DIR, so the sweep uses the
# programs of the build under test and run.sh does not build. All sweeps go to
# a temporary folder (--root or --out), tiny runs (--workers 5000 --months 30).
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits 1 if any case failed.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim)" >&2
    exit 2
fi
BIN="$(cd "$1" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export INCUBATOR_BIN_DIR="$BIN"
TINY=(--workers 5000 --months 30)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_sweep.XXXXXX")"
BGPID=""
cleanup() {
    [[ -n "$BGPID" ]] && kill -TERM "$BGPID" 2>/dev/null && wait "$BGPID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
case_no=0
CASE=""
PROBLEMS=()
OUT="" # stdout and stderr of the last sweep: $OUT.stdout, $OUT.stderr

new_case() {
    CASE="$1"
    case_no=$((case_no + 1))
    OUT="$WORK/case$case_no"
    PROBLEMS=()
}

problem() { PROBLEMS+=("$*"); }

end_case() {
    if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
        echo "ok - $CASE"
        passed=$((passed + 1))
    else
        echo "not ok - $CASE"
        local p
        for p in "${PROBLEMS[@]}"; do echo "#   $p"; done
        if [[ -f "$OUT.stderr" ]]; then
            echo "#   last sweep's exit code $RC; stdout and stderr:"
            cat "$OUT.stdout" "$OUT.stderr" 2>/dev/null | sed 's/^/#     /' | head -30
        fi
        failed=$((failed + 1))
    fi
}

# sweep ARGS...: ./run.sh sweep ARGS; sets RC, output in $OUT.stdout/.stderr.
sweep() {
    "$ROOT/run.sh" sweep "$@" >"$OUT.stdout" 2>"$OUT.stderr" </dev/null
    RC=$?
}

expect_rc() { [[ "$RC" -eq "$1" ]] || problem "exit code $RC, expected $1"; }

# expect_out WORD...: every WORD (fixed string) appears on stdout or stderr.
expect_out() {
    local w
    for w in "$@"; do
        grep -qF -- "$w" "$OUT.stdout" "$OUT.stderr" || problem "output lacks '$w'"
    done
}

# Column N of the manifest's data rows, one a line.
col() { awk -F'\t' -v c="$2" 'NR > 1 { print $c }' "$1/manifest.tsv"; }

# expect_all_done DIR N: the manifest has N rows, all done with exit code 0,
# each output complete; no partial or lock file of an output is left.
expect_all_done() {
    local dir="$1" n="$2" f st
    [[ -f "$dir/manifest.tsv" ]] || { problem "no $dir/manifest.tsv"; return; }
    [[ "$(head -n 1 "$dir/manifest.tsv")" == $'id\tscenario\tseed\toverrides\toutput\tstatus\texit_code\tjob_id\tarray_task\tlog' ]] ||
        problem "manifest header is: $(head -n 1 "$dir/manifest.tsv")"
    [[ "$(col "$dir" 1 | wc -l)" -eq "$n" ]] || problem "manifest has $(col "$dir" 1 | wc -l) rows, expected $n"
    st="$(col "$dir" 6 | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
    [[ "$st" == " $n done;" ]] || problem "statuses: $st (expected $n done)"
    [[ -z "$(col "$dir" 7 | grep -vx 0)" ]] || problem "exit codes: $(col "$dir" 7 | tr '\n' ' ')"
    while read -r f; do
        if [[ ! -f "$dir/$f" ]]; then
            problem "output $f missing"
        elif ! h5dump -a /status "$dir/$f" 2>/dev/null | grep -q '"complete"'; then
            problem "output $f is not complete (h5dump -a /status)"
        fi
    done < <(col "$dir" 5)
    [[ -z "$(find "$dir" -name '*.h5.partial' -o -name '*.h5.lock')" ]] ||
        problem "left behind: $(find "$dir" -name '*.h5.partial' -o -name '*.h5.lock' | tr '\n' ' ')"
}

# fingerprint DIR: checksums of the outputs and line counts of the run logs;
# equal fingerprints = nothing was re-run or rewritten.
fingerprint() {
    (cd "$1" && md5sum -- *.h5 2>/dev/null && wc -l logs/*.log 2>/dev/null && stat -c '%n %Y' -- *.h5 2>/dev/null)
}

# The sweep folders under a --root.
folders() { find "$1" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort; }

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; fails on timeout.
wait_for() {
    local t="$1" i
    shift
    for ((i = 0; i < t * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

ROOT1="$WORK/sweeps"
BASE=(--scenario baseline --scenario incubator --seeds 1-2 "${TINY[@]}")

# ---- a local sweep, and running it again ---------------------------------------

new_case "local sweep: 2 scenarios x 2 seeds, --jobs 2: manifest all done, outputs complete"
sweep "${BASE[@]}" --jobs 2 --root "$ROOT1"
expect_rc 0
S1="$(folders "$ROOT1" | head -n 1)"
[[ "$(folders "$ROOT1" | wc -l)" -eq 1 ]] || problem "expected one sweep folder in $ROOT1: $(folders "$ROOT1" | tr '\n' ' ')"
if [[ -n "$S1" ]]; then
    expect_all_done "$S1" 4
    [[ "$(col "$S1" 2 | tr '\n' ' ')" == "baseline baseline incubator incubator " ]] || problem "scenarios: $(col "$S1" 2 | tr '\n' ' ')"
    [[ "$(col "$S1" 3 | tr '\n' ' ')" == "1 2 1 2 " ]] || problem "seeds: $(col "$S1" 3 | tr '\n' ' ')"
    [[ "$(col "$S1" 5 | sort -u | wc -l)" -eq 4 ]] || problem "output names are not unique"
    for i in 0 1 2 3; do [[ -s "$S1/logs/$i.log" ]] || problem "no log $S1/logs/$i.log"; done
fi
expect_out "4 done, 0 failed, 0 pending" "manifest: $S1/manifest.tsv"
end_case

new_case "running the same sweep again runs nothing"
before="$(fingerprint "$S1")"
sweep "${BASE[@]}" --jobs 2 --root "$ROOT1"
expect_rc 0
expect_out "4 done, 0 failed, 0 pending" "0 to run"
[[ "$(fingerprint "$S1")" == "$before" ]] || problem "outputs or logs changed: $(diff <(echo "$before") <(fingerprint "$S1") | tr '\n' ' ')"
[[ "$(folders "$ROOT1" | wc -l)" -eq 1 ]] || problem "a second folder appeared"
end_case

new_case "a deleted output is run again, and only that row"
victim="$(col "$S1" 5 | sed -n 2p)" # row 1
others_before="$(cd "$S1" && md5sum $(col "$S1" 5 | grep -vx "$victim") && wc -l logs/0.log logs/2.log logs/3.log)"
log1_before="$(grep -c '^== .* row 1 on ' "$S1/logs/1.log")"
rm -f "$S1/$victim"
sweep "${BASE[@]}" --jobs 2 --root "$ROOT1"
expect_rc 0
expect_out "3 done" "1 to run"
expect_all_done "$S1" 4
[[ "$(grep -c '^== .* row 1 on ' "$S1/logs/1.log")" -eq $((log1_before + 1)) ]] || problem "row 1 was not run once more"
[[ "$(cd "$S1" && md5sum $(col "$S1" 5 | grep -vx "$victim") && wc -l logs/0.log logs/2.log logs/3.log)" == "$others_before" ]] ||
    problem "other rows were re-run or rewritten"
end_case

# ---- sweeps side by side ---------------------------------------------------------

new_case "a second sweep with another grid in the same parent folder leaves the first alone"
before="$(fingerprint "$S1")"
manifest_before="$(cat "$S1/manifest.tsv")"
sweep "${BASE[@]}" --grid incentives.grant=0,1e6 --jobs 2 --root "$ROOT1"
expect_rc 0
[[ "$(folders "$ROOT1" | wc -l)" -eq 2 ]] || problem "expected two sweep folders: $(folders "$ROOT1" | tr '\n' ' ')"
S2="$(folders "$ROOT1" | grep -vx "$S1" | head -n 1)"
[[ -n "$S2" ]] && expect_all_done "$S2" 8
[[ "$(fingerprint "$S1")" == "$before" ]] || problem "the first sweep's outputs or logs changed"
[[ "$(cat "$S1/manifest.tsv")" == "$manifest_before" ]] || problem "the first sweep's manifest changed"
end_case

new_case "another sweep into an existing sweep's folder (--out) is refused"
sweep "${BASE[@]}" --seeds 3 --out "$S1"
expect_rc 1
expect_out "holds another sweep" "seeds=3"
[[ "$(fingerprint "$S1")" == "$before" ]] || problem "the first sweep's outputs or logs changed"
[[ "$(cat "$S1/manifest.tsv")" == "$manifest_before" ]] || problem "the first sweep's manifest changed"
end_case

new_case "--name: the same name with other options is refused, the same options reuse the folder"
sweep --scenario baseline --seeds 1 "${TINY[@]}" --name named --root "$ROOT1"
expect_rc 0
[[ -f "$ROOT1/named/manifest.tsv" ]] || problem "no $ROOT1/named/manifest.tsv"
named_before="$(fingerprint "$ROOT1/named")"
sweep --scenario baseline --seeds 2 "${TINY[@]}" --name named --root "$ROOT1"
expect_rc 1
expect_out "holds another sweep"
sweep --scenario baseline --seeds 1 "${TINY[@]}" --name named --root "$ROOT1"
expect_rc 0
[[ "$(fingerprint "$ROOT1/named")" == "$named_before" ]] || problem "the named sweep was re-run or changed"
end_case

# ---- grids, dry runs, failures -----------------------------------------------------

new_case "--dry-run: the grid is the full factorial, rows pending, nothing run"
ROOT3="$WORK/dry"
sweep "${BASE[@]}" --grid incentives.grant=0,1e6,2e6 --grid incentives.land_discount=0,0.5 --set firms.chi=0.3 --dry-run --root "$ROOT3"
expect_rc 0
S3="$(folders "$ROOT3" | head -n 1)"
if [[ -z "$S3" || ! -f "$S3/manifest.tsv" ]]; then
    problem "no manifest written"
else
    [[ "$(col "$S3" 1 | wc -l)" -eq 24 ]] || problem "$(col "$S3" 1 | wc -l) rows, expected 2 x 3 x 2 x 2 = 24"
    [[ "$(col "$S3" 6 | sort -u)" == pending ]] || problem "statuses: $(col "$S3" 6 | sort -u | tr '\n' ' ')"
    want=""
    for sc in baseline incubator; do
        for g in 0 1e6 2e6; do
            for l in 0 0.5; do
                for s in 1 2; do want+="$sc $s firms.chi=0.3;incentives.grant=$g;incentives.land_discount=$l"$'\n'; done
            done
        done
    done
    got="$(awk -F'\t' 'NR > 1 { print $2 " " $3 " " $4 }' "$S3/manifest.tsv")"
    [[ "$(sort <<<"$got")" == "$(sort <<<"${want%$'\n'}")" ]] || problem "rows differ from the factorial: $(diff <(sort <<<"$got") <(sort <<<"${want%$'\n'}") | head -5 | tr '\n' ' ')"
    [[ "$(col "$S3" 5 | sort -u | wc -l)" -eq 24 ]] || problem "output names are not unique"
    [[ -z "$(find "$S3" -name '*.h5*')" ]] || problem "a dry run wrote outputs"
    [[ "$(grep -c '^would run row' "$OUT.stdout")" -eq 24 ]] || problem "expected 24 'would run row' lines"
fi
end_case

new_case "a failing run is recorded as failed with its exit code; the others finish"
ROOT4="$WORK/failing"
sweep --scenario baseline --seeds 1 --grid incentives.grant=0,-5 "${TINY[@]}" --root "$ROOT4"
expect_rc 1
S4="$(folders "$ROOT4" | head -n 1)"
if [[ -n "$S4" ]]; then
    [[ "$(awk -F'\t' 'NR > 1 { print $6 "/" $7 }' "$S4/manifest.tsv" | tr '\n' ' ')" == "done/0 failed/2 " ]] ||
        problem "status/exit: $(awk -F'\t' 'NR > 1 { print $6 "/" $7 }' "$S4/manifest.tsv" | tr '\n' ' ')"
    grep -q "out of range" "$S4/logs/1.log" || problem "the failed run's log lacks the simulator's message"
    [[ -z "$(find "$S4" -name '*_g1.h5*')" ]] || problem "the failed run left files: $(find "$S4" -name '*_g1.h5*')"
fi
expect_out "1 done, 1 failed, 0 pending" "failed rows: 1 (exit 2"
end_case

# ---- interruption --------------------------------------------------------------------

new_case "an interrupted sweep: no incomplete .h5, a second driver is refused, the re-run completes only the missing runs"
ROOT5="$WORK/interrupted"
LONG=(--scenario incubator --seeds 1-4 --workers 100000 --months 60 --jobs 1 --root "$ROOT5")
"$ROOT/run.sh" sweep "${LONG[@]}" >"$OUT.bg.stdout" 2>"$OUT.bg.stderr" </dev/null &
BGPID=$!
first_done() {
    local d
    d="$(folders "$ROOT5" | head -n 1)"
    [[ -n "$d" && -f "$d/manifest.tsv" ]] && [[ "$(col "$d" 6 | grep -c done)" -ge 1 ]]
}
if ! wait_for 300 first_done; then
    problem "no run finished within 300 s"
else
    S5="$(folders "$ROOT5" | head -n 1)"
    # A second driver on the same folder while the first runs.
    sweep "${LONG[@]}"
    [[ $RC -eq 1 ]] || problem "a second driver on the same folder: exit $RC, expected 1"
    grep -q "another ./run.sh sweep is running" "$OUT.stderr" || problem "the second driver did not say why it refused"
    kill -TERM "$BGPID"
    wait "$BGPID"
    bgrc=$?
    BGPID=""
    [[ $bgrc -ne 0 ]] || problem "the interrupted sweep exited 0"
    for f in "$S5"/*.h5; do
        [[ "$f" == *.ckpt.h5 ]] && continue
        h5dump -a /status "$f" 2>/dev/null | grep -q '"complete"' || problem "$f is not complete"
    done
    [[ -z "$(find "$S5" -name '*.h5.partial' -o -name '*.h5.lock')" ]] || problem "partial or lock files left after the interruption"
    ndone="$(col "$S5" 6 | grep -c done)"
    [[ "$ndone" -ge 1 && "$ndone" -lt 4 ]] || problem "after the interruption $ndone of 4 rows are done (expected 1 to 3)"
    [[ -z "$(col "$S5" 6 | grep -x running)" ]] || problem "rows still marked running: $(col "$S5" 6 | tr '\n' ' ')"
    done_before="$(awk -F'\t' 'NR > 1 && $6 == "done" { print $5 }' "$S5/manifest.tsv")"
    sums_before="$(cd "$S5" && md5sum $done_before)"
    sweep "${LONG[@]}"
    expect_rc 0
    expect_out "$((4 - ndone)) to run"
    expect_all_done "$S5" 4
    [[ "$(cd "$S5" && md5sum $done_before)" == "$sums_before" ]] || problem "outputs done before the interruption changed"
    for f in $done_before; do
        id="$((10#$(sed 's/^r\([0-9]*\)_.*/\1/' <<<"$f")))"
        [[ "$(grep -c "^== .* row $id on " "$S5/logs/$id.log")" -eq 1 ]] || problem "row $id ran again"
    done
fi
end_case

new_case "incubator-analyze check passes on every output of the sweeps (if the program exists)"
if [[ -x "$BIN/incubator-analyze" ]]; then
    nbad=0
    nall=0
    while read -r f; do
        nall=$((nall + 1))
        if ! msg="$("$BIN/incubator-analyze" check "$f" 2>&1)"; then
            nbad=$((nbad + 1))
            ((nbad <= 3)) && problem "incubator-analyze check ${f#"$WORK/"}: $(grep -E 'FAIL|rror' <<<"$msg" | head -n 3 | tr -s ' \n' ' ')"
        fi
    done < <(find "$WORK" -name '*.h5' ! -name '*.ckpt.h5' | sort)
    ((nbad <= 3)) || problem "... $nbad of $nall files fail the check"
else
    echo "# no $BIN/incubator-analyze: checked with h5dump -a /status only"
fi
end_case

# ---- checkpoints and resumption, with a stand-in simulator ------------------------------

# The sweep's side of checkpoints, whether or not this build's incubator-sim
# has them yet: a stand-in that says it supports --checkpoint-every, writes its
# checkpoint at once, stops with exit 75 on SIGTERM, and when given --resume
# finishes at once, saying what it resumed from. (Its outputs are not HDF5;
# this case comes after the check of every output above.)
new_case "a stopped run is recorded as requeued and the re-run resumes it from its checkpoint (stand-in simulator)"
STUB="$WORK/stub-bin"
mkdir -p "$STUB"
cat >"$STUB/incubator-sim" <<STUB_END
#!/usr/bin/env bash
case "\$1" in
    --help) echo "  --checkpoint-every MONTHS  --checkpoint FILE  --resume CHECKPOINT"; exit 0 ;;
    --list-params) exec "$BIN/incubator-sim" --list-params ;;
esac
out="" ckpt="" resume=""
while [[ \$# -gt 0 ]]; do
    case "\$1" in
        --out) out="\$2"; shift 2 ;;
        --checkpoint) ckpt="\$2"; shift 2 ;;
        --resume) resume="\$2"; shift 2 ;;
        *) shift ;;
    esac
done
[[ -n "\$out" && -n "\$ckpt" ]] || { echo "stand-in: no --out or --checkpoint" >&2; exit 2; }
if [[ -n "\$resume" ]]; then
    [[ -f "\$resume" ]] || { echo "stand-in: no checkpoint \$resume" >&2; exit 3; }
    echo "resumed from \$resume"
    echo complete >"\$out"
    rm -f "\$ckpt"
    exit 0
fi
trap 'echo "stopped by a signal"; exit 75' TERM
echo month-1 >"\$ckpt"
for i in \$(seq 1 600); do sleep 0.1; done
echo complete >"\$out"
rm -f "\$ckpt"
STUB_END
chmod +x "$STUB/incubator-sim"
ROOT7="$WORK/stub"
STUBARGS=(--scenario baseline --seeds 1 --checkpoint-every 6 --root "$ROOT7")
INCUBATOR_BIN_DIR="$STUB" "$ROOT/run.sh" sweep "${STUBARGS[@]}" >"$OUT.bg.stdout" 2>"$OUT.bg.stderr" </dev/null &
BGPID=$!
ckpt_written() { compgen -G "$ROOT7/*/*.ckpt.h5" >/dev/null; }
if ! wait_for 60 ckpt_written; then
    problem "the stand-in never wrote its checkpoint"
else
    S7="$(folders "$ROOT7" | head -n 1)"
    kill -TERM "$BGPID"
    wait "$BGPID"
    BGPID=""
    [[ "$(col "$S7" 6)/$(col "$S7" 7)" == requeued/75 ]] || problem "after the stop the row is $(col "$S7" 6)/$(col "$S7" 7), expected requeued/75"
    grep -q -- "--checkpoint-every 6 --checkpoint $S7/r0000_baseline_s1.ckpt.h5" "$S7/logs/0.log" ||
        problem "the run was not given --checkpoint-every 6 --checkpoint $S7/r0000_baseline_s1.ckpt.h5"
    (export INCUBATOR_BIN_DIR="$STUB"; sweep "${STUBARGS[@]}"; echo "$RC" >"$OUT.rc")
    RC="$(cat "$OUT.rc")"
    expect_rc 0
    expect_out "1 done, 0 failed, 0 pending"
    grep -q -- "--resume $S7/r0000_baseline_s1.ckpt.h5" "$S7/logs/0.log" || problem "the second attempt was not given --resume"
    grep -q "^resumed from $S7/r0000_baseline_s1.ckpt.h5" "$S7/logs/0.log" || problem "the stand-in did not resume"
    [[ "$(col "$S7" 6)/$(col "$S7" 7)" == done/0 ]] || problem "the row is $(col "$S7" 6)/$(col "$S7" 7), expected done/0"
    [[ ! -e "$S7/r0000_baseline_s1.ckpt.h5" ]] || problem "the checkpoint is still there"
fi
end_case

# ---- usage errors ----------------------------------------------------------------------

new_case "bad options give a usage error (exit 2) and create nothing"
ROOT6="$WORK/bad"
bad() { # EXPECTED_WORD ARGS...
    local word="$1"
    shift
    sweep "$@" --root "$ROOT6"
    [[ $RC -eq 2 ]] || problem "sweep $*: exit $RC, expected 2"
    grep -qF -- "$word" "$OUT.stderr" || problem "sweep $*: stderr lacks '$word': $(head -n 1 "$OUT.stderr")"
    grep -q '^usage:' "$OUT.stderr" || problem "sweep $*: no usage line"
}
bad "no --scenario" --seeds 1-2
bad "unknown option" --scenario baseline --bogus
bad "--seeds 1-x" --scenario baseline --seeds 1-x
bad "--seeds 3-1" --scenario baseline --seeds 3-1
bad "no file" --scenario no_such_scenario
bad "expected KEY=V1,V2" --scenario baseline --grid incentives.grant
bad "not a scenario key" --scenario baseline --grid incentives.no_such_key=1,2
bad "set twice" --scenario baseline --grid incentives.grant=1,2 --set incentives.grant=3
bad "a value appears twice" --scenario baseline --grid incentives.grant=1,1
bad "--jobs 0" --scenario baseline --jobs 0
bad "need --slurm" --scenario baseline --time 10
bad "needs a value" --scenario
bad "too short" --scenario baseline --slurm --time 1 --dry-run
[[ ! -e "$ROOT6" ]] || problem "usage errors created $ROOT6"
sweep --help
[[ $RC -eq 0 ]] && grep -q -- '--grid KEY=V1,V2' "$OUT.stdout" || problem "./run.sh sweep --help: exit $RC or no option list"
end_case

new_case "--months shorter than a scenario's policy start: exit 2 before anything runs, naming the scenario, key and value"
ROOT8="$WORK/short"
pline="$(awk '/^\[policy\]/ { p = 1; next } /^\[/ { p = 0 } p && /^start[ \t]*=/ { print NR; exit }' "$ROOT/scenarios/baseline.ini")"
sweep --scenario baseline --scenario incubator --months 12 --root "$ROOT8"
expect_rc 2
want="sweep: scenario incubator: policy.start = 2021-01 ($ROOT/scenarios/baseline.ini:$pline) is outside the run of 12 months from 2019-01 (--months 12): incubator-sim accepts a month from 2019-01 to 2019-12; give --months 25 or more, or --set policy.start=MONTH within the run; nothing was run"
[[ "$(cat "$OUT.stderr")" == "$want" ]] || problem "stderr is: $(cat "$OUT.stderr") -- expected: $want"
[[ ! -e "$ROOT8" ]] || problem "the refused sweep created $ROOT8"
# A grid point that moves the policy out of the run is refused the same way.
sweep --scenario incubator --months 12 --grid policy.start=2019-06,2021-01 --root "$ROOT8"
expect_rc 2
want="sweep: scenario incubator: policy.start = 2021-01 (--set/--grid policy.start=2021-01) is outside the run of 12 months from 2019-01 (--months 12): incubator-sim accepts a month from 2019-01 to 2019-12; give --months 25 or more, or --set policy.start=MONTH within the run; nothing was run"
[[ "$(cat "$OUT.stderr")" == "$want" ]] || problem "stderr is: $(cat "$OUT.stderr") -- expected: $want"
[[ ! -e "$ROOT8" ]] || problem "the refused sweep created $ROOT8"
# The baseline has no policy in force: its policy date may lie outside a short run.
sweep --scenario baseline --months 12 --dry-run --root "$ROOT8"
expect_rc 0
end_case

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
