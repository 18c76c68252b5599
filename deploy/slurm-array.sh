#!/bin/bash
# leakscope batch over a capture archive as a Slurm job array: task i processes shard i/N.
#   sbatch deploy/slurm-array.sh /data/captures /data/results
# then, when all tasks are done:
#   leakscope merge /data/results/shard-*.ndjson --out /data/results/all.ndjson
# Shards are numbered from 1 (as in Jest and Playwright), so the array is 1..N. Resubmitting a
# failed task resumes its file (and retries the captures that failed).
#SBATCH --job-name=leakscope-batch
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=leakscope-%A_%a.log
set -u
CAPTURES=${1:?usage: sbatch slurm-array.sh CAPTURE_DIR RESULT_DIR}
RESULTS=${2:?usage: sbatch slurm-array.sh CAPTURE_DIR RESULT_DIR}
SHARDS=${SLURM_ARRAY_TASK_COUNT:-8}
mkdir -p "$RESULTS"
leakscope batch "$CAPTURES" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --out "${RESULTS}/shard-${SLURM_ARRAY_TASK_ID}.ndjson" --resume \
  --jobs "${SLURM_CPUS_PER_TASK:-2}" --quiet
rc=$?
# 3: some captures were unreadable or damaged; they are recorded in the output
[ "$rc" -eq 3 ] && exit 0
exit "$rc"
