#!/usr/bin/env bash
# IoTStack beside lwIP (issue 15): the same Linux clients against lwIP 2.1.3 (Debian's liblwip-dev, our
# tools/lwip-peer on its tapif driver) and against each emulated IoTStack board, every one in a network
# namespace of its own with a TAP device (Linux 192.0.2.1, board 192.0.2.2). Prints a Markdown table (each
# figure for each board, with its ratio to lwIP's) and writes it to tools/IoTStack.Bench/report/lwip.md.
#
# Clients: ping (200 x 56 bytes, mean rtt), ApacheBench `ab -k -c 1` and `-c 4` on GET / (2000 requests, at most
# 25 s), wrk 5 s with 1 and 4 connections on /, nc echo of 1 MB (time), nc 10 MB into discard and out of
# chargen (MB/s). Every client has a timeout; the exit trap ends the processes started here and removes the
# namespaces, also on failure. Needs root; installs the Debian packages it uses. Timings are benchmarks of
# this machine (the emulated boards are desktop-CPU bound), not tested figures.
# usage: sudo bash tools/bench-lwip.sh [target...]   (targets: lwip enc28j60 w5500 w5500-sockets esp32; default all)
set -euo pipefail
cd "$(dirname "$0")/.."

if (($#)); then targets=("$@"); else targets=(lwip enc28j60 w5500 w5500-sockets esp32); fi
packages=(liblwip-dev gcc make pkg-config apache2-utils wrk netcat-openbsd iputils-ping iproute2 curl dnsmasq)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

make -s -C tools/lwip-peer >/dev/null
emulator=tools/IoTStack.Emulator/bin/Release/net10.0/IoTStack.Emulator.dll
dotnet build -c Release tools/IoTStack.Emulator -v q -nologo >/dev/null

address=192.0.2.2
tap=bench0
pids=()
namespaces=()
work=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

# A namespace of the run's own (iotstack-PID-bN: the test suites remove it if this run dies) with a TAP device.
new_namespace() {
  ns="iotstack-$$-b$1"
  ip netns add "$ns"
  namespaces+=("$ns")
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip tuntap add dev "$tap" mode tap
  ip netns exec "$ns" ip addr add 192.0.2.1/24 dev "$tap"
  ip netns exec "$ns" ip link set "$tap" up
}

# Starts the target's server in $ns in the background (its PID in $server).
start_target() {
  local log="$work/$1.log"
  case "$1" in
    lwip) ip netns exec "$ns" tools/lwip-peer/lwip-peer "$tap" >"$log" 2>&1 & ;;
    esp32)
      # The ESP32 image takes its address by DHCP: dnsmasq hands out 192.0.2.2 and nothing else.
      ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --interface="$tap" --bind-interfaces \
        --listen-address=192.0.2.1 --no-resolv --no-hosts --port=0 --dhcp-range=192.0.2.2,192.0.2.2,255.255.255.0,10m \
        --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" >"$work/dnsmasq.log" 2>&1 &
      pids+=($!)
      ip netns exec "$ns" dotnet "$emulator" --tap "$tap" --board esp32-devkitc-w5500 --duration 900 >"$log" 2>&1 & ;;
    *) ip netns exec "$ns" dotnet "$emulator" --tap "$tap" --chip "$1" --duration 900 >"$log" 2>&1 & ;;
  esac
  server=$!
  pids+=("$server")
}

in_ns() { ip netns exec "$ns" "$@"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }

# Each measurement prints one number, or a word saying why there is none.
measure_ping() {
  local out
  out=$(in_ns timeout 40 ping -q -n -c 200 -i 0.02 -s 56 -W 1 "$address" 2>&1 || true)
  echo "$out" | awk -F'/' '/^rtt|^round-trip/ { print $5; found = 1 } END { if (!found) print "failed" }'
}
measure_ab() {
  local out
  out=$(in_ns timeout 60 ab -q -k -t 25 -n 2000 -c "$1" -s 5 "http://$address/" 2>&1 || true)
  local rate kept done
  rate=$(echo "$out" | awk '/^Requests per second:/ { print $4 }')
  kept=$(echo "$out" | awk '/^Keep-Alive requests:/ { print $3 }')
  done=$(echo "$out" | awk '/^Complete requests:/ { print $3 }')
  [ -n "$rate" ] && echo "$rate ${kept:-0} ${done:-0}" || echo "failed"
}
measure_wrk() {
  local out
  out=$(in_ns timeout 20 wrk -t1 -c"$1" -d5s --timeout 2s "http://$address/" 2>&1 || true)
  echo "$out" | awk '/^Requests\/sec:/ { print $2; found = 1 } END { if (!found) print "failed" }'
}
measure_echo() {
  local bytes=1000000 start got
  start=$(date +%s.%N)
  got=$(in_ns timeout 60 sh -c "head -c $bytes /dev/zero | nc -N -w 10 $address 7 | wc -c" || true)
  local seconds; seconds=$(elapsed "$start")
  [ "${got:-0}" -eq "$bytes" ] && echo "$seconds" || echo "short(${got:-0})"
}
measure_discard() {
  local bytes=10000000 start
  start=$(date +%s.%N)
  if in_ns timeout 60 sh -c "head -c $bytes /dev/zero | nc -N -w 10 $address 9"; then
    awk -v b="$bytes" -v s="$(elapsed "$start")" 'BEGIN { printf "%.1f\n", b / s / 1e6 }'
  else
    echo "failed"
  fi
}
measure_chargen() {
  local bytes=10000000 start got
  start=$(date +%s.%N)
  got=$(in_ns timeout 60 sh -c "nc -d -w 10 $address 19 | head -c $bytes | wc -c" || true)
  local seconds; seconds=$(elapsed "$start")
  [ "${got:-0}" -eq "$bytes" ] && awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f\n", b / s / 1e6 }' || echo "short(${got:-0})"
}

