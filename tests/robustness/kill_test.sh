#!/usr/bin/env bash
# Kills `convgrad all` with SIGKILL at chosen moments and checks that its outputs are
# never half-written: after each kill OUT/results.json is absent or a complete JSON
# document, OUT/report.html is absent or complete (ends with </html>), and every
# OUT/figures/*.svg is complete (has </svg>). Once a run has completed, its results.json
# and report.html must stay (the next run may replace them, never remove or cut them).
#
#   tests/robustness/kill_test.sh [CONVGRAD_BINARY] [ROUNDS (default 8)] [SEED (default 1)]
#
# The moments: one whole run is timed first; then each round sleeps a seeded-random part of
# that time (half of the rounds in its last third, where the outputs are written) before
# the kill. Exits non-zero on the first broken file. Run by test_robustness (ctest).
set -uo pipefail

binary="${1:-build/convgrad}"
rounds="${2:-8}"
seed="${3:-1}"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/convgrad_kill_XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
out="$scratch/out"
run_args=(all --max-epochs 2 --threads 1 --quiet --data "$scratch/cells.csv" --out "$out")

fail() {
  echo "kill_test: FAILED: $*"
  exit 1
}

# A JSON document is complete when python3 parses it, or, without python3, when it is
# "{ ... }\n" as results.json is written.
json_complete() {
  if command -v python3 > /dev/null; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2> /dev/null
  else
    [ "$(head -c 1 "$1")" = "{" ] && [ "$(tail -c 2 "$1")" = "}" ]
  fi
}

check_outputs() {  # $1: what happened; $2: 1 when a complete run's outputs must be there
  local what="$1" must_exist="$2"
  if [ -e "$out/results.json" ]; then
    json_complete "$out/results.json" || fail "$what: results.json is not a complete JSON document"
  elif [ "$must_exist" = 1 ]; then
    fail "$what: results.json of the previous complete run is gone"
  fi
  if [ -e "$out/report.html" ]; then
    [ "$(tail -c 8 "$out/report.html" | tr -d '\n')" = "</html>" ] || fail "$what: report.html is cut short"
  elif [ "$must_exist" = 1 ]; then
    fail "$what: report.html of the previous complete run is gone"
  fi
  local svg
  for svg in "$out"/figures/*.svg; do
    [ -e "$svg" ] || continue
    grep -q '</svg>' "$svg" || fail "$what: $(basename "$svg") is cut short"
  done
}

"$binary" data --rows 500 --out "$scratch/cells.csv" > /dev/null || fail "convgrad data failed"

# One whole run: the time to spread the kills over, and the complete outputs to keep.
start=$(date +%s%N)
"$binary" "${run_args[@]}" > "$scratch/full.log" 2>&1 || { cat "$scratch/full.log"; fail "a whole run failed"; }
run_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check_outputs "after a whole run" 1
echo "kill_test: a whole run takes ${run_ms} ms; $rounds kills follow"

state=$seed
next_random() {  # a seeded LCG; sets r to 0..999 (no subshell, so that state advances)
  state=$(( (state * 1103515245 + 12345) % 2147483648 ))
  r=$(( state / 65536 % 1000 ))
}

complete=1
for round in $(seq 1 "$rounds"); do
  if [ $((round % 4)) = 0 ]; then  # every 4th round starts from nothing
    rm -rf "$out"
    complete=0
  fi
  next_random
  if [ $((round % 2)) = 0 ]; then
    delay_ms=$(( run_ms * 2 / 3 + run_ms * r / 3000 ))  # the last third: writing outputs
  else
    delay_ms=$(( run_ms * r / 1000 ))
  fi
  "$binary" "${run_args[@]}" > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2> /dev/null; then
    outcome="killed at ${delay_ms} ms"
  else
    outcome="finished before the kill at ${delay_ms} ms"
  fi
  wait "$pid" 2> /dev/null
  check_outputs "round $round ($outcome)" "$complete"
  [ -e "$out/report.html" ] && complete=1
  leftovers=$(find "$out" -name '*.tmp.*' -printf '%P ' 2> /dev/null)
  echo "kill_test: round $round: $outcome; outputs complete or absent${leftovers:+; temporary files left: $leftovers}"
done
echo "kill_test: passed"
