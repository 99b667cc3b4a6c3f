#!/usr/bin/env bash
# One prepared run for a machine with a hardware GPU: builds, runs the GPU == CPU equality
# tests on that GPU (single-region and network), then measures both backends on RTS-79, the
# 96-unit RTS-79 x3 study, the three-region study with storage and the RTS-GMLC PRAS system
# (when the machine has libhdf5; without it egap builds without PRAS support and says so).
# Writes everything under ${OUT:-gpu-check}/ so the figures can be quoted with their command.
#
#   bash examples/gpu-check.sh            # results in gpu-check/
set -uo pipefail
out=${OUT:-gpu-check}
mkdir -p "$out"
{
  egap_bin=target/release/egap
  features=""
  if ! pkg-config --exists hdf5 2>/dev/null; then
    features="--no-default-features"
    echo "no libhdf5 here: building without PRAS support"
  fi
  cargo build --release $features 2>&1 | tail -2
  "$egap_bin" devices
  CI=true cargo test --release $features --test gpu --test gpu_network --test network_limits --test determinism --test pras -- --nocapture 2>&1 | grep -E "GPU tests on|^test |test result"
  if [ -z "$features" ] && [ -f data/pras/rts.pras ]; then
    "$egap_bin" bench data/pras/rts.pras --trajectories 100000 --backend gpu
    "$egap_bin" bench data/pras/rts.pras --trajectories 2000 --backend cpu
  fi
  for s in scenarios/rts79/rts79.toml scenarios/rts79x3/rts79x3.toml; do
    "$egap_bin" bench "$s" --trajectories 2000000 --backend gpu
    "$egap_bin" bench "$s" --trajectories 200000 --backend cpu
  done
  # A year of network dispatch: the whole-year GPU == CPU check runs in gpu_network above.
  "$egap_bin" bench scenarios/three-region/three-region.toml --trajectories 200000 --backend gpu
  "$egap_bin" bench scenarios/three-region/three-region.toml --trajectories 4000 --backend cpu
  # A billion-trajectory-scale run shows sustained throughput and bounded memory.
  /usr/bin/time -v "$egap_bin" run scenarios/rts79/rts79.toml --trajectories 20000000 --seed 7 \
    --backend gpu --chunk-size 1048576 --out "$out/rts79-gpu" --force 2>&1 | grep -E "trajectories in|Maximum resident"
} 2>&1 | tee "$out/gpu-check.log"
