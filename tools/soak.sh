#!/usr/bin/env bash
# The long runs behind the test suite's short ones (issue 10):
#   bash tools/soak.sh [HOURS of virtual time, default 24] [FUZZ SECONDS per target, default 0]
# The mixed-traffic soak over a faulty virtual wire for HOURS simulated hours (the suite runs one), then,
# when asked, tools/fuzz.sh for that many seconds per target.
set -uo pipefail
cd "$(dirname "$0")/.."
hours=${1:-24}
fuzz=${2:-0}
IOTSTACK_SOAK_HOURS=$hours dotnet test tests/Stack.Tests -c Release --nologo --filter "FullyQualifiedName~LongRunTests" --logger "console;verbosity=detailed" \
  | grep -E "^\s+(Passed|Failed) | h: |initial sequence|Error Message" || exit 1
if [ "$fuzz" -gt 0 ]; then
  bash tools/fuzz.sh "$fuzz"
fi
