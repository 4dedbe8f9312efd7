#!/usr/bin/env bash
# Takes a PNG screenshot of a report.html (or any HTML/SVG file) with headless Chromium, to
# check by eye that the figures and tables are readable.
#
#   tests/report/screenshot.sh out/report.html [report.png] [height_px] [offset_px]
#
# The page is captured 1280 px wide and height_px tall (default 3000) starting offset_px
# (default 0) from its top, so a long report can be looked at window by window:
#   for k in 0 1 2 3 4 5 6 7 8; do tests/report/screenshot.sh out/report.html page_$k.png 2400 $((k*2400)); done
# Without Chromium (Debian: apt-get install chromium) it says so and exits 0.
set -euo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

input=$1
output=${2:-${input%.*}.png}
height=${3:-3000}
offset=${4:-0}

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser=$candidate; break; fi
done
if [[ -z "$browser" ]]; then
  echo "screenshot.sh: Chromium not found, skipping the screenshot (apt-get install chromium)"
  exit 0
fi
if [[ ! -f "$input" ]]; then
  echo "screenshot.sh: $input: no such file" >&2
  exit 1
fi

profile=$(mktemp -d)
page=$input
cleanup() { rm -rf "$profile"; [[ "$page" != "$input" ]] && rm -f "$page"; return 0; }
trap cleanup EXIT

# To start lower down the page, shift a copy of it up (headless screenshots cannot scroll).
if [[ "$offset" != "0" ]]; then
  page="$(dirname "$input")/.screenshot_$$.html"
  sed "s|</style>|body{margin-top:-${offset}px !important}</style>|" "$input" >"$page"
fi

timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$(realpath -m "$output")" --window-size="1280,$height" \
  "file://$(realpath "$page")" >/dev/null 2>&1
if [[ ! -s "$output" ]]; then
  echo "screenshot.sh: Chromium wrote no screenshot for $input" >&2
  exit 1
fi
echo "screenshot.sh: wrote $output"
