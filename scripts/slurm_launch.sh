#!/usr/bin/env bash
# make mnist LAUNCHER=slurm / make regress LAUNCHER=slurm: the run as one Slurm job array, one
# shard per array task (SLURM_ARRAY_TASK_ID = K of --shard K/N), waited for, then merged by
# `cosim merge` into the report a local run gives. docs/cluster.md has the options for a real
# cluster; the build directory and the repository must be on a file system every node mounts.
#   scripts/slurm_launch.sh mnist|regress BUILD
#   SHARDS=N (default 4), PARTITION= (default: the cluster's default), TIME=HH:MM:SS (default
#   00:30:00 per task), MEM= (default 2G per task), CPUS=N (CPUs per task, default 1: --jobs of
#   each task), SBATCH_ARGS="..." (anything else sbatch takes, e.g. --account=x --qos=y),
#   OUT=DIR (default BUILD/slurm-runs/KIND-DATE: task logs, shard reports, merged.json)
#   mnist: MODEL IMAGES LABELS LIMIT CONFIG COSIM_ARGS as for make mnist; regress: SEEDS
#   FIRST_SEED CONFIGS as for make regress.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-} build=$(realpath "${2:-build}")
root=$(pwd)
shards=${SHARDS:-4}
out=$(realpath -m "${OUT:-$build/slurm-runs/$kind-$(date +%Y%m%d-%H%M%S)}")
die() { echo "error: slurm_launch: $*" >&2; exit 2; }
[[ "$kind" == mnist || "$kind" == regress ]] || die "usage: scripts/slurm_launch.sh mnist|regress BUILD"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "SHARDS=$shards: expected a positive number"
command -v sbatch >/dev/null || die "sbatch not found (a Slurm client; scripts/deps.sh --slurm)"
cosim="$build/sim/cosim"
[[ -x "$cosim" ]] || die "$cosim missing (make build)"
mkdir -p "$out"
rm -f "$out"/shard-*.json

# The task: its shard K of N, its report shard-K.json. A task whose run found mismatches still
# writes its report (exit 1 is a result, not a failure); merging tells the verdict.
{
  echo '#!/usr/bin/env bash'
  echo "set -uo pipefail; cd '$root'"
  echo 'k=$SLURM_ARRAY_TASK_ID'
  if [[ $kind == mnist ]]; then
    printf "'%s' mnist --model '%s'" "$cosim" "${MODEL:-models/mnist_int8}"
    # No IMAGES: the model's own reference set (model.json "reference").
    [[ -n "${IMAGES:-}" ]] && printf " --images '%s' --labels '%s'" "$IMAGES" "${LABELS:-}"
    [[ -n "${LIMIT:-}" ]] && printf " --limit %s" "$LIMIT"
    [[ -n "${CONFIG:-}" ]] && printf " --config %s" "$CONFIG"
    printf " %s --shard \$k/%s --jobs \${SLURM_CPUS_PER_TASK:-1} --json '%s'/shard-\$k.json\n" \
      "${COSIM_ARGS:-}" "$shards" "$out"
  else
    printf "SEEDS=%s FIRST_SEED=%s CONFIGS='%s' SHARD=\$k/%s JOBS=\${SLURM_CPUS_PER_TASK:-1} REPORT='%s'/shard-\$k.json" \
      "${SEEDS:-100}" "${FIRST_SEED:-1}" "${CONFIGS:-}" "$shards" "$out"
    printf " bash scripts/regress.sh '%s'\n" "$build"
  fi
  echo 'rc=$?; [[ $rc -le 1 ]] && exit 0 || exit $rc'
} > "$out/task.sh"
chmod +x "$out/task.sh"

args=(--parsable --wait --array="1-$shards" --job-name="accel-$kind" --output="$out/task-%a.log"
      --time="${TIME:-00:30:00}" --mem="${MEM:-2G}" --cpus-per-task="${CPUS:-1}")
[[ -n "${PARTITION:-}" ]] && args+=(--partition="$PARTITION")
# shellcheck disable=SC2206
[[ -n "${SBATCH_ARGS:-}" ]] && args+=($SBATCH_ARGS)
start=$(date +%s)
echo "slurm: submitting $kind as $shards array tasks (logs and reports in $out)"
job=$(sbatch "${args[@]}" "$out/task.sh") || echo "slurm: job array ${job:-?} ended with failed tasks (see $out/task-*.log)"
echo "slurm: job array ${job%%;*} done in $(( $(date +%s) - start )) s; merging"
"$cosim" merge "$out"/shard-*.json --json "$out/merged.json"
