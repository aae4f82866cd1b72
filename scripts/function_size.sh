#!/usr/bin/env bash
# The longest functions of the host and harness code (sim/, sw/), measured by clang-tidy's
# readability-function-size (lines including blank lines and comments). Prints the longest ones;
# exits non-zero if any exceeds LIMIT lines (default 80: docs/extending.md, "one job per function").
#   scripts/function_size.sh [BUILD_DIR]     LIMIT=N, SHOW=N (default 5)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
limit=${LIMIT:-80}
show=${SHOW:-5}
[[ -f "$build/compile_commands.json" ]] || { echo "error: $build/compile_commands.json missing (make build)" >&2; exit 1; }
command -v clang-tidy >/dev/null || { echo "error: clang-tidy not installed (apt-get install clang-tidy)" >&2; exit 1; }
root=$(pwd)
mapfile -t files < <(git ls-files 'sim/*.cpp' 'sw/*.cpp')
out=$(for f in "${files[@]}"; do
  clang-tidy -p "$build" --quiet -checks='-*,readability-function-size' -header-filter="^$root/(sim|sw)/" \
    -config='{CheckOptions: [{key: readability-function-size.LineThreshold, value: 30}]}' "$f" 2>/dev/null
done)
# "<file>:<line>:<col>: warning: function 'name' exceeds ..." followed by "... note: N lines including ..."
table=$(awk '/warning: function/ { match($0, /function .[^ ]+. /); fn = substr($0, RSTART + 10, RLENGTH - 12);
                                   split($1, p, ":"); where = p[1] ":" p[2] }
             /lines including whitespace/ { for (i = 1; i <= NF; i++) if ($i == "lines") n = $(i - 1);
                                             print n, fn, where }' <<<"$out" | sed "s|$root/||" | sort -k3,3 -u | sort -rn)
echo "longest functions in sim/ and sw/ (lines, limit $limit):"
head -n "$show" <<<"$table" | awk '{ printf "  %4d  %s  %s\n", $1, $2, $3 }'
over=$(awk -v l="$limit" '$1 > l' <<<"$table" | wc -l)
(( over == 0 )) || { echo "function size: $over function(s) longer than $limit lines"; exit 1; }
