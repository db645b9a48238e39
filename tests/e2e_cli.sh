#!/usr/bin/env bash
# e2e_cli.sh BIN_DIR - end-to-end tests of incubator-sim's command line (issue
# 13 item 7): each case asserts the exact exit code and the exact message line
# on stderr. A bad number names the option as typed and the accepted range
# (2^63 and up too); a nonzero value that underflows to 0 is refused; --threads
# above the available processors is capped with a warning unless forced;
# --workers below the fewest that give every node an agent is refused with
# that minimum; --help and --list-params answer without a scenario.
# Prints "ok - NAME" / "not ok - NAME", then "N passed, M failed"; exits 1 if
# any case failed. CMake runs it from the repository root.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim)" >&2
    exit 2
fi
SIM="$(cd "$1" && pwd)/incubator-sim"
ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE="$ROOT/scenarios/baseline.ini"
NODES="$ROOT/scenarios/data/nodes.csv"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_cli.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TINY=(--workers 3000 --months 2 --quiet)

passed=0
failed=0
n=0
# check NAME RC LINE -- ARGS...: run incubator-sim ARGS in a fresh folder; the
# exit code must be RC and LINE (if not empty) a whole line of stderr. No
# output file may be left after a refused run.
check() {
    local name="$1" want_rc="$2" want_line="$3"
    shift 4
    n=$((n + 1))
    local dir="$WORK/case$n" problems=()
    mkdir -p "$dir"
    (cd "$dir" && "$SIM" "$@" >"$dir/stdout" 2>"$dir/stderr")
    local rc=$?
    [[ "$rc" -eq "$want_rc" ]] || problems+=("exit code $rc, expected $want_rc")
    if [[ -n "$want_line" ]] && ! grep -qxF -- "$want_line" "$dir/stderr"; then
        problems+=("stderr lacks the line: $want_line")
    fi
    if [[ "$want_rc" -ne 0 && -n "$(find "$dir" -name '*.h5*' -print)" ]]; then
        problems+=("a refused run left an output file")
    fi
    LAST="$dir"
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        local p
        for p in "${problems[@]}"; do echo "#   $p"; done
        sed 's/^/#     stderr: /' "$dir/stderr" | head -10
        failed=$((failed + 1))
    fi
}

check "--seed 2^63 names the accepted range" 2 \
    "incubator-sim: --seed 9223372036854775808: out of range: accepted an integer in [0, 9223372036854775807] (sets run.seed)" \
    -- "$BASELINE" "${TINY[@]}" --seed 9223372036854775808 --out x.h5
check "--seed -1" 2 \
    "incubator-sim: --seed -1: out of range: accepted an integer in [0, 9223372036854775807] (sets run.seed)" \
    -- "$BASELINE" "${TINY[@]}" --seed -1 --out x.h5
check "--seed abc" 2 \
    "incubator-sim: --seed abc: not an integer: accepted an integer in [0, 9223372036854775807] (sets run.seed)" \
    -- "$BASELINE" "${TINY[@]}" --seed abc --out x.h5
check "run.seed = 2^63 in --set" 2 \
    "incubator-sim: --set run.seed=9223372036854775808: run.seed = 9223372036854775808 is out of range: accepted [0, 9223372036854775807] (-)" \
    -- "$BASELINE" "${TINY[@]}" --set run.seed=9223372036854775808 --out x.h5
check "--months 1201 names --months" 2 \
    "incubator-sim: --months 1201: out of range: accepted an integer in [1, 1200] (sets run.months)" \
    -- "$BASELINE" --workers 3000 --quiet --months 1201 --out x.h5
check "--months 0" 2 \
    "incubator-sim: --months 0: out of range: accepted an integer in [1, 1200] (sets run.months)" \
    -- "$BASELINE" --workers 3000 --quiet --months 0 --out x.h5
check "--checkpoint-every 99999999999999999999" 2 \
    "incubator-sim: --checkpoint-every 99999999999999999999: out of range: accepted an integer in [1, 1200] (months)" \
    -- "$BASELINE" "${TINY[@]}" --checkpoint-every 99999999999999999999 --out x.h5
check "--snapshot-every 1.5" 2 \
    "incubator-sim: --snapshot-every 1.5: not an integer: accepted an integer in [1, 1200] (months)" \
    -- "$BASELINE" "${TINY[@]}" --snapshot-every 1.5 --out x.h5
