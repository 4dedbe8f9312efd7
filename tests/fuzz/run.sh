#!/usr/bin/env bash
# Builds convgrad's libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded
# time, one after another, seeded from tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET ...]
#     SECONDS  per target (default 60); TARGET: csv npy safetensors golden_case (default: all)
#   env: FUZZ_BUILD_DIR (default build-fuzz), CXX (default clang++-14), FUZZ_NICE (default 10)
#
# Exits non-zero when the build fails or a target finds a crash, a sanitizer report, an
# uncaught exception other than convgrad::Error, a timeout or an out-of-memory; the input
# that did it is saved as FUZZ_BUILD_DIR/crashes/<target>/crash-* (make it a regression
# test: tests/fixtures/fuzz_regressions/ and tests/robustness/test_fuzz_regressions.cpp).
# New coverage-increasing inputs go to FUZZ_BUILD_DIR/corpus/<target>/, never to the
# committed seeds. Each target's log ends with libFuzzer's final stats; the summary line
# per target gives the number of inputs executed.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv npy safetensors golden_case)
build="${FUZZ_BUILD_DIR:-build-fuzz}"
cxx="${CXX:-clang++-14}"
nice_level="${FUZZ_NICE:-10}"

echo "fuzz: building ${targets[*]} with $cxx in $build"
mkdir -p "$build"
cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER="$cxx" > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "fuzz: configure failed"; exit 2; }
for target in "${targets[@]}"; do
  nice -n "$nice_level" cmake --build "$build" --target "fuzz_$target" -j "${FUZZ_BUILD_JOBS:-2}" ||
    { echo "fuzz: building fuzz_$target failed"; exit 2; }
done

# Leaks are not what these targets look for (and OpenBLAS keeps its thread pool).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

failed=()
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  crashes="$build/crashes/$target"
  log="$build/fuzz_$target.log"
  mkdir -p "$work" "$crashes"
  max_len=4096
  [ "$target" = csv ] && max_len=8192
  echo "fuzz: $target for ${seconds}s (log: $log)"
  nice -n "$nice_level" "$build/fuzz_$target" "$work" "tests/fuzz/corpus/$target" \
    -dict="tests/fuzz/dict/$target.dict" -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" > "$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  echo "fuzz: $target: exit $rc, ${runs:-?} inputs executed; ${done_line:-no DONE line}"
  if [ $rc -ne 0 ]; then
    failed+=("$target")
    grep -E 'ERROR|SUMMARY|Test unit written|deadly signal|uncaught' "$log" | head -20
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/crashes/)"
  exit 1
fi
echo "fuzz: no crashes in ${targets[*]}"
