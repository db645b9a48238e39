#!/usr/bin/env bash
# e2e_pooling.sh BIN_DIR - end-to-end test of which files incubator-analyze
# pools (summary) or pairs (compare) (docs/analysis.md "Which files can be
# pooled or paired"), and of each command's own --help.
#
# Small runs (36 months): baseline at 20,000 workers seeds 1 and 2, baseline
# at 30,000 workers, baseline over 24 months, baseline with one parameter
# changed, incubator at 20,000 (seeds 1 and 2) and 30,000 workers. Asserts the exact exit
# code and error line of each refusal, that --allow-mismatch goes on with a
# warning, and that matching files still pool and pair with exit 0.
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

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_pooling.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0

# check NAME STATUS [DETAIL]: record one case from a status (0 = ok).
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

# expect NAME CODE STDERR_TEXT -- COMMAND...: COMMAND exits CODE and its
# stderr is exactly STDERR_TEXT.
expect() {
    local name="$1" code="$2" text="$3" rc
    shift 4
    "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    if [[ "$rc" -eq "$code" && "$(cat "$WORK/err")" == "$text" ]]; then
        check "$name" 0
    else
        check "$name" 1 "exit $rc (expected $code), stderr: $(head -c 600 "$WORK/err") -- expected: $text"
    fi
}

# run NAME SCENARIO ARGS...: one small run to $WORK/NAME.h5.
sim_ok=0
run() {
    local name="$1" scen="$2"
    shift 2
    if ! "$SIM" "$ROOT/scenarios/$scen.ini" --months 36 --quiet "$@" --out "$WORK/$name.h5" >"$WORK/sim.log" 2>&1; then
        sim_ok=1
        sed 's/^/    | /' "$WORK/sim.log" | tail -5
    fi
}
run b20_s1 baseline --workers 20000 --seed 1
run b20_s2 baseline --workers 20000 --seed 2
run b30_s2 baseline --workers 30000 --seed 2
run b20m_s2 baseline --workers 20000 --seed 2 --months 24
run b20chi_s2 baseline --workers 20000 --seed 2 --set firms.chi=0.3
run i20_s1 incubator --workers 20000 --seed 1
run i20_s2 incubator --workers 20000 --seed 2
run i30_s1 incubator --workers 30000 --seed 1
check "simulator writes the 8 small runs" "$sim_ok"
W="$WORK"

# 1. Files that agree pool and pair.
"$AN" summary "$W/b20_s1.h5" "$W/b20_s2.h5" >"$W/out" 2>"$W/err"
check "summary pools two seeds of one run (exit 0, no warning)" "$(( $? != 0 || $(wc -c <"$W/err") != 0 ))"
"$AN" compare --reference baseline "$W/b20_s1.h5" "$W/i20_s1.h5" >"$W/out" 2>"$W/err"
check "compare pairs baseline and incubator of one scale (exit 0, no warning)" "$(( $? != 0 || $(wc -c <"$W/err") != 0 ))"

# 2. Refusals: exit 4, one line naming both files and the difference.
expect "compare refuses 20,000 against 30,000 workers" 4 \
    "incubator-analyze: compare: $W/b20_s1.h5 (scenario 'baseline', seed 1) and $W/i30_s1.h5 (scenario 'incubator', seed 1) differ in worker count 20000 vs 30000 (persons_per_agent 37000 vs 24666.7): files of different runs cannot be paired or pooled (--allow-mismatch to go on anyway)" \
    -- "$AN" compare --reference baseline "$W/b20_s1.h5" "$W/i30_s1.h5"
expect "summary refuses to pool 20,000 and 30,000 workers" 4 \
    "incubator-analyze: summary: $W/b20_s1.h5 (scenario 'baseline', seed 1) and $W/b30_s2.h5 (scenario 'baseline', seed 2) differ in worker count 20000 vs 30000 (persons_per_agent 37000 vs 24666.7): files of different runs cannot be pooled or set side by side (--allow-mismatch to go on anyway)" \
    -- "$AN" summary "$W/b20_s1.h5" "$W/b30_s2.h5"
