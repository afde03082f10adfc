#!/usr/bin/env bash
# Fuzzes IoTStack with AFL++ through SharpFuzz (issue 10): the stack's receive path, each chip driver, and the
# DHCP and SNTP clients with their message views, the MQTT client, and the TLS client (issue 18: a server's side of a
# handshake, or what follows a recorded one).
#   bash tools/fuzz.sh [SECONDS per target, default 600] [TARGET ...]   (targets: stack enc28j60 w5500 w5500-sockets dhcp sntp mdns mqtt tls)
# Builds tools/IoTStack.Fuzz, instruments the stack and driver assemblies with the sharpfuzz tool, runs
# afl-fuzz from the seed corpus in tests/Fuzz.Tests/Corpus/TARGET, prints executions and findings per target,
# and copies each crash or hang into tests/Fuzz.Tests/Regressions/TARGET, which the test suite replays.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(stack enc28j60 w5500 w5500-sockets dhcp sntp mdns mqtt tls)

command -v afl-fuzz >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ >/dev/null; }
out=$(mktemp -d /tmp/iotstack-fuzz-XXXX)
dotnet build tools/IoTStack.Fuzz -c Release -nologo -clp:ErrorsOnly -o "$out/bin" || exit 1
dotnet tool install SharpFuzz.CommandLine --tool-path "$out/tools" >/dev/null || exit 1
for assembly in IoTStack.Net.Wire.dll IoTStack.Net.dll IoTStack.Net.Services.dll IoTStack.Net.Mqtt.dll IoTStack.Drivers.dll IoTStack.Net.Tls.dll IoTStack.Crypto.dll IoTStack.Crypto.PublicKey.dll; do
  "$out/tools/sharpfuzz" "$out/bin/$assembly" >/dev/null || exit 1
done

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
for target in "${targets[@]}"; do
  findings="$out/findings-$target"
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -t 5000 -m none -i "tests/Fuzz.Tests/Corpus/$target" -o "$findings" \
    -- dotnet "$out/bin/IoTStack.Fuzz.dll" "$target" >"$out/afl-$target.log" 2>&1
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$target: afl-fuzz did not run (see $out/afl-$target.log)"
    tail -5 "$out/afl-$target.log"
    continue
  fi
  field() { grep "^$1 " "$stats" | sed 's/.*: //'; }
  echo "$target: $(field execs_done) executions in $(field run_time) s ($(field execs_per_sec)/s), $(field corpus_count) paths, $(field saved_crashes) crashes, $(field saved_hangs) hangs"
  mkdir -p "tests/Fuzz.Tests/Regressions/$target"
  for finding in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
    [ -e "$finding" ] || continue
    cp "$finding" "tests/Fuzz.Tests/Regressions/$target/$(basename "$(dirname "$finding")")-$(sha1sum "$finding" | cut -c1-12).bin"
  done
done
echo "work directory: $out"
