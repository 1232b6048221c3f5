#!/usr/bin/env bash
# Memory per key: redis-server and `replscope node` side by side on loopback,
# each loaded with the same KEYS string keys of 100-byte values (redis-cli
# --pipe of one generated file), then every key overwritten once with a new
# value. Prints each server's RSS after the load, its peak RSS over the whole
# run (VmHWM from /proc/PID/status) and its RSS after SETTLE quiet seconds,
# with the ratios replscope / redis (issue 13 targets: peak <= 1.3x,
# settled <= 1.2x).
#
#   bench/memkeys.sh [runs]          (default: 1 run; KEYS=1000000 SETTLE=10)
#
# REPLSCOPE_BIN=path measures that replscope binary instead of building this
# checkout. Throughput is not measured here (see bench/compare.sh); the
# collector's CPU share (GODEBUG=gctrace=1) is printed for replscope.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1}
KEYS=${KEYS:-1000000}
SETTLE=${SETTLE:-10}
OUT=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && { kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  rm -rf "$OUT"
}
trap cleanup EXIT
trap 'echo "memkeys.sh: command failed at line $LINENO" >&2' ERR

for tool in redis-server redis-cli python3; do
  command -v $tool >/dev/null || { echo "memkeys.sh needs $tool"; exit 1; }
done
if [ -n "${REPLSCOPE_BIN:-}" ]; then cp "$REPLSCOPE_BIN" "$OUT/replscope"; else go build -o "$OUT/replscope" . >/dev/null; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_up port pid: until the server answering on port is process pid
wait_up() {
  for _ in $(seq 1 200); do
    [ "$(redis-cli -p "$1" INFO server 2>/dev/null | tr -d '\r' | awk -F: '$1=="process_id" {print $2}')" = "$2" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "server (pid $2) on port $1 did not start"; exit 1
}

# gen_keys N DIGIT: RESP for N "SET key:<i> <100 x DIGIT>" commands
gen_keys() {
  awk -v n="$1" -v d="$2" 'BEGIN { v = ""; for (j = 0; j < 100; j++) v = v d;
    for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", length(k), k, v } }'
}

# status_mb pid field: a /proc/PID/status field (VmRSS, VmHWM) in MB
status_mb() { awk -v f="$2:" '$1 == f {printf "%.1f", $2/1024}' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

gen_keys "$KEYS" 1 > "$OUT/load.resp"
gen_keys "$KEYS" 2 > "$OUT/overwrite.resp"

echo "memkeys: $(date -u '+%F %T') UTC, nproc $(nproc), $(redis-server --version | awk '{print $3}'), $KEYS keys x 100 B, settle ${SETTLE}s"
for run in $(seq 1 "$RUNS"); do
  RP=$(free_port); SP=$(free_port)
  mkdir -p "$OUT/r$run" "$OUT/s$run"
  redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/r$run" --logfile "$OUT/r$run/log" &
  rpid=$!; PIDS+=("$rpid"); wait_up "$RP" "$rpid"
  # gctrace: the collector's cycles and its cumulative share of the CPU
  GODEBUG=gctrace=1 "$OUT/replscope" node --port "$SP" --bind 127.0.0.1 --save "" --dir "$OUT/s$run" \
    --logfile "$OUT/s$run/log" 2> "$OUT/s$run/gctrace" &
  spid=$!; PIDS+=("$spid"); wait_up "$SP" "$spid"
  declare -A loaded=() peak=() settled=() used=()
  for who in r s; do
    port=$RP pid=$rpid; [ $who = s ] && port=$SP pid=$spid
    redis-cli -p "$port" --pipe < "$OUT/load.resp" >/dev/null
    [ "$(redis-cli -p "$port" DBSIZE)" = "$KEYS" ] || { echo "$who: load failed"; exit 1; }
    loaded[$who]=$(status_mb "$pid" VmRSS)
    redis-cli -p "$port" --pipe < "$OUT/overwrite.resp" >/dev/null
  done
  sleep "$SETTLE"
  for who in r s; do
    pid=$rpid port=$RP; [ $who = s ] && pid=$spid port=$SP
    peak[$who]=$(status_mb "$pid" VmHWM)
    settled[$who]=$(status_mb "$pid" VmRSS)
    used[$who]=$(redis-cli -p "$port" INFO memory | tr -d '\r' | awk -F: '$1=="used_memory" {printf "%.1f", $2/1048576}')
  done
  printf 'run %d  RSS MB      %10s %10s %7s\n' "$run" redis replscope ratio
  for what in loaded peak settled used; do
    declare -n arr=$what
    label=$what; [ $what = used ] && label="used_memory"
    printf '       %-11s %10s %10s %6sx\n' "$label" "${arr[r]}" "${arr[s]}" "$(ratio "${arr[s]}" "${arr[r]}")"
  done
  awk '$1 == "gc" {n = $2; pct = $4; sub(/:$/, "", pct)} END {printf "       replscope GC: %d cycles, %s of the CPU since start\n", n, pct}' "$OUT/s$run/gctrace"
  kill "$rpid" "$spid"; wait "$rpid" "$spid" 2>/dev/null || true; PIDS=()
done
