#!/usr/bin/env bash
# Renders an egap HTML report in headless Chromium and saves a full-page screenshot, to check
# that the page is self-contained and readable (no network is used).
#
#   apt-get install -y chromium          # Debian's package (provides /usr/bin/chromium)
#   bash examples/report-screenshot.sh [SCENARIO] [OUT]
#
# Defaults: the west-east example, 2,000 trajectories, into egap-out/report-check/.
set -euo pipefail
scenario=${1:-scenarios/west-east/west-east.toml}
out=${2:-egap-out/report-check}
cargo run --release -- report "$scenario" --trajectories 2000 --seed 1 --backend cpu \
  --out "$out" --force
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1100,6000 --screenshot="$out/report.png" "file://$(realpath "$out/report.html")"
echo "screenshot: $out/report.png"
