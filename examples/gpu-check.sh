#!/usr/bin/env bash
# One prepared run for a machine with a hardware GPU: builds, runs the GPU == CPU equality
# tests on that GPU (single-region, network, limits, and every bundled study for its whole
# horizon), then measures both backends on every bundled study and RTS-GMLC's PRAS file.
# Any failure stops the script with a non-zero status. Writes everything under
# ${OUT:-gpu-check}/ so the figures can be quoted with their command.
#
#   bash examples/gpu-check.sh            # results in gpu-check/
set -euo pipefail
out=${OUT:-gpu-check}
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1
egap_bin=target/release/egap
cargo build --release --locked
"$egap_bin" devices
CI=true cargo test --release --locked --test suite -- --nocapture gpu:: gpu_network:: \
  network_limits:: limits:: determinism:: gpu_whole_year::
CI=true cargo test --release --locked --test pras -- --nocapture
# Throughput, trajectory-years per second, of each backend on each study.
for s in scenarios/rts79/rts79.toml scenarios/rts79x3/rts79x3.toml \
  scenarios/rts79-datacentre/rts79-datacentre.toml; do
  "$egap_bin" bench "$s" --trajectories 2000000 --backend gpu
  "$egap_bin" bench "$s" --trajectories 200000 --backend cpu
done
for s in data/pras/rts.pras scenarios/three-region/three-region.toml \
  scenarios/west-east/west-east.toml scenarios/us-datacenter-2030/us-datacenter-2030.toml \
  scenarios/china-west-east/china-west-east.toml \
  scenarios/east-data-west-compute/east-data-west-compute.toml; do
  "$egap_bin" bench "$s" --trajectories 200000 --backend gpu
  "$egap_bin" bench "$s" --trajectories 4000 --backend cpu
done
# A billion-trajectory-scale run shows sustained throughput and bounded memory.
/usr/bin/time -v "$egap_bin" run scenarios/rts79/rts79.toml --trajectories 20000000 --seed 7 \
  --backend gpu --chunk-size 1048576 --out "$out/rts79-gpu" --force --no-plots
