#!/usr/bin/env bash
# cite-docs.sh [--check] [PATH...] - point every citation of the original
# specification files (the model and design briefs and the list of facts, kept
# outside this repository) at the project's own documents:
#
#   model brief, section N (also "section N", "§N")  -> docs/model.md N
#   model brief, "quoted words"                      -> docs/model.md "quoted words"
#   design brief, "Title" (or Title unquoted)        -> docs/design.md "Title"
#   list of facts                                    -> docs/data.md
#   the shared folder's copies of these files          -> the docs/ file above
#
# Where a citation quotes what the original brief said and the code departs
# from it ("... 5 says 0.05", "... 6 default 0.6", "0 = ... 7", "... 5's rule
# is 1", "... 8 is silent on ..."), the result reads "the first specification
# (docs/model.md N) ...": docs/model.md records, section by section, what the
# first specification said where the code departs from it, so the rewritten
# sentence stays true. One title moved: phase "8. Entry under incentives" is
# section "10. Entry under incentives" of docs/model.md.
#
# Files: the PATHs given (folders recursively), by default
#   sim analysis tests docs README.md run.sh tools CMakeLists.txt scenarios
# from the repository root. This script itself is skipped. Idempotent: a
# second run changes nothing. It prints every citation it could not map
# (file:line) and exits 1 if there is one.
#
# --filter: rewrite standard input to standard output (tests/e2e_docs.sh
# compares generated tables through it).
#
# --check: change nothing; verify that every "docs/model.md N" names a section
# of docs/model.md, every docs/model.md "Title" is a heading (or, for a quoted
# sentence, words) of docs/model.md, and every docs/design.md "Title" begins a
# heading of docs/design.md. Prints each citation that does not resolve; exit 1
# if there is one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
check=0 filter=0
if [[ "${1:-}" == "--check" ]]; then check=1; shift; fi
if [[ "${1:-}" == "--filter" ]]; then filter=1; shift; fi
cd "$root"
if [[ $# -eq 0 ]]; then set -- sim analysis tests docs README.md run.sh tools CMakeLists.txt scenarios; fi

if [[ $filter -eq 1 ]]; then set -- /dev/null; fi
files=()
while IFS= read -r -d '' f; do
    [[ "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" == "$self" ]] && continue
    grep -Iq . "$f" 2>/dev/null || continue   # text files only
    files+=("$f")
done < <(find "$@" -type f ! -path '*/.git/*' ! -path '*/build*/*' -print0 2>/dev/null)

# The patterns below never contain the file names literally (every dot is
# escaped), so this script does not match the search for leftover citations.
M='MODEL\.md'; D='DESIGN\.md'; F='FACTS\.md'
# A citation may wrap: spaces, a newline, a comment leader (* // ; #), spaces.
W='(?:[ \t]*\n[ \t]*(?:\*|//|;|#)?)?[ \t]*'
N='\d+(?:\.\d+)?(?:-\d+)?'

subst="
            s{\.\./shared/$M}{docs/model.md}g;
            s{\.\./shared/$D}{docs/design.md}g;
            s{\.\./shared/$F}{docs/data.md}g;
            s{(docs/model\.md,?${W}\\\\?\")8\. Entry under incentives}{\${1}10. Entry under incentives}g;
            s{(?:$M|MODEL)${W}(?:§)?(${N})'s((?:$W)(?:one-step${W})?(?:rule|rates))}{the first specification's\$2 (docs/model.md \$1)}g;
            s{$M(${W})(${N})(${W})default(${W})(\d[\d.]*)}{default\$4\$5 in the first specification (docs/model.md \$2)}g;
            s{$M(${W})(${N})(${W})(says|keeps|writes|uses|raises|is silent|pays one)\b}{the first specification (docs/model.md \$2)\$3\$4}g;
            s{((?:= |gives back |gives |as in |lack, |fixed rates of |fixed ones of |one-step rule of )${W})$M(${W})(${N})}{\$1the first specification (docs/model.md \$3)}g;
            s{$M}{docs/model.md}g;
            s{\bMODEL(${W})(?:§)}{docs/model.md\$1}g;
            s{$D}{docs/design.md}g;
            s{$F}{docs/data.md}g;
"

if [[ $filter -eq 1 ]]; then exec perl -0777 -pe "$subst"; fi
if [[ $check -eq 0 ]]; then
    for f in "${files[@]}"; do
        perl -0777 -i -pe "$subst" "$f"
    done
    left=0
    for f in "${files[@]}"; do
        if grep -nE 'MODEL(\.md|[[:space:]]*§|[[:space:]]*$)|DESIGN\.md|FACTS\.md|\.\./shared' "$f" >/dev/null; then
            grep -nE 'MODEL(\.md|[[:space:]]*§|[[:space:]]*$)|DESIGN\.md|FACTS\.md|\.\./shared' "$f" | sed "s|^|not mapped: $f:|"
            left=1
        fi
    done
    [[ $left -eq 0 ]] || exit 1
    exit 0
fi

# --check
bad=0
model="$root/docs/model.md" design="$root/docs/design.md"
sections="$(grep -oE '^## [0-9]+\.' "$model" | grep -oE '[0-9]+' | sort -n | uniq | tr '\n' ' ')"
for f in "${files[@]}"; do
    # Join wrapped lines (comment leaders dropped) so a citation is on one line.
    text="$(perl -0777 -pe 's/[ \t]*\n[ \t]*(?:\*|\/\/|;|#)?[ \t]*/ /g; s/\\"/"/g' "$f")"
    while IFS= read -r n; do
        n="${n%%[-.]*}"
        [[ " $sections " == *" $n "* ]] || { echo "no section $n in docs/model.md (cited by $f)"; bad=1; }
    done < <(grep -oE 'docs/model\.md (section |sections )?[0-9]+([.-][0-9]+)?' <<<"$text" | grep -oE '[0-9]+([.-][0-9]+)?$' || true)
    while IFS= read -r t; do
        t="${t#*\"}"
        if ! grep -qE "^#+ .*$(printf '%s' "$t" | sed 's/[][\.*^$/]/\\&/g')" "$model"; then
            # A quoted sentence ("A ... B"): each part must be words of the file.
            ok=1
            model_text="$(tr '\n' ' ' <"$model" | tr -s ' ')"
            while IFS= read -r part; do
                part="$(sed 's/^ *//; s/ *$//' <<<"$part")"
                [[ -z "$part" ]] && continue
                [[ "$model_text" == *"$part"* ]] || ok=0
            done < <(sed 's/\.\.\./\n/g' <<<"$t")
            [[ $ok -eq 1 ]] || { echo "no heading or text \"$t\" in docs/model.md (cited by $f)"; bad=1; }
        fi
    done < <(grep -oE 'docs/model\.md,? "[^"]+' <<<"$text" || true)
    while IFS= read -r t; do
        t="${t#*\"}"
        grep -qE "^#+ $(printf '%s' "$t" | sed 's/[][\.*^$/]/\\&/g')" "$design" 2>/dev/null ||
            { echo "no heading \"$t\" in docs/design.md (cited by $f)"; bad=1; }
    done < <(grep -oE 'docs/design\.md,? "[^"]+' <<<"$text" || true)
    while IFS= read -r t; do
        t="${t##* }"
        grep -qE "^#+ $t" "$design" 2>/dev/null || { echo "no heading \"$t\" in docs/design.md (cited by $f)"; bad=1; }
    done < <(grep -oE 'docs/design\.md [A-Z][a-z]+' <<<"$text" || true)
done
[[ $bad -eq 0 ]] && echo "every citation of docs/model.md and docs/design.md resolves"
exit $bad
