#!/usr/bin/env bash
# e2e_docs.sh BIN_DIR - the documentation is current: the parameter table in
# docs/model.md equals what docs/params_table.sh generates from the program
# and scenarios/baseline.ini (citations normalised by tools/cite-docs.sh
# --filter, so the table may be rewritten before or after the sources), so
# every key has its unit, range, baseline value and source written down; and
# every parameter value the docs quote in the form `section.key = value`
# (docs/*.md, README.md) is the value scenarios/baseline.ini sets.
set -uo pipefail
bin="${1:?usage: e2e_docs.sh BIN_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pass=0 fail=0
want="$(mktemp)" have="$(mktemp)"
trap 'rm -f "$want" "$have"' EXIT
"$root/docs/params_table.sh" "$bin" | "$root/tools/cite-docs.sh" --filter >"$want"
awk '/PARAMS-BEGIN/{on=1; next} /PARAMS-END/{on=0} on' "$root/docs/model.md" >"$have"
if diff -u "$have" "$want"; then
    echo "ok - docs/model.md parameter table is current"; pass=$((pass + 1))
else
    echo "not ok - docs/model.md parameter table differs from docs/params_table.sh output (regenerate it)"; fail=$((fail + 1))
fi
n_keys=$("$bin/incubator-sim" --list-params | tail -n +3 | wc -l)
n_rows=$(grep -c '^| `' "$have")
if [[ "$n_keys" -gt 0 && "$n_keys" -eq "$n_rows" ]]; then
    echo "ok - $n_rows of $n_keys keys documented"; pass=$((pass + 1))
else
    echo "not ok - $n_rows rows for $n_keys keys"; fail=$((fail + 1))
fi
if grep -q '(not set)' "$have"; then
    echo "not ok - a key has no value in scenarios/baseline.ini"; fail=$((fail + 1))
else
    echo "ok - every key has a baseline value"; pass=$((pass + 1))
fi
# Quoted values: `section.key = value` in the docs against baseline.ini
# (numbers compared as numbers, so 0.10 = 0.1 and 740e6 = 740000000).
quoted="$(mktemp)"
trap 'rm -f "$want" "$have" "$quoted"' EXIT
grep -noE '`[a-z_]+\.[a-z_0-9]+ = [^`]+`' "$root"/docs/*.md "$root/README.md" >"$quoted" || true
n_quoted=$(wc -l <"$quoted")
bad_quoted="$(awk -v ini="$root/scenarios/baseline.ini" '
BEGIN {
    sec = ""
    while ((getline line < ini) > 0) {
        if (line ~ /^[ \t]*\[/) { s = line; gsub(/[][ \t]/, "", s); sec = s; continue }
        if (line ~ /^[ \t]*[;#]/ || line !~ /=/) continue
        k = line; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
        v = line; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*;.*/, "", v); gsub(/[ \t]+$/, "", v)
        val[sec "." k] = v
    }
}
{
    where = $0; sub(/:`.*/, "", where)
    q = $0; sub(/^[^`]*`/, "", q); sub(/`$/, "", q)
    key = q; sub(/ = .*/, "", key)
    v = q; sub(/^[^=]* = /, "", v)
    isnum = "^[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?$"
    if (!(key in val)) { print where ": `" q "`: no key " key " in scenarios/baseline.ini"; next }
    b = val[key]
    if (v ~ isnum && b ~ isnum) { if (v + 0 != b + 0) print where ": `" q "`: scenarios/baseline.ini sets " key " = " b; next }
    if (v != b) print where ": `" q "`: scenarios/baseline.ini sets " key " = " b
}' "$quoted")"
if [[ "$n_quoted" -gt 0 && -z "$bad_quoted" ]]; then
    echo "ok - $n_quoted quoted parameter values match scenarios/baseline.ini"; pass=$((pass + 1))
else
    echo "not ok - quoted parameter values (${n_quoted} found) differ from scenarios/baseline.ini:"
    printf '%s\n' "$bad_quoted"
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
