#!/usr/bin/env bash
# e2e_bad_input.sh BIN_DIR - end-to-end tests of incubator-sim's handling of bad
# input (docs/design.md "Input and errors" and "Output").
#
# Every bad case must: exit with the documented non-zero code (2 bad input,
# 3 file error; see incubator-sim --help), say on stderr what was wrong (the
# file, key or accepted range), and leave no *.h5, *.h5.partial or *.h5.lock
# behind: a file named .h5 is always a complete run. One positive case checks
# that a tiny run does write a complete file. Each case runs in a fresh
# temporary folder (also its working directory, so a stray default output
# under results/ would be caught). CMake runs this from the repository root
# with BIN_DIR = the build's bin folder.
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits 1 if any case failed.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim)" >&2
    exit 2
fi
SIM="$(cd "$1" && pwd)/incubator-sim"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE="$ROOT/scenarios/baseline.ini"
TINY=(--workers 3000 --months 2 --quiet)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_bad_input.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
case_no=0
DIR=""      # the current case's folder
CASE=""     # the current case's name
PROBLEMS=() # what went wrong in the current case

new_case() {
    CASE="$1"
    case_no=$((case_no + 1))
    DIR="$WORK/case$case_no"
    mkdir -p "$DIR"
    PROBLEMS=()
}

# run ARGS...: run incubator-sim in $DIR; sets RC, output in $DIR/stdout, $DIR/stderr.
run() {
    (cd "$DIR" && "$SIM" "$@" >"$DIR/stdout" 2>"$DIR/stderr")
    RC=$?
}

expect_rc() {
    [[ "$RC" -eq "$1" ]] || PROBLEMS+=("exit code $RC, expected $1")
}

# expect_stderr WORD...: every WORD (fixed string) appears on stderr.
expect_stderr() {
    local w
    for w in "$@"; do
        grep -qF -- "$w" "$DIR/stderr" || PROBLEMS+=("stderr lacks '$w'")
    done
}

# expect_no_output [FOLDER...]: no *.h5, *.h5.partial or *.h5.lock in $DIR or
# the given folders (searched recursively, if they exist).
expect_no_output() {
    local d found
    for d in "$DIR" "$@"; do
        [[ -d "$d" ]] || continue
        found="$(find "$d" \( -name '*.h5' -o -name '*.h5.partial' -o -name '*.h5.lock' \) -print 2>/dev/null)"
        [[ -z "$found" ]] || PROBLEMS+=("left behind: $(echo "$found" | tr '\n' ' ')")
    done
}

# expect_no_leftovers: no *.partial or *.lock in $DIR (a finished run's .h5 may stay).
expect_no_leftovers() {
    local found
    found="$(find "$DIR" \( -name '*.partial' -o -name '*.lock' \) -print)"
    [[ -z "$found" ]] || PROBLEMS+=("left behind: $(echo "$found" | tr '\n' ' ')")
}

end_case() {
    if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
        echo "ok - $CASE"
        passed=$((passed + 1))
    else
        echo "not ok - $CASE"
        local p
        for p in "${PROBLEMS[@]}"; do echo "#   $p"; done
        echo "#   command exit code $RC; stderr:"
        sed 's/^/#     /' "$DIR/stderr" | head -20
        failed=$((failed + 1))
    fi
}

# ---- bad input ---------------------------------------------------------------

new_case "missing scenario file"
run "$DIR/no_such_scenario.ini" "${TINY[@]}" --out "$DIR/x.h5"
expect_rc 3
expect_stderr "no_such_scenario.ini"
expect_no_output
end_case

new_case "unknown key in a scenario file"
printf 'extends = %s\n\n[firms]\nchii = 0.3\n' "$BASELINE" >"$DIR/bad_key.ini"
run "$DIR/bad_key.ini" "${TINY[@]}" --out "$DIR/x.h5"
expect_rc 2
expect_stderr "bad_key.ini:4" "firms.chii" "unknown key"
expect_no_output
end_case

new_case "value out of range (--set firms.chi=1.5)"
run "$BASELINE" "${TINY[@]}" --set firms.chi=1.5 --out "$DIR/x.h5"
expect_rc 2
expect_stderr "firms.chi" "1.5" "[0, 1]"
expect_no_output
end_case

new_case "value out of range in a scenario file"
printf 'extends = %s\n\n[firms]\nchi = -0.2\n' "$BASELINE" >"$DIR/bad_value.ini"
run "$DIR/bad_value.ini" "${TINY[@]}" --out "$DIR/x.h5"
expect_rc 2
expect_stderr "bad_value.ini:4" "firms.chi" "[0, 1]"
expect_no_output
end_case

new_case "--set on a non-existent key"
run "$BASELINE" "${TINY[@]}" --set firms.no_such_key=1 --out "$DIR/x.h5"
expect_rc 2
expect_stderr "firms.no_such_key" "unknown key"
expect_no_output
end_case

