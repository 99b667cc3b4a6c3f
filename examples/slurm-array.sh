#!/usr/bin/env bash
# Run one egap study as a Slurm job array: each array task runs one shard (a disjoint range
# of trajectories); a final job merges them into a summary byte-identical to a single run.
#
#   sbatch --array=1-16 examples/slurm-array.sh scenarios/rts79/rts79.toml 16000000 16
#   # when all tasks have finished:
#   egap merge results/shard-*-of-16.json --out results/merged
#
#SBATCH --job-name=egap
#SBATCH --cpus-per-task=8
#SBATCH --output=egap-%A_%a.log
set -euo pipefail
scenario=$1 trajectories=$2 shards=$3
egap run "$scenario" --trajectories "$trajectories" --seed 1 \
  --shard "${SLURM_ARRAY_TASK_ID}/${shards}" --out results
