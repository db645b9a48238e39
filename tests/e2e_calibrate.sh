#!/usr/bin/env bash
# e2e_calibrate.sh BIN_DIR - the calibration procedure runs by one command,
# writes its record, changes the scenario only with --write (and then exactly
# the free parameters' values, comments kept), and is repeatable.
set -uo pipefail
bin="${1:?usage: e2e_calibrate.sh BIN_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
cp "$root/scenarios/baseline.ini" "$tmp/base.ini"
ln -s "$root/scenarios/data" "$tmp/data"
small=(--iterations 2 --workers 5000 --months 72 --seeds 2)
before=$(md5sum "$tmp/base.ini" | cut -d' ' -f1)
"$bin/incubator-calibrate" "$tmp/base.ini" "${small[@]}" --record "$tmp/a.md" >"$tmp/a.out" 2>/dev/null
rc=$?
[[ $rc -eq 0 && -s "$tmp/a.md" ]] && grep -q "Nelder-Mead" "$tmp/a.md" && grep -q "urban unemployment rate" "$tmp/a.md" &&
    ok "a record of the fit is written" || notok "calibrate exit $rc, record missing"
[[ "$(md5sum "$tmp/base.ini" | cut -d' ' -f1)" == "$before" ]] && ok "without --write the scenario is unchanged" ||
    notok "the scenario changed without --write"
"$bin/incubator-calibrate" "$tmp/base.ini" "${small[@]}" --record "$tmp/b.md" >"$tmp/b.out" 2>/dev/null
diff -q "$tmp/a.out" "$tmp/b.out" >/dev/null && ok "repeatable: the same fit twice" || notok "two runs gave different fits"
"$bin/incubator-calibrate" "$tmp/base.ini" "${small[@]}" --record "$tmp/c.md" --write >/dev/null 2>&1
new_lines=$(diff "$root/scenarios/baseline.ini" "$tmp/base.ini" | grep '^>')
changed=$(printf '%s\n' "$new_lines" | grep -c '^>')
keys=$(printf '%s\n' "$new_lines" | sed 's/^> *//; s/ *=.*//' | sort | tr '\n' ' ')
with_comment=$(printf '%s\n' "$new_lines" | grep -c ';')
if [[ $changed -ge 1 && $changed -le 12 && $with_comment -eq $changed ]]; then
    ok "--write changes only free parameters' lines, comments kept ($keys)"
else
    notok "--write changed $changed lines: $keys"
fi
"$bin/incubator-sim" "$tmp/base.ini" --workers 5000 --months 12 --quiet --out "$tmp/x.h5" >/dev/null 2>&1 &&
    ok "the written scenario still loads and runs" || notok "the written scenario does not run"
printf '# old record\n\n## Notes\n\nwhat the fit means, by hand\n' >"$tmp/d.md"
"$bin/incubator-calibrate" "$tmp/base.ini" "${small[@]}" --record "$tmp/d.md" >/dev/null 2>&1
grep -q "^## Notes" "$tmp/d.md" && grep -q "what the fit means, by hand" "$tmp/d.md" && ! grep -q "old record" "$tmp/d.md" &&
    ok "the record's hand-written Notes section is kept, the rest rewritten" || notok "Notes section lost or old fit kept"
# A scenario whose runs fail (a value that is not a number): exit 3 at the
# first evaluation, naming the file and line; neither the record nor the
# scenario is written.
sed 's/^mu = \([0-9.]*\) *;/mu = \1;/' "$tmp/base.ini" >"$tmp/broken.ini"
cp "$tmp/broken.ini" "$tmp/broken.orig"
printf '# old record\n' >"$tmp/e.md"
"$bin/incubator-calibrate" "$tmp/broken.ini" "${small[@]}" --record "$tmp/e.md" --write >"$tmp/e.out" 2>"$tmp/e.err"
rc=$?
if [[ $rc -eq 3 ]] && grep -q "broken.ini:[0-9]*: labour.mu" "$tmp/e.err" && cmp -s "$tmp/broken.ini" "$tmp/broken.orig" &&
    [[ "$(cat "$tmp/e.md")" == "# old record" && ! -e "$tmp/e.md.partial" ]]; then
    ok "a scenario whose runs fail: exit 3 naming file and line, nothing written"
else
    notok "failing runs: exit $rc, record or scenario touched, or no file:line in: $(head -c 300 "$tmp/e.err")"
fi
"$bin/incubator-calibrate" --bogus >/dev/null 2>&1
[[ $? -eq 2 ]] && ok "a bad option is a usage error" || notok "bad option not refused"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
