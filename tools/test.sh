#!/usr/bin/env bash
# Runs every IoTStack test on a Debian machine with the .NET 10 SDK (README "Test").
# Installs the Debian packages the tests use when they are missing, builds the solution
# (warnings are errors, the nanoFramework gate included), runs the whole suite, and ends
# with the line "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive as real peers and judges.
packages=(tshark iproute2 iputils-ping arping netcat-openbsd socat curl nmap dnsmasq dnsutils chrony python3-scapy hping3 gcc make liblwip-dev apache2-utils wrk mosquitto mosquitto-clients avahi-daemon avahi-utils dbus-daemon)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build IoTStack.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# One test assembly at a time (-m:1): the board suites (Hil, Interop) each run emulators, brokers and clients against
# real time, and side by side on two cores they starved each other into timeouts no board would see.
dotnet test IoTStack.sln -c Release --no-build --nologo -m:1 --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?

passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$((total + $(count total)))
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
done
skipped=$((total - passed - failed))
# The interop suite's throughput figures (for comparison: tools/bench-tap.sh and the bench tool), each device
# assembly's byte code and each shipped configuration's nanoCLR heap.
figures=$(cat "$results"/*.trx 2>/dev/null | grep -oE '[a-z0-9-]+: ([a-zA-Z /?=0-9]+: [0-9,]+ bytes in [0-9.]+ s = [0-9.]+ MB/s|ping 56 bytes x200: rtt [^&<]*|24 clients at once: [^&<]*)|IoTStack[A-Za-z0-9.]* (Debug|Release): [0-9,]+ bytes of byte code, [0-9,]+ under the 56,000 budget|[a-z0-9-]+: [0-9,]+ bytes on nanoCLR.{1,6}s heap after start [^&<]*% used' | sort -u)
if [ -n "$figures" ]; then
  echo "figures (throughput is desktop CPU bound and reported, not tested; byte code and heap are gated):"
  echo "$figures" | sed 's/^/  /'
fi
# Name every failed test with the first lines of its message, so a log that keeps only its tail still says what
# failed and why.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  python3 - "$trx" <<'PY' || grep -oE '<UnitTestResult [^>]*outcome="(Failed|Error|Timeout|Aborted)"[^>]*>' "$trx" | grep -oE 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/failed: \1/'
import sys, xml.etree.ElementTree as tree
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in tree.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if result.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
        print("failed: " + result.get("testName"))
        message = result.find("t:Output/t:ErrorInfo/t:Message", ns)
        for line in (message.text or "").strip().splitlines()[:6] if message is not None else []:
            print("    " + line[:300])
PY
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited $status with no failed test counted (a crashed test host?)"
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
