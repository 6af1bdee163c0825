#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each (default 600),
# two at a time, under ASan+UBSan; prints executions and coverage per target.
#   bash bench/fuzz.sh [SECONDS]
# The build is build-fuzz/ (clang-14). New corpus inputs stay in
# build-fuzz/tests/fuzz/corpus/<target>; a crash, leak or timeout is written
# to build-fuzz/tests/fuzz/findings/ and makes the script exit 1. Fix it and
# keep the input as a regression seed in tests/fuzz/<target>/.
set -euo pipefail
seconds=${1:-600}
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-fuzz"
cmake -S "$here" -B "$build" -DDOCKD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDOCKD_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" -j2 >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
ctest --test-dir "$build" -L fuzz -j2 --timeout $((seconds + 300)) -V > "$build/fuzz.log" 2>&1 || status=1
for t in config device_json zfy_info s3_xml http_request verify_documents; do
  line=$(grep -E "^[0-9]+: #[0-9]+[[:space:]]+DONE" "$build/fuzz.log" | grep -F "$(grep -E "^[0-9]+: Test command: .*fuzz_$t " "$build/fuzz.log" | cut -d: -f1):" | tail -1 || true)
  printf '%-18s %s\n' "$t" "${line:-see $build/fuzz.log}"
done
ls "$build/tests/fuzz/findings" 2>/dev/null | sed 's/^/finding: /' || true
exit $status
