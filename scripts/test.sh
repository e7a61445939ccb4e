#!/usr/bin/env bash
# Installs what is missing, builds onshi twice (plain, and with AddressSanitizer +
# UndefinedBehaviorSanitizer) and runs every test in both builds. Ends with one line
# "N passed, N failed" over both runs; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

JOBS=${ONSHI_JOBS:-2}
total_passed=0
total_failed=0

run_suite() {
  local dir=$1; shift
  echo "=== build $dir $*"
  if ! scripts/build.sh "$dir" "$@"; then
    echo "build of $dir failed"
    total_failed=$((total_failed + 1))
    return
  fi
  echo "=== test $dir"
  local log
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 600) 2>&1 | tee "$log"
  local summary
  summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    total_failed=$((total_failed + 1))
  else
    local failed all
    failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    all=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
    total_failed=$((total_failed + failed))
    total_passed=$((total_passed + all - failed))
  fi
  rm -f "$log"
}

run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DONSHI_SANITIZE=address -DONSHI_BUILD_BENCH=OFF

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
