#!/usr/bin/env bash
# output_table.sh - print the dataset table of docs/output.md from
# sim/outputs.def (run from anywhere; GNU sed). docs/output.md holds this
# output between "<!-- table: ... -->" and "<!-- end of table -->".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sed -n 's/^OUTPUT(\([A-Z_]*\), *\([a-z0-9_]*\), *\([A-Z0-9]*\), *"\([^"]*\)", *"\([^"]*\)")$/\1\t\2\t\3\t\4\t\5/p' "$root/sim/outputs.def" |
awk -F'\t' '{s = $1=="NATIONAL" ? "(time)" : $1=="NODE" ? "(time, node)" : "(time, node, sector)";
  printf "| `/%s/%s` | %s | %s | %s | %s |\n", tolower($1), $2, s, $3=="F64" ? "float64" : "int64", $4, $5}'
