#!/usr/bin/env bash
# e2e_docs.sh BIN_DIR - the documentation is current: the parameter table in
# docs/model.md equals what docs/params_table.sh generates from the program
# and scenarios/baseline.ini, so every key has its unit, range, baseline value
# and source written down.
set -uo pipefail
bin="${1:?usage: e2e_docs.sh BIN_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pass=0 fail=0
want="$(mktemp)" have="$(mktemp)"
trap 'rm -f "$want" "$have"' EXIT
"$root/docs/params_table.sh" "$bin" >"$want"
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
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
