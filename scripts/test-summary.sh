#!/usr/bin/env bash
# Closes `make test` with one line counting every test of every suite: "N passed, N failed".
# Reads tap's closing "# { total: N, pass: N, fail: N }" from the output each suite kept in DIR.
# A suite that left no count is an error, not a zero.
set -euo pipefail

dir=${1:?usage: test-summary.sh DIR}
passed=0
failed=0
shopt -s nullglob
files=("$dir"/*.tap)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "test-summary.sh: no test output in $dir" >&2
  exit 1
fi
for file in "${files[@]}"; do
  summary=$(grep -E '^# \{ total: [0-9]+' "$file" | tail -n 1 || true)
  if [[ -n "$summary" ]]; then
    pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
    fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
  else
    echo "test-summary.sh: $file has no test count" >&2
    exit 1
  fi
  echo "$(basename "$file" .tap): ${pass:-0} passed, ${fail:-0} failed"
  passed=$((passed + ${pass:-0}))
  failed=$((failed + ${fail:-0}))
done
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
