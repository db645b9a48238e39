#!/usr/bin/env bash
# e2e_analyze.sh BIN_DIR - end-to-end test of incubator-analyze on real runs of
# incubator-sim (docs/analysis.md).
#
# Runs the simulator on scenarios/baseline.ini and scenarios/incubator.ini with
# two seeds each at a small size (--workers 20000 --months 36), then summary
# (text, csv, json, markdown), compare --reference baseline, plot and check,
# and asserts exit codes and that the tables name both scenarios. Also a bad
# case on real files: a copy named .partial is refused, and --keep-going
# still analyses the others. CMake runs this from the repository root with
# BIN_DIR = the build's bin folder.
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits 1 if any case failed.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" || ! -x "$1/incubator-analyze" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim and incubator-analyze)" >&2
    exit 2
fi
BIN="$(cd "$1" && pwd)"
SIM="$BIN/incubator-sim"
AN="$BIN/incubator-analyze"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SMALL=(--workers 20000 --months 36 --quiet)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_analyze.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0

# check NAME COND_STATUS [DETAIL]: record one case from a status (0 = ok).
check() {
    local name="$1" status="$2" detail="${3:-}"
    if [[ "$status" -eq 0 ]]; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name${detail:+: $detail}"
        failed=$((failed + 1))
    fi
}

# has FILE WORD...: every WORD (fixed string) occurs in FILE.
has() {
    local f="$1" w
    shift
    for w in "$@"; do grep -qF -- "$w" "$f" || return 1; done
}

# 1. The runs: 2 scenarios x 2 seeds.
sim_ok=0
for scen in baseline incubator; do
    for seed in 1 2; do
        if ! "$SIM" "$ROOT/scenarios/$scen.ini" --seed "$seed" "${SMALL[@]}" \
            --out "$WORK/${scen}_s$seed.h5" >"$WORK/sim.log" 2>&1; then
            sim_ok=1
            sed 's/^/    | /' "$WORK/sim.log" | tail -5
        fi
    done
done
check "simulator writes 4 small runs (baseline, incubator x seeds 1, 2)" "$sim_ok"
FILES=("$WORK"/baseline_s1.h5 "$WORK"/baseline_s2.h5 "$WORK"/incubator_s1.h5 "$WORK"/incubator_s2.h5)

# 2. check on each file.
rc=0
for f in "${FILES[@]}"; do
    "$AN" check "$f" >"$WORK/check.out" 2>&1 || { rc=$?; sed 's/^/    | /' "$WORK/check.out" | grep -E 'FAIL|incubator-analyze' ; }
done
check "check passes the simulator's files" "$rc" "exit $rc"

# 3. summary in every format.
"$AN" summary "${FILES[@]}" >"$WORK/summary.txt" 2>"$WORK/err"
rc=$?
check "summary exits 0" "$rc" "exit $rc: $(head -c 300 "$WORK/err")"
has "$WORK/summary.txt" baseline incubator "Real GDP, last year" "Corporate debt" "TFP growth"
check "summary text table names both scenarios and the outcomes" $?
for fmt in csv json markdown; do
    "$AN" summary --format "$fmt" "${FILES[@]}" >"$WORK/summary.$fmt" 2>"$WORK/err"
    rc=$?
    [[ $rc -eq 0 ]] && { has "$WORK/summary.$fmt" baseline incubator; rc=$?; }
    check "summary --format $fmt" "$rc"
done
# CSV: one header and one row per scenario, every row as wide as the header.
awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit (bad || NR != 3) }' "$WORK/summary.csv"
check "summary CSV: header and 2 rows of equal width" $?
grep -q '^baseline,2,1;2,' "$WORK/summary.csv"
check "summary CSV: baseline has 2 files, seeds 1;2" $?
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [s["scenario"] for s in d["scenarios"]] == ["baseline", "incubator"]' \
        "$WORK/summary.json" 2>"$WORK/err"
    check "summary JSON parses and lists baseline, incubator" $? "$(head -c 300 "$WORK/err")"
fi

# 4. compare against the baseline.
"$AN" compare --reference baseline "${FILES[@]}" >"$WORK/compare.txt" 2>"$WORK/err"
rc=$?
check "compare --reference baseline exits 0" "$rc" "exit $rc: $(head -c 300 "$WORK/err")"
has "$WORK/compare.txt" "reference scenario 'baseline'" incubator "GDP gained per yuan of subsidy"
check "compare table names the reference, incubator and GDP per yuan of subsidy" $?
"$AN" compare --reference baseline --format csv "${FILES[@]}" >"$WORK/compare.csv" 2>/dev/null
grep -q '^incubator,baseline,2,1;2,' "$WORK/compare.csv"
check "compare CSV: incubator paired with baseline on seeds 1;2" $?
"$AN" compare --reference baseline "${FILES[@]:0:3}" >/dev/null 2>"$WORK/err"
rc=$?
[[ $rc -eq 4 ]] && has "$WORK/err" "cannot pair scenario 'incubator'"
check "compare refuses unpaired seeds (exit 4)" $? "exit $rc: $(head -c 300 "$WORK/err")"

# 5. plot.
"$AN" plot "${FILES[@]}" --out "$WORK/plots" >/dev/null 2>"$WORK/err"
rc=$?
check "plot exits 0" "$rc" "exit $rc: $(head -c 300 "$WORK/err")"
ok=0
for p in gdp tfp debt inland registrations; do
    f="$WORK/plots/$p.png"
    if [[ ! -s "$f" || "$(head -c 4 "$f" | od -An -c | tr -d ' ')" != '211PNG' || $(stat -c %s "$f") -lt 8000 ]]; then
        ok=1
        echo "    | $p.png missing, not a PNG or under 8 KB"
    fi
done
check "plot writes 5 PNGs" "$ok"

# 6. Bad input among real files.
cp "$WORK/incubator_s2.h5" "$WORK/copy.h5.partial"
"$AN" summary "${FILES[@]}" "$WORK/copy.h5.partial" >"$WORK/out" 2>"$WORK/err"
rc=$?
[[ $rc -eq 2 && ! -s "$WORK/out" ]] && has "$WORK/err" "copy.h5.partial: a partial file"
check "a .partial file is refused (exit 2, nothing on stdout)" $? "exit $rc: $(head -c 300 "$WORK/err")"
"$AN" summary --keep-going "${FILES[@]}" "$WORK/copy.h5.partial" >"$WORK/out" 2>"$WORK/err"
rc=$?
[[ $rc -eq 2 ]] && has "$WORK/out" baseline incubator
check "--keep-going analyses the good files and still exits 2" $? "exit $rc"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
