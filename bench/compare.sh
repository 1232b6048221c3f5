#!/usr/bin/env bash
# Compares replscope with redis-server side by side on loopback using
# redis-benchmark. The servers alternate round by round on this shared
# 2-core machine; the script prints per-round ratios and medians.
#
#   bench/compare.sh [rounds] [requests]      (defaults: 5 rounds, 300000 requests)
#
# Environment: SUITES selects the suites to run, any of
#   basic     SET/GET at -P 1 and -P 16 (the default)
#   persist   SAVE, DEBUG RELOAD and SET latency during BGSAVE with KEYS keys (default 1000000)
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

# gen_keys N: RESP for N "SET key:<i> <100 bytes>" commands, for redis-cli --pipe.
gen_keys() {
  awk -v n="$1" 'BEGIN { v = sprintf("%0100d", 0);
    for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", length(k), k, v } }'
}

# secs port cmd...: wall time of one command in seconds
secs() {
  local port=$1; shift
  local t0 t1
  t0=$(date +%s.%N); redis-cli -p "$port" "$@" >/dev/null; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}

# max_latency_during_bgsave port: worst SET latency (ms) seen by one client
# while a BGSAVE runs
max_latency_during_bgsave() {
  local port=$1
  redis-cli -p "$port" BGSAVE >/dev/null
  redis-benchmark -p "$port" -t set -c 1 -P 1 -n 20000 -d 100 -r 1000000 2>/dev/null | tr '\r' '\n' \
    | awk '/latency summary/ {getline; getline; print $6; exit}'
  while [ "$(redis-cli -p "$port" INFO persistence | tr -d '\r' | awk -F: '/rdb_bgsave_in_progress/ {print $2}')" != "0" ]; do sleep 0.1; done
}

if [[ " $SUITES " == *" persist "* ]]; then
  KEYS=${KEYS:-1000000}
  RP=$(free_port); SP=$(free_port)
  start_redis "$RP" --enable-debug-command yes; start_replscope "$SP" --enable-debug-command yes
  gen_keys "$KEYS" > "$OUT/keys.resp"
  for p in $RP $SP; do redis-cli -p "$p" --pipe < "$OUT/keys.resp" >/dev/null; done
  echo
  printf '%-34s %12s %12s %8s\n' "persistence, $KEYS keys (median of $ROUNDS)" "redis" "replscope" "ratio"
  for what in save reload latency; do
    rs=(); ss=()
    for i in $(seq 1 "$ROUNDS"); do
      case $what in
        save)    r=$(secs "$RP" SAVE); s=$(secs "$SP" SAVE) ;;
        reload)  r=$(secs "$RP" DEBUG RELOAD); s=$(secs "$SP" DEBUG RELOAD) ;;
        latency) r=$(max_latency_during_bgsave "$RP"); s=$(max_latency_during_bgsave "$SP") ;;
      esac
      rs+=("$r"); ss+=("$s")
    done
    mr=$(printf '%s\n' "${rs[@]}" | median); ms=$(printf '%s\n' "${ss[@]}" | median)
    unit=s; [ "$what" = latency ] && unit=ms
    label="SAVE ($unit)"; [ "$what" = reload ] && label="DEBUG RELOAD ($unit)"; [ "$what" = latency ] && label="max SET latency in BGSAVE ($unit)"
    printf '%-34s %12s %12s %7.2fx   rounds: r=%s s=%s\n' "$label" "$mr" "$ms" "$(awk -v a="$ms" -v b="$mr" 'BEGIN{print (b>0)? a/b : 0}')" "${rs[*]}" "${ss[*]}"
  done
  stop_all
fi
