#!/usr/bin/env bash
# Fails when any C or C++ source differs from the checked-in .clang-format
# (STYLE 13): prints the files and the command that fixes them.
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  printf 'not clang-formatted (%d files):\n' "${#bad[@]}"
  printf '  %s\n' "${bad[@]}"
  printf 'fix: clang-format -i %s\n' "${bad[*]}"
  exit 1
fi
echo "clang-format: ${#files[@]} files clean"
