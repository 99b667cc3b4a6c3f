#!/usr/bin/env bash
# Renders an egap HTML report in headless Chromium and saves a full-page screenshot, to check
# that the page is self-contained and readable (no network is used).
#
#   apt-get install -y chromium          # Debian's package (provides /usr/bin/chromium)
#   bash examples/report-screenshot.sh [SCENARIO] [OUT] [HEIGHT]
#
# Defaults: the west-east example, 2,000 trajectories, into egap-out/report-check/, a page
# 6,000 px tall. docs/images/report-us-datacenter-2030.png is
#   bash examples/report-screenshot.sh scenarios/us-datacenter-2030/us-datacenter-2030.toml \
#     egap-out/report-check 1250
set -euo pipefail
scenario=${1:-scenarios/west-east/west-east.toml}
out=${2:-egap-out/report-check}
height=${3:-6000}
cargo run --release -- report "$scenario" --trajectories 2000 --seed 1 --backend cpu \
  --out "$out" --force
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size="1100,$height" --screenshot="$out/report.png" "file://$(realpath "$out/report.html")"
echo "screenshot: $out/report.png"