new_case "malformed --set (no section.key=value)"
run "$BASELINE" "${TINY[@]}" --set firmschi --out "$DIR/x.h5"
expect_rc 2
expect_stderr "firmschi" "section.key=value"
expect_no_output
end_case

new_case "malformed --set (not a number)"
run "$BASELINE" "${TINY[@]}" --set firms.chi=abc --out "$DIR/x.h5"
expect_rc 2
expect_stderr "firms.chi" "abc"
expect_no_output
end_case

new_case "unwritable output folder (/nonexistent/dir)"
run "$BASELINE" "${TINY[@]}" --out /nonexistent/dir/x.h5
expect_rc 3
expect_stderr "/nonexistent/dir/x.h5"
expect_no_output /nonexistent
end_case

# Tests may run as root, who can write into a read-only folder: a path below
# a regular file cannot be created by anyone.
new_case "unwritable output path (below a regular file)"
touch "$DIR/plainfile"
run "$BASELINE" "${TINY[@]}" --out "$DIR/plainfile/x.h5"
expect_rc 3
expect_stderr "$DIR/plainfile/x.h5"
[[ -f "$DIR/plainfile" && ! -s "$DIR/plainfile" ]] || PROBLEMS+=("$DIR/plainfile was changed")
expect_no_output
end_case

new_case "output name not ending in .h5"
run "$BASELINE" "${TINY[@]}" --out "$DIR/x.txt"
expect_rc 2
expect_stderr "x.txt" ".h5"
expect_no_output
[[ ! -e "$DIR/x.txt" && ! -e "$DIR/x.txt.partial" ]] || PROBLEMS+=("x.txt was written")
end_case

new_case "existing output not overwritten without --force"
run "$BASELINE" "${TINY[@]}" --out "$DIR/x.h5"
if [[ "$RC" -ne 0 || ! -f "$DIR/x.h5" ]]; then
    PROBLEMS+=("the first run (exit $RC) did not write x.h5")
else
    before="$(sha256sum <"$DIR/x.h5")"
    touch -d '2001-01-01 00:00:00' "$DIR/x.h5"
    mtime_before="$(stat -c %Y "$DIR/x.h5")"
    run "$BASELINE" "${TINY[@]}" --seed 2 --out "$DIR/x.h5"
    expect_rc 3
    expect_stderr "x.h5" "exists" "--force"
    [[ "$(sha256sum <"$DIR/x.h5")" == "$before" ]] || PROBLEMS+=("x.h5 content changed")
    [[ "$(stat -c %Y "$DIR/x.h5")" == "$mtime_before" ]] || PROBLEMS+=("x.h5 was touched")
    expect_no_leftovers
fi
end_case

new_case "--threads 0"
run "$BASELINE" "${TINY[@]}" --threads 0 --out "$DIR/x.h5"
expect_rc 2
expect_stderr "--threads"
expect_no_output
end_case

new_case "unknown option"
run "$BASELINE" "${TINY[@]}" --no-such-option --out "$DIR/x.h5"
expect_rc 2
expect_stderr "--no-such-option"
expect_no_output
end_case

new_case "option missing its value (--out last)"
run "$BASELINE" "${TINY[@]}" --out
expect_rc 2
expect_stderr "--out"
expect_no_output
end_case

# ---- good input --------------------------------------------------------------

new_case "tiny run writes a complete file"
run "$BASELINE" "${TINY[@]}" --out "$DIR/ok.h5"
expect_rc 0
if [[ -f "$DIR/ok.h5" ]]; then
    h5dump -a /status "$DIR/ok.h5" 2>&1 | grep -q '"complete"' || PROBLEMS+=("attribute /status of ok.h5 is not \"complete\"")
else
    PROBLEMS+=("ok.h5 not written")
fi
expect_no_leftovers
end_case

new_case "--force replaces an existing output"
run "$BASELINE" "${TINY[@]}" --out "$DIR/ok.h5"
first_rc=$RC
before="$(sha256sum <"$DIR/ok.h5" 2>/dev/null || true)"
run "$BASELINE" "${TINY[@]}" --seed 2 --force --out "$DIR/ok.h5"
expect_rc 0
[[ "$first_rc" -eq 0 ]] || PROBLEMS+=("the first run failed with exit $first_rc")
[[ "$(sha256sum <"$DIR/ok.h5" 2>/dev/null)" != "$before" ]] || PROBLEMS+=("ok.h5 not replaced by the seed-2 run")
h5dump -a /status "$DIR/ok.h5" 2>&1 | grep -q '"complete"' || PROBLEMS+=("attribute /status of ok.h5 is not \"complete\"")
expect_no_leftovers
end_case

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
