#!/usr/bin/env bash
# make regress: a random-layer regression on the RTL device of every configuration.
# Per configuration and seed: one random conv layer (shape, stride, padding and strategy drawn from
# the seed), one random linear layer, the same two kinds again with other shapes on the
# output-stationary dataflow (--dataflow os), and one vector set exported and replayed (cosim
# export-vectors + cosim vectors). Every psum row and output is checked against golden; the last
# line is the summary and the exit code the verdict.
#   scripts/regress.sh [BUILD_DIR]     SEEDS=N (default 100), FIRST_SEED=S (default 1), JOBS=N, CONFIGS="a b"
#     SHARD=K/N   only jobs K, K+N, K+2N, ... of the list (1-based; the list is the same for every K)
#     REPORT=F    also write the results as JSON (docs/cosim.md "cosim merge"): the shards' reports
#                 merge with `cosim merge` into the report of the whole run
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seeds=${SEEDS:-100}
first=${FIRST_SEED:-1}
jobs=${JOBS:-$(nproc)}
exe="$build/sim/cosim"
[[ -x "$exe" && -f "$build/configs.list" ]] || { echo "error: $exe or $build/configs.list missing (run make build)" >&2; exit 1; }
# Every configuration of rtl/configs.txt (CONFIGS="a b" narrows it).
read -r -a configs <<<"${CONFIGS:-$(cut -d' ' -f1 "$build/configs.list" | tr '\n' ' ')}"
shard_k=1 shard_n=1
if [[ -n "${SHARD:-}" ]]; then
  [[ "$SHARD" =~ ^([0-9]+)/([0-9]+)$ ]] && (( BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= BASH_REMATCH[2] )) ||
    { echo "error: SHARD=$SHARD: expected K/N with 1 <= K <= N" >&2; exit 2; }
  shard_k=${BASH_REMATCH[1]} shard_n=${BASH_REMATCH[2]}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One job per line: name, then the command. Shapes come from a hash of (seed, salt).
h() { echo $(( ($1 * 2654435761 + $2 * 40503) % 4294967296 / 7 )); }
for cfg in "${configs[@]}"; do
  for ((s = first; s < first + seeds; s++)); do
    k=$(( 1 + $(h $s 1) % 3 ))
    size=$(( k + $(h $s 2) % 14 ))
    strat=$([[ $(( $(h $s 3) % 2 )) == 0 ]] && echo im2col || echo kernel-major)
    echo "conv-$cfg-$s $exe layer --seed $s --config $cfg --kind conv --in-ch $(( 1 + $(h $s 4) % 40 ))" \
         "--out-ch $(( 1 + $(h $s 5) % 36 )) --size $size --kernel $k --stride $(( 1 + $(h $s 6) % 2 ))" \
         "--padding $(( $(h $s 7) % (k / 2 + 1) )) --batch $(( 1 + $(h $s 8) % 2 )) --strategy $strat --device rtl"
    echo "linear-$cfg-$s $exe layer --seed $s --config $cfg --kind linear --in-features $(( 1 + $(h $s 9) % 400 ))" \
         "--out-features $(( 1 + $(h $s 10) % 64 )) --batch $(( 1 + $(h $s 11) % 12 )) --device rtl"
    k=$(( 1 + $(h $s 21) % 3 ))
    echo "os-conv-$cfg-$s $exe layer --seed $s --config $cfg --kind conv --in-ch $(( 1 + $(h $s 22) % 40 ))" \
         "--out-ch $(( 1 + $(h $s 23) % 36 )) --size $(( k + $(h $s 24) % 14 )) --kernel $k" \
         "--stride $(( 1 + $(h $s 25) % 2 )) --padding $(( $(h $s 26) % (k / 2 + 1) )) --batch $(( 1 + $(h $s 27) % 2 ))" \
         "--dataflow os --device rtl"
    echo "os-linear-$cfg-$s $exe layer --seed $s --config $cfg --kind linear --in-features $(( 1 + $(h $s 28) % 400 ))" \
         "--out-features $(( 1 + $(h $s 29) % 64 )) --batch $(( 1 + $(h $s 30) % 20 )) --dataflow os --device rtl"
    echo "vectors-$cfg-$s $exe export-vectors --out $work/v-$cfg-$s --config $cfg --seed $s" \
         "--size $(( 3 + $(h $s 12) % 6 )) && $exe vectors --dir $work/v-$cfg-$s --config $cfg --device rtl"
  done
