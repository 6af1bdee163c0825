#!/usr/bin/env bash
# The test command: installs, builds and runs the whole suite (ctest), then
# the fuzz targets (clang-14 libFuzzer under ASan+UBSan, 15 s each). Each
# stage prints its wall time; the table at the end sums them.
#
# DOCKD_TEST_SANITIZERS=1 also builds build-asan (-DDOCKD_SANITIZE=
# address,undefined) and runs the unit and end-to-end tests there instead of
# in the plain build (which then runs only what needs a release binary:
# packaging, browser, systemd sandbox, monitoring, style), and builds in
# build-tsan only the pipeline and uploader tests and runs them under TSan.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sanitizers=${DOCKD_TEST_SANITIZERS:-0}
timings=()
failed=0

# stage NAME COMMAND...: runs it, records its wall time, remembers a failure.
stage() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo "=== $name"
  "$@" || rc=$?
  timings+=("$(printf '%-26s %5ds  %s' "$name" $((SECONDS - start)) "$([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)")")")
  [[ $rc == 0 ]] || failed=1
  return 0
}

# Sanitizer reports abort the process; suppressions only with a reason (tests/sanitizers/).
supp="$here/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:suppressions=$supp/tsan.supp"

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Sanitizer builds: without -Werror, since GCC 12 warns falsely under
# -fsanitize (-Wmaybe-uninitialized, -Wtsan); the plain build keeps it.
configure() {  # configure DIR ARGS...
  local dir=$1
  shift
  cmake -S "$here" -B "$here/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOCKD_WERROR=OFF "${launcher[@]}" "$@" >/dev/null
}
run_ctest() {  # run_ctest DIR ARGS...
  local dir=$1
  shift
  (cd "$here/$dir" && ctest --output-on-failure -j2 --timeout 900 "$@")
}

# Each builder chains with && : set -e does not act inside stage's "||".
build_asan() { configure build-asan -DDOCKD_SANITIZE=address,undefined && cmake --build "$here/build-asan" -j2; }
build_tsan() {
  configure build-tsan -DDOCKD_SANITIZE=thread &&
    cmake --build "$here/build-tsan" -j2 --target pipeline_test s3_policy_test
}
build_fuzz() {
  cmake -S "$here" -B "$here/build-fuzz" -DDOCKD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOCKD_FUZZ_SECONDS=15 "${launcher[@]}" >/dev/null &&
    cmake --build "$here/build-fuzz" -j2
}

stage bootstrap bash "$here/scripts/bootstrap.sh"
stage "build (plain)" bash "$here/scripts/build.sh"
if [[ $sanitizers == 1 ]]; then
  stage "ctest (plain: release-only)" run_ctest build -LE '^(unit|e2e)$'
  stage "build (asan+ubsan)" build_asan
  stage "ctest (asan+ubsan: unit,e2e)" run_ctest build-asan -L '^(unit|e2e)$'
  stage "build (tsan: 2 tests)" build_tsan
  stage "ctest (tsan: pipeline,upload)" run_ctest build-tsan -R '^(Pipeline|UploadPolicy)\.'
else
  stage "ctest (plain: all)" run_ctest build
fi
stage "build (fuzz, clang-14)" build_fuzz
stage "fuzz (6 x 15 s)" run_ctest build-fuzz -L fuzz

echo "=== stage times (wall)"
printf '%s\n' "${timings[@]}"
echo "total                      $((SECONDS))s"
exit $failed
