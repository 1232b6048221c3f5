#!/usr/bin/env bash
# Compares replscope with redis-server side by side on loopback and prints the
# result as Markdown tables, ready to paste into the README.
#
#   bench/compare.sh [rounds] [requests]      (defaults: 5 rounds, 300000 requests)
#
# Every row: one untimed warm-up run on each server, then ROUNDS rounds that
# alternate which server goes first; the medians of both servers' figures, and
# the median and min–max of the per-round ratios replscope ÷ redis. Throughput
# rows (and the full sync) also give each server's peak RSS (VmRSS sampled every
# 50 ms during the timed rounds) and settled RSS (VmRSS after SETTLE seconds of
# quiet once the rounds are over); in the repl suite that is the master's.
# Values are 100 bytes unless a row's name says otherwise; 50 clients, -r 100000.
#
# Environment: SUITES selects the suites to run, any of
#   basic     standalone SET/GET 100 B at -P 16 and -P 1, SET 3 B at -P 16 (the default)
#   persist   SAVE, DEBUG RELOAD and SET latency during BGSAVE with KEYS keys (default 1000000)
#   repl      replication, the same topologies built of redis-server and of replscope nodes:
#             SET 100 B -P 16 / -P 1 throughput on a master with 1 replica, 2 replicas and a
#             chain, each row ending with a check that the replicas are in sync (link up,
#             offset and DBSIZE equal to the master's); full sync of KEYS keys x 100 B to a
#             fresh replica, with the worst and p99 SET latency of one client writing to the
#             master every 1 ms meanwhile; partial resync of a GAP-command gap (default 110000 SETs, ~5 MB
#             of stream); byte lag of a replica under SET -P 16 load (LAG_REQUESTS requests,
#             default 2000000), sampled by bench/lagprobe.
#   SETTLE    seconds of quiet before the settled RSS is read (default 2)
# e.g. SUITES="basic persist repl" bench/compare.sh 5
# REPLSCOPE_BIN=path measures that replscope binary instead of building this checkout.
# Progress and errors go to stderr, the tables to stdout. Every process the
# script starts is stopped when it exits, on error and on Ctrl-C too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
REQUESTS=${2:-300000}
CLIENTS=50
KEYSPACE=100000 # redis-benchmark -r
SETTLE=${SETTLE:-2}
SUITES=${SUITES:-basic}
OUT=$(mktemp -d)
PIDS=()     # servers, in start order
SAMPLERS=() # background RSS samplers
cleanup() {
  set +e # stop everything even if a kill fails
  local p
  for p in "${SAMPLERS[@]:-}"; do if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi; done
  # Newest first (replicas before their masters); SIGCONT too: a replica
  # stopped by the repl suite cannot act on SIGTERM.
  for p in $(printf '%s\n' "${PIDS[@]:-}" | tac); do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; wait "$p" 2>/dev/null; fi
  done
  wait 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'echo "compare.sh: command failed at line $LINENO" >&2' ERR

say() { echo "$*" >&2; }
die() { say "compare.sh: $*"; logs_tail; exit 1; }
logs_tail() { local f; for f in "$OUT"/*/log; do [ -e "$f" ] && { echo "== $f"; tail -5 "$f"; } >&2; done; return 0; }

for tool in redis-server redis-benchmark redis-cli python3; do
  command -v $tool >/dev/null || { say "compare.sh needs $tool (apt-get install redis-server redis-tools python3)"; exit 1; }
done

# REPLSCOPE_BIN=/path/to/replscope measures a prebuilt binary instead of this checkout.
if [ -n "${REPLSCOPE_BIN:-}" ]; then
  cp "$REPLSCOPE_BIN" "$OUT/replscope"
  COMMIT="$REPLSCOPE_BIN ($("$OUT/replscope" version 2>/dev/null || echo '?'))"
else
  go build -o "$OUT/replscope" . >/dev/null
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || COMMIT+="-dirty"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_up port pid: until the server answering on port is process pid (so a
# port that another process took in the meantime is not mistaken for ours)
wait_up() {
  for _ in $(seq 1 200); do
    [ "$(redis-cli -p "$1" INFO server 2>/dev/null | tr -d '\r' | awk -F: '$1=="process_id" {print $2}')" = "$2" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# forget pid: drop pid from PIDS (once it has been waited for)
forget() {
  local keep=() p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
  PIDS=("${keep[@]:-}")
}

# start_server kind [args...]: starts redis-server (kind redis) or a replscope
# node on a free loopback port; sets PORT_ and PID_. Tries another port if the
# chosen one was taken in the meantime by someone else on this shared machine.
start_server() {
  local kind=$1 try dir; shift
  for try in 1 2 3; do
    PORT_=$(free_port)
    if [ "$kind" = redis ]; then
      dir=$OUT/r$PORT_; mkdir -p "$dir"
      redis-server --port "$PORT_" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
        --repl-diskless-sync-delay 0 --logfile "$dir/log" "$@" &
    else
      dir=$OUT/s$PORT_; mkdir -p "$dir"
      "$OUT/replscope" node --port "$PORT_" --bind 127.0.0.1 --save "" --dir "$dir" \
        --repl-diskless-sync-delay 0 --logfile "$dir/log" "$@" &
    fi
    PID_=$!; PIDS+=("$PID_")
    wait_up "$PORT_" "$PID_" && return 0
    kill "$PID_" 2>/dev/null || true; wait "$PID_" 2>/dev/null || true; forget "$PID_"
    say "$kind on port $PORT_ did not start (try $try)"
  done
  die "$kind did not start"
}

# stop_pid pid: stop one process this script started and forget it
stop_pid() {
  kill "$1" 2>/dev/null || true; kill -CONT "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}

stop_all() {
  local p
  for p in $(printf '%s\n' "${PIDS[@]:-}" | tac); do [ -n "$p" ] && stop_pid "$p"; done
  PIDS=()
  WPID=()
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# rps port test pipeline size -> requests per second
rps() {
  redis-benchmark -p "$1" -t "$2" -P "$3" -d "$4" -c "$CLIENTS" -n "$REQUESTS" -r "$KEYSPACE" -q 2>/dev/null \
    | tr '\r' '\n' | grep -i "^$2:" | tail -1 | awk '{print $2}'
}

info_field() { # port section field
  redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'
}

# ---------------------------------------------------------------------------
# Measuring. A round function FN ARGS... KIND runs one measurement on the
# server(s) of KIND (redis or replscope) and files its figure with keep.
declare -A FIG CNT CHECK PEAK SETTLED WPID
WARM=0 # 1 during the warm-up run: keep and count file nothing
keep() { (( WARM )) || FIG["$1,$2"]+="$3 "; }
count() { (( WARM )) || CNT["$1,$2"]=$(( ${CNT["$1,$2"]:-0} + ${3:-1} )); }
raw() { echo "${FIG[$1,$2]% }"; } # NAME KIND: the per-round figures

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# peak_sampler pid file: samples pid's VmRSS (kB) every 50 ms until killed
# (SIGTERM) or pid exits, then writes the highest seen to file
peak_sampler() {
  local max=0 k v _
  trap 'echo "$max" > "$2"; exit 0' TERM
  while :; do
    while read -r k v _; do
      if [ "$k" = VmRSS: ]; then (( v > max )) && max=$v; break; fi
    done < "/proc/$1/status" 2>/dev/null || break
    sleep 0.05
  done
  echo "$max" > "$2"
}

# measure FN ARGS...: a warm-up run "FN ARGS... redis" and "FN ARGS...
# replscope" (not filed), then ROUNDS rounds, swapping which server goes first
# every round. When WPID[redis] and WPID[replscope] are set, samples those
# processes' RSS during the rounds into PEAK[kind], then after SETTLE seconds
# of quiet reads SETTLED[kind].
measure() {
  local i k samplers=()
  WARM=1; "$@" redis; "$@" replscope; WARM=0
  for k in redis replscope; do
    [ -n "${WPID[$k]:-}" ] || continue
    peak_sampler "${WPID[$k]}" "$OUT/peak.$k" &
    samplers+=($!); SAMPLERS+=($!)
  done
  for i in $(seq 1 "$ROUNDS"); do
    for k in $( (( i % 2 )) && echo "redis replscope" || echo "replscope redis"); do "$@" "$k"; done
  done
  [ "${#samplers[@]}" -gt 0 ] || return 0
  for i in "${samplers[@]}"; do kill "$i" 2>/dev/null || true; wait "$i" 2>/dev/null || true; done
  SAMPLERS=()
  sleep "$SETTLE"
  for k in redis replscope; do
    [ -n "${WPID[$k]:-}" ] || continue
    PEAK[$k]=$(cat "$OUT/peak.$k"); SETTLED[$k]=$(rss_kb "${WPID[$k]}")
  done
}

# table TITLE: a Markdown table's title and header
table() {
  printf '\n**%s**\n\n' "$1"
  echo "| case | redis | replscope | ratio (median) | ratio min–max | redis RSS MB peak / settled | replscope RSS MB peak / settled | check |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
}

# row NAME LABEL FMT: one Markdown row: the medians of both servers' figures,
# the median and min–max of the per-round ratios replscope ÷ redis, the RSS
# that measure sampled (then forgotten) and CHECK[NAME].
row() {
  local rv sv mr ms ratios rss=() k
  read -ra rv <<< "${FIG[$1,redis]:-}"; read -ra sv <<< "${FIG[$1,replscope]:-}"
  { [ "${#rv[@]}" -gt 0 ] && [ "${#rv[@]}" = "${#sv[@]}" ]; } || die "row $1: figures missing (${#rv[@]} vs ${#sv[@]})"
  mr=$(printf '%s\n' "${rv[@]}" | median); ms=$(printf '%s\n' "${sv[@]}" | median)
  ratios=$(paste -d' ' <(printf '%s\n' "${rv[@]}") <(printf '%s\n' "${sv[@]}") \
    | awk '$1 > 0 {print $2/$1}' | sort -g \
    | awk '{a[NR]=$1} END { if (!NR) { print "– | –"; exit }
        m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2
        printf "%.2f× | %.2f–%.2f", m, a[1], a[NR] }')
  for k in redis replscope; do
    if [ -n "${PEAK[$k]:-}" ]; then
      rss+=("$(awk -v p="${PEAK[$k]}" -v s="${SETTLED[$k]}" 'BEGIN {printf "%.1f / %.1f", p/1024, s/1024}')")
    else rss+=("–"); fi
  done
  PEAK=(); SETTLED=()
  # shellcheck disable=SC2059 # FMT is the figures' printf format
  printf "| %s | $3 | $3 | %s | %s | %s | %s |\n" "$2" "$mr" "$ms" "$ratios" "${rss[0]}" "${rss[1]}" "${CHECK[$1]:-–}"
}

# ---------------------------------------------------------------------------
printf '**bench/compare.sh** %s · nproc %s · load %s · redis-server %s · replscope %s · ' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')" "$COMMIT"
printf '%s rounds after a warm-up run, alternating which server goes first · %s requests, %s clients, -r %s · ratio = replscope ÷ redis · RSS settled after %ss\n' \
  "$ROUNDS" "$REQUESTS" "$CLIENTS" "$KEYSPACE" "$SETTLE"

# --- basic: standalone throughput ------------------------------------------
basic_round() { # test pipeline size kind
  local v
  v=$(rps "${PORT[$4]}" "$1" "$2" "$3") || v=
  [ -n "$v" ] || die "redis-benchmark $1 -P $2 failed against $4"
  keep "basic-$1-$2-$3" "$4" "$v"
}
declare -A PORT
if [[ " $SUITES " == *" basic "* ]]; then
  for k in redis replscope; do start_server "$k"; PORT[$k]=$PORT_; WPID[$k]=$PID_; done
  table "basic: standalone, requests/s (above 1 is faster)"
  for c in "set 16 100" "set 1 100" "get 16 100" "get 1 100" "set 16 3"; do
    read -r t p d <<< "$c"
    say "basic: $t -P $p ${d}B"
    measure basic_round "$t" "$p" "$d"
    row "basic-$t-$p-$d" "${t^^} -P$p ${d}B" '%.0f'
  done
  stop_all
fi

# --- persist ----------------------------------------------------------------
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
  while [ "$(info_field "$port" persistence rdb_bgsave_in_progress)" != "0" ]; do sleep 0.1; done
}

persist_round() { # what kind
  local port=${PORT[$2]} v
  case $1 in
    save)    v=$(secs "$port" SAVE) ;;
    reload)  v=$(secs "$port" DEBUG RELOAD)
             if [ "$(redis-cli -p "$port" DBSIZE)" = "$KEYS" ]; then count reload-ok "$2"; fi ;;
    latency) v=$(max_latency_during_bgsave "$port") ;;
  esac
  [ -n "$v" ] || die "persist $1 gave no figure on $2"
  keep "persist-$1" "$2" "$v"
}

if [[ " $SUITES " == *" persist "* ]]; then
  KEYS=${KEYS:-1000000}
  gen_keys "$KEYS" > "$OUT/keys.resp"
  for k in redis replscope; do
    start_server "$k" --enable-debug-command yes; PORT[$k]=$PORT_
    redis-cli -p "$PORT_" --pipe < "$OUT/keys.resp" >/dev/null
  done
  table "persist: $KEYS keys × 100 B, times (above 1 is slower)"
  for what in save reload latency; do
    say "persist: $what"
    measure persist_round "$what"
    fmt='%.3f'
    case $what in
      save)    label="SAVE (s)" ;;
      reload)  label="DEBUG RELOAD: save, then load (s)"
               CHECK[persist-reload]="DBSIZE=$KEYS after reload: redis ${CNT[reload-ok,redis]:-0}/$ROUNDS, replscope ${CNT[reload-ok,replscope]:-0}/$ROUNDS" ;;
      latency) label="worst SET 100B latency while a BGSAVE runs, 1 client (ms)"; fmt='%.2f' ;;
    esac
    row "persist-$what" "$label" "$fmt"
  done
  stop_all
fi

# ---------------------------------------------------------------------------
# repl: the same replication topologies built once of redis-server processes and
# once of replscope nodes, measured round by round in alternation.
if [[ " $SUITES " == *" repl "* ]]; then
  KEYS=${KEYS:-1000000}
  GAP=${GAP:-110000}
  LAG_REQUESTS=${LAG_REQUESTS:-2000000}
  REPL_ARGS=(--repl-backlog-size 16mb)
  PROBE=$OUT/lagprobe
  go build -o "$PROBE" ./bench/lagprobe

  addrs() { local out="" p; for p in "$@"; do out+="${out:+,}127.0.0.1:$p"; done; echo "$out"; }

  # Topologies: M[kind] master port, MPID[kind] its pid, REPS[kind] replica
  # ports, RPID[kind] first replica's pid.
  declare -A M MPID REPS RPID
  wait_synced() { # kind: every replica link up with the master's offset
    # shellcheck disable=SC2086
    "$PROBE" sync -master "127.0.0.1:${M[$1]}" -replica "$(addrs ${REPS[$1]})" >/dev/null \
      || die "$1: replicas did not sync"
  }
  build_topo() { # kind 1|2|chain
    local kind=$1
    start_server "$kind" "${REPL_ARGS[@]}"; M[$kind]=$PORT_; MPID[$kind]=$PID_
    start_server "$kind" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "${M[$kind]}"
    RPID[$kind]=$PID_; REPS[$kind]=$PORT_
    case $2 in
      2)     start_server "$kind" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "${M[$kind]}"; REPS[$kind]+=" $PORT_" ;;
      chain) start_server "$kind" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "${REPS[$kind]}"; REPS[$kind]+=" $PORT_" ;;
    esac
    wait_synced "$kind"
  }
  watch_masters() { local k; for k in redis replscope; do WPID[$k]=${MPID[$k]}; done; }
  # insync_check NAME: after a row, each replica of both topologies is synced
  # (link up, offset equal to the master's) and has the master's DBSIZE.
  insync_check() {
    local k p n ok tot out=""
    for k in redis replscope; do
      ok=0; tot=0
      for p in ${REPS[$k]}; do
        tot=$((tot + 1))
        if "$PROBE" sync -timeout 60s -master "127.0.0.1:${M[$k]}" -replica "127.0.0.1:$p" >/dev/null 2>&1; then
          n=$(redis-cli -p "${M[$k]}" DBSIZE)
          if [ "$(redis-cli -p "$p" DBSIZE)" = "$n" ]; then ok=$((ok + 1)); fi
        fi
      done
      out+="${out:+, }$k $ok/$tot"
    done
    CHECK[$1]="replicas in sync at the end: $out"
  }

  # --- write throughput on the master -------------------------------------
  tput_round() { # pipe shape kind
    local v
    v=$(rps "${M[$3]}" set "$1" 100) || v=
    [ -n "$v" ] || die "redis-benchmark failed against $3 master"
    keep "tput-$2-$1" "$3" "$v"
    wait_synced "$3" # let the replicas drain before the other server's turn
  }
  table "repl: SET requests/s on the master (above 1 is faster); RSS of the master"
  for shape in 1 2 chain; do
    for k in redis replscope; do build_topo "$k" "$shape"; done
    case $shape in 1) what="1 replica" ;; 2) what="2 replicas" ;; chain) what="chain m→r1→r2" ;; esac
    for pipe in 16 1; do
      say "repl: SET -P $pipe, $what"
      watch_masters
      measure tput_round "$pipe" "$shape"
      insync_check "tput-$shape-$pipe"
      row "tput-$shape-$pipe" "SET -P$pipe 100B, $what" '%.0f'
    done
    stop_all
  done

  # --- full sync of KEYS keys to a fresh replica ---------------------------
  fullsync_round() { # kind
    local kind=$1 m=${M[$1]} f0 f1 v line
    start_server "$kind" "${REPL_ARGS[@]}"
    f0=$(info_field "$m" stats sync_full)
    # key:0 exists already: the probe's SETs leave DBSIZE at KEYS
    line=$("$PROBE" sync -probe key:0 -master "127.0.0.1:$m" -replica "127.0.0.1:$PORT_" -replicaof "127.0.0.1:$m") \
      || die "$kind: full sync failed"
    v=$(sed 's/^secs=\([^ ]*\).*/\1/' <<< "$line")
    f1=$(info_field "$m" stats sync_full)
    keep fullsync "$kind" "$v"
    keep fullsync-maxset "$kind" "$(sed 's/.*maxset_ms=\([^ ]*\).*/\1/' <<< "$line")"
    keep fullsync-p99set "$kind" "$(sed 's/.*p99set_ms=\([^ ]*\).*/\1/' <<< "$line")"
    if (( f1 == f0 + 1 )); then count full-ok "$kind"; fi
    if [ "$(redis-cli -p "$PORT_" DBSIZE)" = "$KEYS" ]; then count size-ok "$kind"; fi
    stop_pid "$PID_"; rm -rf "$OUT/r$PORT_" "$OUT/s$PORT_"
  }
  [ -s "$OUT/keys.resp" ] || gen_keys "$KEYS" > "$OUT/keys.resp"
  for k in redis replscope; do
    start_server "$k" "${REPL_ARGS[@]}"; M[$k]=$PORT_; MPID[$k]=$PID_
    redis-cli -p "$PORT_" --pipe < "$OUT/keys.resp" >/dev/null
    [ "$(redis-cli -p "$PORT_" DBSIZE)" = "$KEYS" ] || die "$k: preload failed"
  done
  table "repl: sync times, s (above 1 is slower); RSS of the master"
  say "repl: full sync"
  watch_masters
  measure fullsync_round
  CHECK[fullsync]="sync_full +1 and replica DBSIZE=$KEYS: redis ${CNT[full-ok,redis]:-0}/${CNT[size-ok,redis]:-0}, replscope ${CNT[full-ok,replscope]:-0}/${CNT[size-ok,replscope]:-0} of $ROUNDS"
  row fullsync "full sync, $KEYS keys × 100B, to a fresh replica" '%.3f'
  row fullsync-maxset "worst SET latency on the master during the full sync, 1 client writing every 1 ms (ms)" '%.2f'
  row fullsync-p99set "p99 of that client's SET latency (ms)" '%.2f'
  stop_all

  # --- a replica's cost of applying its master's stream ---------------------
  # lagprobe feed plays the master: the same 1M-SET stream for both servers,
  # sent as fast as the replica takes it; the figure is the replica's CPU.
  feed_round() { # kind
    local kind=$1 fport fpid line pf=$OUT/feed.pid
    fport=$(free_port); rm -f "$pf"
    "$PROBE" feed -listen "127.0.0.1:$fport" -pidfile "$pf" > "$OUT/feed.out" 2>&1 & fpid=$!; PIDS+=("$fpid")
    for _ in $(seq 1 100); do grep -q listening "$OUT/feed.out" && break; sleep 0.05; done
    start_server "$kind" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "$fport"
    echo "$PID_" > "$pf.tmp"; mv "$pf.tmp" "$pf"
    wait "$fpid" || die "$kind: lagprobe feed failed: $(tail -1 "$OUT/feed.out")"
    forget "$fpid"
    line=$(tail -1 "$OUT/feed.out")
    keep feed-cpu "$kind" "$(sed 's/.*cpu_us_per_set=\([^ ]*\).*/\1/' <<< "$line")"
    keep feed-time "$kind" "$(sed 's/.*acked_s=\([^ ]*\).*/\1/' <<< "$line")"
    stop_pid "$PID_"; rm -rf "$OUT/r$PORT_" "$OUT/s$PORT_"
  }
  table "repl: a replica applying its master's stream, 1M SETs × 100B over 100k keys from lagprobe feed (above 1 is costlier)"
  say "repl: replica apply cost"
  WPID=()
  measure feed_round
  row feed-cpu "replica CPU per SET applied (µs)" '%.3f'
  row feed-time "time until the replica acknowledged the whole stream (s)" '%.3f'

  # --- partial resync after a gap of GAP SETs -----------------------------
  # gen_gap N: RESP for N "SET key:<i> <20 bytes>" commands
  gen_gap() {
    awk -v n="$1" 'BEGIN { v = sprintf("%020d", 7);
      for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$20\r\n%s\r\n", length(k), k, v } }'
  }
  # partial_round settle kind: renew the replica's link (kill it, wait for the
  # resync), leave it up SETTLE seconds, then time the resync of a GAP gap.
  partial_round() {
    local settle=$1 kind=$2 m=${M[$2]} pid=${RPID[$2]} f0 p0 o0 o1 f1 p1 killed out secs linked
    redis-cli -p "$m" CLIENT KILL TYPE replica >/dev/null
    wait_synced "$kind"
    sleep "$settle"
    f0=$(info_field "$m" stats sync_full); p0=$(info_field "$m" stats sync_partial_ok)
    o0=$(info_field "$m" replication master_repl_offset)
    kill -STOP "$pid"
    killed=$(redis-cli -p "$m" CLIENT KILL TYPE replica)
    redis-cli -p "$m" --pipe < "$OUT/gap.resp" >/dev/null
    o1=$(info_field "$m" replication master_repl_offset)
    out=$("$PROBE" sync -master "127.0.0.1:$m" -replica "127.0.0.1:${REPS[$kind]}" -cont "$pid") \
      || die "$kind: resync failed"
    f1=$(info_field "$m" stats sync_full); p1=$(info_field "$m" stats sync_partial_ok)
    read -r secs linked rinfo _ <<< "$out" # secs=S linked=L replinfo_max_ms=M
    keep "partial-$settle" "$kind" "${secs#secs=}"
    keep "linked-$settle" "$kind" "${linked#linked=}"
    keep "rinfo-$settle" "$kind" "${rinfo#replinfo_max_ms=}"
    keep gapbytes "$kind" "$((o1 - o0))"
    if [ "$killed" = 1 ]; then count "killed-$settle" "$kind"; fi
    if (( p1 == p0 + 1 )); then count "partial-ok-$settle" "$kind"; fi
    if (( f1 == f0 )); then count "no-full-$settle" "$kind"; fi
  }
  gen_gap "$GAP" > "$OUT/gap.resp"
  for k in redis replscope; do build_topo "$k" 1; done
  for settle in 3 0.3; do
    say "repl: partial resync, link up ${settle}s"
    measure partial_round "$settle"
    c=""
    for k in redis replscope; do
      c+="${c:+; }$k: CLIENT KILL killed 1 ${CNT[killed-$settle,$k]:-0}/$ROUNDS, sync_partial_ok +1 ${CNT[partial-ok-$settle,$k]:-0}/$ROUNDS, sync_full unchanged ${CNT[no-full-$settle,$k]:-0}/$ROUNDS"
    done
    CHECK[partial-$settle]=$c
  done
  gapmb=$(raw gapbytes redis | tr ' ' '\n' | median | awk '{printf "%.1f", $1/1048576}')
  for settle in 3 0.3; do
    row "partial-$settle" "partial resync of a $gapmb MB gap (20B values), link up ${settle}s before" '%.3f'
    row "linked-$settle" "of which until the master lists the replica again" '%.3f'
    row "rinfo-$settle" "slowest INFO round trip on the catching-up replica (ms)" '%.1f'
  done
  stop_all
  echo
  echo "Partial resync: the replica is stopped (SIGSTOP), its link killed, the gap written, then SIGCONT; gap bytes per round: redis $(raw gapbytes redis); replscope $(raw gapbytes replscope)."

  # --- byte lag of one replica under SET -P 16 load ------------------------
  lag_round() { # kind
    local kind=$1 m=${M[$1]} out f0 f1 line x
    f0=$(info_field "$m" stats sync_full)
    out=$("$PROBE" lag -master "127.0.0.1:$m" -replica "127.0.0.1:${REPS[$kind]}" -- \
      redis-benchmark -p "$m" -t set -P 16 -c "$CLIENTS" -n "$LAG_REQUESTS" -r "$KEYSPACE" -d 100 -q | tr '\r' '\n') \
      || die "$kind: lag probe failed"
    f1=$(info_field "$m" stats sync_full)
    keep lagrps "$kind" "$(grep -i '^SET:' <<< "$out" | tail -1 | awk '{print $2}')"
    line=$(grep '^samples=' <<< "$out")
    for x in $line; do keep "lag-${x%%=*}" "$kind" "${x#*=}"; done
    if (( f1 == f0 )); then count lag-nofull "$kind"; fi
  }
  for k in redis replscope; do build_topo "$k" 1; done
  say "repl: lag"
  watch_masters
  measure lag_round
  insync_check lagrps
  CHECK[lagrps]+="; no full resync: redis ${CNT[lag-nofull,redis]:-0}/$ROUNDS, replscope ${CNT[lag-nofull,replscope]:-0}/$ROUNDS"
  table "repl: replica byte lag under SET -P16 100B, $LAG_REQUESTS requests (lag: above 1 is behind more); RSS of the master"
  row lagrps   "SET -P16 100B requests/s during the lag rounds, 1 replica" '%.0f'
  row lag-p50  "lag p50 (bytes)" '%.0f'
  row lag-p99  "lag p99 (bytes)" '%.0f'
  row lag-max  "lag max (bytes)" '%.0f'
  row lag-catchup "catch-up after the load (s)" '%.4f'
  echo
  for k in redis replscope; do
    echo "Lag sampling, $k: samples $(raw lag-samples "$k"); period ms $(raw lag-period_ms "$k"); link down $(raw lag-down "$k"); replica ahead $(raw lag-neg "$k")."
  done
  stop_all
fi