done > "$work/all"
# Every job keeps its number in the whole list, so that shards merge back in list order.
awk -v k="$shard_k" -v n="$shard_n" '(NR - k) % n == 0 { print NR - 1, $0 }' "$work/all" > "$work/jobs"

start=$(date +%s.%N)
# Progress on a terminal only (not in CI logs): jobs done of all, jobs per second, ETA.
total=$(wc -l < "$work/jobs")
progress() {
  local n line
  while sleep 1; do
    n=$(find "$work" -maxdepth 1 -name '*.rc' | wc -l)
    line=$(awk -v n="$n" -v t="$total" -v s="$start" -v now="$(date +%s.%N)" 'BEGIN {
      el = now - s; r = el > 0 ? n / el : 0
      eta = r > 0 ? (t - n) / r : 0
      printf "regress: %d/%d jobs, %.1f jobs/s, ETA %.0f s", n, t, r, eta }')
    printf '\r%s   ' "$line" >&2
  done
}
monitor=""
if [[ -t 2 && -z "${CI:-}" ]]; then
  progress &
  monitor=$!
fi
# shellcheck disable=SC2016
cut -d' ' -f2- "$work/jobs" | xargs -P "$jobs" -L 1 bash -c 'name=$1; shift; if eval "$*" >"'"$work"'/$name.log" 2>&1; then echo ok >"'"$work"'/$name.rc";
  else echo fail >"'"$work"'/$name.rc"; fi' _
if [[ -n "$monitor" ]]; then
  kill "$monitor" 2>/dev/null || true
  wait "$monitor" 2>/dev/null || true
  printf '\n' >&2
fi
elapsed=$(echo "$(date +%s.%N) - $start" | bc)

layers=0; os_layers=0; vectors=0; failed=0; mism=0
entries=()
while read -r index name _; do
  if [[ "$name" == vectors-* ]]; then vectors=$((vectors + 1)); else layers=$((layers + 1)); fi
  [[ "$name" == os-* ]] && os_layers=$((os_layers + 1))
  ok=false
  [[ "$(cat "$work/$name.rc" 2>/dev/null)" == ok ]] && ok=true
  if [[ $ok == false ]]; then
    failed=$((failed + 1))
    echo "FAIL $name: $(grep -m1 -E '^(error|scoreboard|result)' "$work/$name.log" || true)"
    sed -n '/^scoreboard/,$p;/^error/p' "$work/$name.log" | head -14 | sed 's/^/  /'
  fi
  m=$(sed -n 's/^scoreboard: .* \([0-9][0-9]*\) mismatches$/\1/p' "$work/$name.log" | head -1)
  mism=$((mism + ${m:-0}))
  entries+=("{\"index\": $index, \"name\": \"$name\", \"ok\": $ok, \"mismatches\": ${m:-0}}")
done < "$work/jobs"
if [[ -n "${REPORT:-}" ]]; then
  {
    printf '{\n  "command": "regress",\n  "configs": [%s],\n  "seeds": %d,\n  "first_seed": %d,\n' \
      "$(printf '"%s",' "${configs[@]}" | sed 's/,$//')" "$seeds" "$first"
    [[ -n "${SHARD:-}" ]] && printf '  "shard": {"index": %d, "count": %d},\n' "$shard_k" "$shard_n"
    printf '  "total_jobs": %d,\n  "wall_seconds": %s,\n  "jobs": [\n' "$(wc -l < "$work/all")" "$(printf %.2f "$elapsed")"
    for ((i = 0; i < ${#entries[@]}; i++)); do
      printf '    %s%s\n' "${entries[$i]}" "$([[ $i -lt $(( ${#entries[@]} - 1 )) ]] && echo ,)"
    done
    printf '  ]\n}\n'
  } > "$REPORT"
fi
[[ -n "${SHARD:-}" ]] && echo "regress: shard $SHARD"
printf 'regress: %d configurations x %d seeds, %d layers (%d output-stationary), %d vector sets, %d mismatches, %d failed (%.0f s)\n' \
  "${#configs[@]}" "$seeds" "$layers" "$os_layers" "$vectors" "$mism" "$failed" "$elapsed"
[[ $failed == 0 ]]