declare -A result
index=0
for target in "${targets[@]}"; do
  index=$((index + 1))
  echo "== $target" >&2
  new_namespace "$index"
  start_target "$target"
  up=0
  for _ in $(seq 120); do
    kill -0 "$server" 2>/dev/null || break
    if in_ns ping -c1 -W1 "$address" >/dev/null 2>&1 && in_ns curl -s -o /dev/null -m 2 "http://$address/"; then up=1; break; fi
    sleep 0.5
  done
  if ((up == 0)); then
    echo "$target did not come up:" >&2
    tail -20 "$work/$target.log" >&2 || true
    for metric in ping ab1 ab4 ka1 ka4 wrk1 wrk4 echo discard chargen; do result[$target,$metric]="down"; done
  else
    result[$target,ping]=$(measure_ping)
    read -r rate kept done _ <<<"$(measure_ab 1) - - -"
    result[$target,ab1]=$rate; result[$target,ka1]="$kept of $done"
    read -r rate kept done _ <<<"$(measure_ab 4) - - -"
    result[$target,ab4]=$rate; result[$target,ka4]="$kept of $done"
    result[$target,wrk1]=$(measure_wrk 1)
    result[$target,wrk4]=$(measure_wrk 4)
    result[$target,echo]=$(measure_echo)
    result[$target,discard]=$(measure_discard)
    result[$target,chargen]=$(measure_chargen)
  fi
  for metric in ping ab1 ka1 ab4 ka4 wrk1 wrk4 echo discard chargen; do echo "  $metric: ${result[$target,$metric]}" >&2; done
  kill -TERM "$server" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
  ip netns del "$ns"
  namespaces=("${namespaces[@]:0:${#namespaces[@]}-1}")
done

# The table: a row per figure, lwIP's value, then each board's value with its ratio to lwIP's.
label() {
  case "$1" in
    ping) echo "ping 56 bytes x200, mean rtt (ms)" ;;
    ab1) echo "ab -k -c 1 GET / (requests/s)" ;;
    ka1) echo "  of which kept alive" ;;
    ab4) echo "ab -k -c 4 GET / (requests/s)" ;;
    ka4) echo "  of which kept alive" ;;
    wrk1) echo "wrk 5 s, 1 connection, / (requests/s)" ;;
    wrk4) echo "wrk 5 s, 4 connections, / (requests/s)" ;;
    echo) echo "nc echo 1 MB (s)" ;;
    discard) echo "nc 10 MB to discard (MB/s)" ;;
    chargen) echo "nc 10 MB from chargen (MB/s)" ;;
  esac
}
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf " (%.3g×)", a / b }'
}
boards=()
for target in "${targets[@]}"; do [ "$target" != lwip ] && boards+=("$target"); done
table=$(
  header="| figure |"; rule="|---|"
  [[ " ${targets[*]} " == *" lwip "* ]] && { header+=" lwIP 2.1.3 |"; rule+="---|"; }
  for board in "${boards[@]}"; do header+=" $board |"; rule+="---|"; done
  echo "$header"; echo "$rule"
  for metric in ping ab1 ka1 ab4 ka4 wrk1 wrk4 echo discard chargen; do
    row="| $(label "$metric") |"
    [[ " ${targets[*]} " == *" lwip "* ]] && row+=" ${result[lwip,$metric]} |"
    for board in "${boards[@]}"; do
      row+=" ${result[$board,$metric]}"
      [[ "$metric" != ka* ]] && row+="$(ratio "${result[$board,$metric]}" "${result[lwip,$metric]:-}")"
      row+=" |"
    done
    echo "$row"
  done
)
report=tools/IoTStack.Bench/report/lwip.md
{
  echo "# IoTStack beside lwIP"
  echo
  echo "\`sudo bash tools/bench-lwip.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "Each target alone in a network namespace with a TAP device (Linux 192.0.2.1, board 192.0.2.2). lwIP is Debian's"
  echo "liblwip-dev (2.1.3, socket API, tapif) under tools/lwip-peer; the boards are the emulator (\`--chip\`, or"
  echo "\`--board esp32-devkitc-w5500\` taking its address by DHCP). Ratios are board / lwIP: above 1 is better for"
  echo "requests/s and MB/s, worse for rtt and seconds. The emulated boards' figures are bound by the desktop CPU."
  echo
  echo "$table"
} >"$report"
echo "$table"
echo "written to $report" >&2
