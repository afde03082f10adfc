#!/usr/bin/env bash
# Throughput of the emulated board against Linux through TAP, per chip (README "Latest figures").
# Needs root. Makes a network namespace with a TAP device (Linux 192.0.2.1, board 192.0.2.2), runs the
# emulator in it, and times curl downloads from /bytes, nc into discard (9) and out of chargen (19).
# Removes the namespace on exit, also on failure. Timings here are benchmarks; no test asserts on them.
# usage: sudo bash tools/bench-tap.sh [megabytes] [chip...]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-10}
shift || true
if (($#)); then chips=("$@"); else chips=(enc28j60 w5500 w5500-sockets); fi
ns="iotstack-bench-$$"
emulator=tools/IoTStack.Emulator/bin/Release/net10.0/IoTStack.Emulator.dll
dotnet build -c Release tools/IoTStack.Emulator -v q -nologo >/dev/null
cleanup() { [[ -n "${pid:-}" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
trap "exit 130" INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev bench0 mode tap
ip netns exec "$ns" ip addr add 192.0.2.1/24 dev bench0
ip netns exec "$ns" ip link set bench0 up
bytes=$((mb * 1000000))
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f MB/s", b / s / 1e6 }'; }
printf '%-14s %-22s %-22s %-22s\n' chip "curl /bytes ${mb} MB" "nc to discard ${mb} MB" "nc from chargen ${mb} MB"
for chip in "${chips[@]}"; do
  ip netns exec "$ns" dotnet "$emulator" --tap bench0 --chip "$chip" --duration 300 >/dev/null &
  pid=$!
  for _ in $(seq 50); do ip netns exec "$ns" ping -c1 -W1 192.0.2.2 >/dev/null 2>&1 && break; sleep 0.2; done
  curl_s=$(ip netns exec "$ns" curl -s -o /dev/null -w '%{time_total}' "http://192.0.2.2/bytes?n=$bytes")
  start=$(date +%s.%N)
  head -c "$bytes" /dev/zero | ip netns exec "$ns" nc -N -w 10 192.0.2.2 9
  discard_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  start=$(date +%s.%N)
  ip netns exec "$ns" sh -c "nc -d -w 10 192.0.2.2 19 | head -c $bytes > /dev/null"
  chargen_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  printf '%-14s %-22s %-22s %-22s\n' "$chip" "$(rate "$bytes" "$curl_s")" "$(rate "$bytes" "$discard_s")" "$(rate "$bytes" "$chargen_s")"
  kill -TERM "$pid"; wait "$pid" || true; pid=  # TERM: a background job ignores INT
done