check "--threads 0" 2 \
    "incubator-sim: --threads 0: out of range: accepted an integer in [1, 1024] (OpenMP threads)" \
    -- "$BASELINE" "${TINY[@]}" --threads 0 --out x.h5
check "--workers 2000000001" 2 \
    "incubator-sim: --workers 2000000001: out of range: accepted an integer in [1, 2000000000] (worker agents)" \
    -- "$BASELINE" "${TINY[@]}" --workers 2000000001 --out x.h5

check "--set firms.chi=1e-400 (underflow to 0) is refused" 2 \
    "incubator-sim: --set firms.chi=1e-400: firms.chi = 1e-400 underflows: a double cannot hold a nonzero number this small (it would become 0): accepted 0 or a real number in [0, 1] of magnitude at least 2.22507e-308 (-)" \
    -- "$BASELINE" "${TINY[@]}" --set firms.chi=1e-400 --out x.h5
check "--set entry.cost=1e400 (overflow to inf) is refused" 2 \
    "incubator-sim: --set entry.cost=1e400: entry.cost = 1e400 overflows: a double cannot hold a number this large (it would become inf): accepted a real number in [0, 1e+12] (yuan)" \
    -- "$BASELINE" "${TINY[@]}" --set entry.cost=1e400 --out x.h5
check "--set firms.chi=0e-400 (an exact 0) is accepted" 0 "" \
    -- "$BASELINE" "${TINY[@]}" --set firms.chi=0e-400 --out x.h5

# The processors this process may use, as omp_get_num_procs counts them
# (nproc without the OpenMP variables it would otherwise honour).
procs="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)"
over=$((procs + 1))
check "--threads above the processors warns and is capped" 0 \
    "incubator-sim: warning: --threads $over is more than the $procs available processors: using $procs (--force-threads to use $over)" \
    -- "$BASELINE" "${TINY[@]}" --threads "$over" --out x.h5
h5dump -a /threads "$LAST/x.h5" 2>/dev/null | grep -q "(0): $procs\$" \
    && { echo "ok - the capped run records $procs threads"; passed=$((passed + 1)); } \
    || { echo "not ok - the capped run does not record $procs threads"; failed=$((failed + 1)); }
check "--force-threads keeps --threads above the processors, without a warning" 0 "" \
    -- "$BASELINE" "${TINY[@]}" --threads "$over" --force-threads --out x.h5
if grep -q "warning" "$LAST/stderr"; then
    echo "not ok - --force-threads still warns"; failed=$((failed + 1))
else
    echo "ok - --force-threads does not warn"; passed=$((passed + 1))
fi

# The fewest worker agents that give every node of the baseline's node table
# one (tables_min_workers; test_scenario checks it against world_init).
check "--workers 1 is refused with the minimum" 2 \
    "incubator-sim: --workers 1: too few: accepted at least 178 worker agents, the fewest that give every node of $NODES one (Zhuzhou has 0.287% of the population)" \
    -- "$BASELINE" --months 1 --quiet --workers 1 --out x.h5
check "--workers 177 is refused" 2 \
    "incubator-sim: --workers 177: too few: accepted at least 178 worker agents, the fewest that give every node of $NODES one (Zhuzhou has 0.287% of the population)" \
    -- "$BASELINE" --months 1 --quiet --workers 177 --out x.h5
check "--workers 178 runs" 0 "" \
    -- "$BASELINE" --months 1 --quiet --workers 178 --out x.h5

check "--help answers without a scenario" 0 "" -- --help
grep -qx "usage: incubator-sim SCENARIO.ini \[options\]" "$LAST/stdout" \
    && { echo "ok - --help prints the usage"; passed=$((passed + 1)); } \
    || { echo "not ok - --help prints no usage"; failed=$((failed + 1)); }
check "--help wins over a bad option" 0 "" -- --threads 0 --help
check "--list-params answers without a scenario" 0 "" -- --list-params
grep -qxF "| run.seed | - | [0, 9223372036854775807] | key of every random stream (docs/design.md Randomness) |" "$LAST/stdout" \
    && { echo "ok - --list-params prints the table"; passed=$((passed + 1)); } \
    || { echo "not ok - --list-params prints no table"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
