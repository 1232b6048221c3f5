#!/usr/bin/env bash
# Compares replscope with redis-server side by side on loopback using
# redis-benchmark. The servers alternate round by round on this shared
# 2-core machine; the script prints per-round ratios and medians.
#
#   bench/compare.sh [rounds] [requests]      (defaults: 5 rounds, 300000 requests)
#
# Environment: SUITES="basic" (default) selects the suites to run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
REQUESTS=${2:-300000}
CLIENTS=50
SUITES=${SUITES:-basic}
OUT=$(mktemp -d)
trap 'cleanup' EXIT
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$OUT"
}

for tool in redis-server redis-benchmark redis-cli; do
  command -v $tool >/dev/null || { echo "compare.sh needs $tool (apt-get install redis-server redis-tools)"; exit 1; }
done

go build -o "$OUT/replscope" . >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ping() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start"; exit 1
}

start_redis() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/r$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/r$port" \
    --repl-diskless-sync-delay 0 --logfile "$OUT/r$port/log" "$@" &
  PIDS+=($!)
  wait_ping "$port"
}

start_replscope() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/s$port"
  "$OUT/replscope" node --port "$port" --bind 127.0.0.1 --save "" --dir "$OUT/s$port" \
    --repl-diskless-sync-delay 0 --logfile "$OUT/s$port/log" "$@" &
  PIDS+=($!)
  wait_ping "$port"
}

stop_all() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}

# rps port test pipeline -> requests per second
rps() {
  redis-benchmark -p "$1" -t "$2" -P "$3" -c $CLIENTS -n "$REQUESTS" -r 100000 -d 100 -q 2>/dev/null \
    | tr '\r' '\n' | grep -i "^$2:" | tail -1 | awk '{print $2}'
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run_case name setup_redis setup_replscope test pipeline
results=()
run_case() {
  local name=$1 test=$2 pipe=$3 rport=$4 sport=$5
  local ratios=() rs=() ss=()
  for i in $(seq 1 "$ROUNDS"); do
    local r s
    if (( i % 2 )); then r=$(rps "$rport" "$test" "$pipe"); s=$(rps "$sport" "$test" "$pipe")
    else s=$(rps "$sport" "$test" "$pipe"); r=$(rps "$rport" "$test" "$pipe"); fi
    rs+=("$r"); ss+=("$s")
    ratios+=("$(awk -v a="$s" -v b="$r" 'BEGIN{printf "%.2f", a/b}')")
  done
  local mr ms mratio
  mr=$(printf '%s\n' "${rs[@]}" | median)
  ms=$(printf '%s\n' "${ss[@]}" | median)
  mratio=$(printf '%s\n' "${ratios[@]}" | median)
  printf '%-34s %12.0f %12.0f %7.2fx   rounds: %s\n' "$name" "$mr" "$ms" "$mratio" "${ratios[*]}"
}

printf '%-34s %12s %12s %8s\n' "case (rps, median of $ROUNDS)" "redis" "replscope" "ratio"

if [[ " $SUITES " == *" basic "* ]]; then
  RP=$(free_port); SP=$(free_port)
  start_redis "$RP"; start_replscope "$SP"
  for test in set get; do
    for pipe in 1 16; do
      run_case "$test -P $pipe (c=$CLIENTS)" "$test" "$pipe" "$RP" "$SP"
    done
  done
  stop_all
fi