expect "summary refuses different months" 4 \
    "incubator-analyze: summary: $W/b20_s1.h5 (scenario 'baseline', seed 1) and $W/b20m_s2.h5 (scenario 'baseline', seed 2) differ in months 36 vs 24: files of different runs cannot be pooled or set side by side (--allow-mismatch to go on anyway)" \
    -- "$AN" summary "$W/b20_s1.h5" "$W/b20m_s2.h5"
expect "summary refuses one scenario with a parameter changed" 4 \
    "incubator-analyze: summary: $W/b20_s1.h5 (scenario 'baseline', seed 1) and $W/b20chi_s2.h5 (scenario 'baseline', seed 2) differ in command-line overrides: '--set (none)' vs '--set firms.chi=0.3': files of different runs cannot be pooled or set side by side (--allow-mismatch to go on anyway)" \
    -- "$AN" summary "$W/b20_s1.h5" "$W/b20chi_s2.h5"
expect "summary refuses the other scenario at another scale" 4 \
    "incubator-analyze: summary: $W/b20_s1.h5 (scenario 'baseline', seed 1) and $W/i30_s1.h5 (scenario 'incubator', seed 1) differ in worker count 20000 vs 30000 (persons_per_agent 37000 vs 24666.7): files of different runs cannot be pooled or set side by side (--allow-mismatch to go on anyway)" \
    -- "$AN" summary "$W/b20_s1.h5" "$W/i30_s1.h5"

expect "compare refuses a baseline with a --set against a stock incubator" 4 \
    "incubator-analyze: compare: $W/b20chi_s2.h5 (scenario 'baseline', seed 2) and $W/i20_s2.h5 (scenario 'incubator', seed 2) differ in command-line overrides: '--set firms.chi=0.3' vs '--set (none)': files of different runs cannot be paired or pooled (--allow-mismatch to go on anyway)" \
    -- "$AN" compare --reference baseline "$W/b20chi_s2.h5" "$W/i20_s2.h5"

# 3. --allow-mismatch: exit 0, a warning naming the difference.
expect "compare --allow-mismatch goes on with a warning" 0 \
    "incubator-analyze: warning: compare: $W/b20_s1.h5 and $W/i30_s1.h5 differ in worker count 20000 vs 30000 (persons_per_agent 37000 vs 24666.7) (--allow-mismatch: analysed anyway)" \
    -- "$AN" compare --allow-mismatch --reference baseline "$W/b20_s1.h5" "$W/i30_s1.h5"
grep -q incubator "$W/out"
check "compare --allow-mismatch still prints the table" $?
expect "summary --allow-mismatch goes on with a warning" 0 \
    "incubator-analyze: warning: summary: $W/b20_s1.h5 and $W/b20chi_s2.h5 differ in command-line overrides: '--set (none)' vs '--set firms.chi=0.3' (--allow-mismatch: analysed anyway)" \
    -- "$AN" summary --allow-mismatch "$W/b20_s1.h5" "$W/b20chi_s2.h5"
expect "--allow-mismatch is refused by check" 3 \
    "incubator-analyze: --allow-mismatch is an option of summary and compare only
usage: incubator-analyze summary|compare|plot|check [options] FILE... (--help)" \
    -- "$AN" check --allow-mismatch "$W/b20_s1.h5"

# 4. Each command's --help is its own (exit 0, first line its usage).
for c in summary compare plot check; do
    "$AN" "$c" --help >"$W/out" 2>"$W/err"
    rc=$?
    first="$(head -n 1 "$W/out")"
    [[ "$rc" -eq 0 && "$first" == "usage: incubator-analyze $c "* && ! -s "$W/err" ]]
    check "incubator-analyze $c --help prints the help of $c" $? "exit $rc, first line: $first"
done
"$AN" --help >"$W/out"
head -n 1 "$W/out" | grep -qx 'usage: incubator-analyze COMMAND \[options\] FILE...'
check "incubator-analyze --help prints the global help" $?

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
