#!/usr/bin/env bash
# tests/compose/run.sh: both compose scenarios (faults.sh, then fleet.sh; README.md says what they prove), one after
# the other so they do not compete for the machine. Ends with the sum of their "N passed, M failed" lines.
set -uo pipefail
cd "$(dirname "$0")"
passed=0 failed=0
for scenario in faults fleet; do
  echo "== $scenario.sh"
  out=$(mktemp)
  ./"$scenario".sh 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1); then
    passed=$((passed + $(echo "$line" | cut -d' ' -f1))); failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  fi
  # A scenario that died without its summary line still counts as a failure.
  [ "$rc" = 0 ] || [ -n "$line" ] || failed=$((failed + 1))
  rm -f "$out"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
