#!/usr/bin/env bash
# params_table.sh BIN_DIR - print the parameter table of docs/model.md: every
# key the model reads (incubator-sim --list-params: unit, accepted range,
# description) with its value and source comment in scenarios/baseline.ini.
# docs/model.md holds this output between the PARAMS-BEGIN and PARAMS-END
# markers; tests/e2e_docs.sh checks that it is current. Regenerate with
#   docs/params_table.sh build/bin > /tmp/t && (edit docs/model.md)
set -euo pipefail
bin="${1:-build/bin}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$bin/incubator-sim" --list-params | awk -v ini="$root/scenarios/baseline.ini" '
BEGIN {
    FS = "|"
    sec = ""
    while ((getline line < ini) > 0) {
        if (line ~ /^[ \t]*\[/) { s = line; gsub(/[][ \t]/, "", s); sec = s; continue }
        if (line ~ /^[ \t]*[;#]/ || line !~ /=/) continue
        k = line; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
        v = line; sub(/^[^=]*=[ \t]*/, "", v)
        c = ""
        if (index(v, ";") > 0) { c = substr(v, index(v, ";") + 1); v = substr(v, 1, index(v, ";") - 1) }
        gsub(/^[ \t]+|[ \t]+$/, "", v); gsub(/^[ \t]+|[ \t]+$/, "", c)
        gsub(/\|/, "/", c)
        key = (sec == "" ? k : sec "." k)
        val[key] = v; com[key] = c
    }
}
NR == 1 { print "| key | unit | accepted range | baseline | source or assumption | description |"; next }
NR == 2 { print "|---|---|---|---|---|---|"; next }
{
    key = $2; gsub(/^[ \t]+|[ \t]+$/, "", key)
    unit = $3; range = $4; desc = $5
    gsub(/^[ \t]+|[ \t]+$/, "", unit); gsub(/^[ \t]+|[ \t]+$/, "", range); gsub(/^[ \t]+|[ \t]+$/, "", desc)
    src = com[key]; if (src == "") src = "-"
    printf "| `%s` | %s | %s | %s | %s | %s |\n", key, unit, range, (key in val ? val[key] : "(not set)"), src, desc
}'
