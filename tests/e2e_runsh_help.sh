#!/usr/bin/env bash
# e2e_runsh_help.sh BIN_DIR - `./run.sh help`, `./run.sh --help` and
# `./run.sh COMMAND --help` answer without building or installing anything
# (run.sh "help never builds").
#
# run.sh is copied with tools/sweep.sh into an empty folder (no build/), and
# cmake, apt-get and dpkg-query on PATH are stand-ins that record a call and
# fail. Each help must exit 0, print the expected first line, call none of
# them and leave no build/ folder. With BIN_DIR's programs copied into
# build/bin, `sim --help` prints incubator-sim's own help.
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed".
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim)" >&2
    exit 2
fi
BIN="$(cd "$1" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_runsh_help.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
check() {
    if [[ "$2" -eq 0 ]]; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1${3:+: $3}"
        failed=$((failed + 1))
    fi
}

mkdir -p "$WORK/proj/tools" "$WORK/fake"
cp "$ROOT/run.sh" "$WORK/proj/"
cp "$ROOT/tools/sweep.sh" "$WORK/proj/tools/"
for p in cmake apt-get dpkg-query; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 1\n' "$p" "$WORK" >"$WORK/fake/$p"
    chmod +x "$WORK/fake/$p"
done

# help_case NAME EXPECTED_FIRST_LINE ARGS...
help_case() {
    local name="$1" first="$2" rc got
    shift 2
    rm -f "$WORK/calls"
    (cd "$WORK" && PATH="$WORK/fake:$PATH" "$WORK/proj/run.sh" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null)
    rc=$?
    got="$(head -n 1 "$WORK/out")"
    if [[ "$rc" -ne 0 ]]; then
        check "$name" 1 "exit $rc: $(head -c 300 "$WORK/err")"
    elif [[ -e "$WORK/calls" || -e "$WORK/proj/build" ]]; then
        check "$name" 1 "it built or installed: $(cat "$WORK/calls" 2>/dev/null)"
    elif [[ "$got" != "$first" ]]; then
        check "$name" 1 "first line '$got', expected '$first'"
    else
        check "$name" 0
    fi
}

help_case "./run.sh help" "usage: ./run.sh [COMMAND]" help
help_case "./run.sh --help" "usage: ./run.sh [COMMAND]" --help
help_case "./run.sh bench --help (not built)" "  bench          build, then run the kernel benchmark (build/bin/bench_kernel)" bench --help
help_case "./run.sh sim --help (not built)" "  sim ARGS...    build, then run build/bin/incubator-sim ARGS..." sim --help
help_case "./run.sh calibrate -h (not built)" "  calibrate ARGS build, then run build/bin/incubator-calibrate ARGS (the simulated" calibrate -h
help_case "./run.sh analyze compare --help (not built)" "  analyze ARGS   build, then run build/bin/incubator-analyze ARGS (summary," analyze compare --help
help_case "./run.sh test --help" "  test           build, then run every test: ctest on the Release build (build/)" test --help
help_case "./run.sh sweep --help" "usage: ./run.sh sweep [options]" sweep --help
# Into a file, then grep: `run.sh | grep -q` would fail under pipefail
# whenever grep exits before run.sh has written everything (SIGPIPE).
(cd "$WORK" && PATH="$WORK/fake:$PATH" "$WORK/proj/run.sh" sim --help >"$WORK/out" 2>&1 </dev/null)
grep -q 'is not built yet: ./run.sh sim (without --help) builds it first' "$WORK/out"
check "./run.sh sim --help says how to build when not built" $?

# Built: the program's own help, still without building.
mkdir -p "$WORK/proj/build/bin"
cp "$BIN/incubator-sim" "$WORK/proj/build/bin/"
rm -f "$WORK/calls"
(cd "$WORK" && PATH="$WORK/fake:$PATH" "$WORK/proj/run.sh" sim --help >"$WORK/out" 2>&1 </dev/null)
rc=$?
[[ "$rc" -eq 0 && ! -e "$WORK/calls" && "$(head -n 1 "$WORK/out")" == "usage: incubator-sim SCENARIO.ini [options]" ]]
check "./run.sh sim --help (built) prints incubator-sim's help without building" $? "exit $rc, $(head -n 1 "$WORK/out")"

cp "$BIN/incubator-analyze" "$WORK/proj/build/bin/"
rm -f "$WORK/calls"
(cd "$WORK" && PATH="$WORK/fake:$PATH" "$WORK/proj/run.sh" analyze compare --help >"$WORK/out" 2>&1 </dev/null)
rc=$?
[[ "$rc" -eq 0 && ! -e "$WORK/calls" && "$(head -n 1 "$WORK/out")" == "usage: incubator-analyze compare --reference NAME [--format text|csv|json|markdown]" ]]
check "./run.sh analyze compare --help (built) prints compare's own help without building" $? "exit $rc, $(head -n 1 "$WORK/out")"

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
