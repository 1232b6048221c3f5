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
#   repl      replication, the same topologies built of redis-server and of replscope nodes:
#             SET -P 16 / -P 1 throughput on a master with 1 replica, 2 replicas and a chain;
#             full sync of KEYS keys x 100 B to a fresh replica; partial resync of a GAP-command
#             gap (default 110000 SETs, ~5 MB of stream); byte lag of a replica under SET -P 16
#             load (LAG_REQUESTS requests, default 2000000), sampled by bench/lagprobe.
# e.g. SUITES="basic persist repl" bench/compare.sh 5
# REPLSCOPE_BIN=path measures that replscope binary instead of building this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
REQUESTS=${2:-300000}
CLIENTS=50
SUITES=${SUITES:-basic}
OUT=$(mktemp -d)
trap 'cleanup' EXIT
trap 'echo "compare.sh: command failed at line $LINENO" >&2' ERR
PIDS=()
cleanup() {
  # Newest first (replicas before their masters); SIGCONT too: a replica
  # stopped by the repl suite cannot act on SIGTERM.
  for p in $(printf '%s\n' "${PIDS[@]:-}" | tac); do
    [ -n "$p" ] && { kill "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  wait 2>/dev/null || true
  rm -rf "$OUT"
}

for tool in redis-server redis-benchmark redis-cli; do
  command -v $tool >/dev/null || { echo "compare.sh needs $tool (apt-get install redis-server redis-tools)"; exit 1; }
done

# REPLSCOPE_BIN=/path/to/replscope measures a prebuilt binary instead of this checkout.
if [ -n "${REPLSCOPE_BIN:-}" ]; then cp "$REPLSCOPE_BIN" "$OUT/replscope"; else go build -o "$OUT/replscope" . >/dev/null; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_up port pid: until the server answering on port is process pid (so a
# port that another process took in the meantime is not mistaken for ours)
wait_up() {
  for _ in $(seq 1 200); do
    [ "$(redis-cli -p "$1" INFO server 2>/dev/null | tr -d '\r' | awk -F: '$1=="process_id" {print $2}')" = "$2" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "server (pid $2) on port $1 did not start"; exit 1
}

start_redis() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/r$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/r$port" \
    --repl-diskless-sync-delay 0 --logfile "$OUT/r$port/log" "$@" &
  PIDS+=($!)
  wait_up "$port" $!
}

start_replscope() { # port [args...]
  local port=$1; shift
  mkdir -p "$OUT/s$port"
  "$OUT/replscope" node --port "$port" --bind 127.0.0.1 --save "" --dir "$OUT/s$port" \
    --repl-diskless-sync-delay 0 --logfile "$OUT/s$port/log" "$@" &
  PIDS+=($!)
  wait_up "$port" $!
}

stop_all() {
  for p in $(printf '%s\n' "${PIDS[@]:-}" | tac); do
    [ -n "$p" ] && { kill "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  wait 2>/dev/null || true
  PIDS=()
}

# rps port test pipeline -> requests per second (100-byte values)
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
  # Warm-up: one untimed run on each server first (the Go runtime's first
  # round is always replscope's slowest).
  rps "$rport" "$test" "$pipe" >/dev/null; rps "$sport" "$test" "$pipe" >/dev/null
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
  printf '%-34s %12.0f %12.0f %7.2fx   rounds: %s   rss MB: redis %s replscope %s\n' "$name" "$mr" "$ms" "$mratio" "${ratios[*]}" \
    "$(rss_mb "$rport")" "$(rss_mb "$sport")"
}

# rss_mb port -> the server's used_memory_rss in MB (RSS from /proc on both)
rss_mb() {
  redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '/^used_memory_rss:/ {printf "%.1f", $2/1048576}'
}

if [[ " $SUITES " == *" basic "* ]]; then
  printf '%-34s %12s %12s %8s\n' "case (rps, median of $ROUNDS)" "redis" "replscope" "ratio"
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
      # alternate which server goes first, round by round
      for who in $( (( i % 2 )) && echo "r s" || echo "s r"); do
        port=$RP; [ "$who" = s ] && port=$SP
        case $what in
          save)    v=$(secs "$port" SAVE) ;;
          reload)  v=$(secs "$port" DEBUG RELOAD) ;;
          latency) v=$(max_latency_during_bgsave "$port") ;;
        esac
        if [ "$who" = r ]; then r=$v; else s=$v; fi
      done
      rs+=("$r"); ss+=("$s")
    done
    mr=$(printf '%s\n' "${rs[@]}" | median); ms=$(printf '%s\n' "${ss[@]}" | median)
    unit=s; [ "$what" = latency ] && unit=ms
    label="SAVE ($unit)"; [ "$what" = reload ] && label="DEBUG RELOAD ($unit)"; [ "$what" = latency ] && label="max SET latency in BGSAVE ($unit)"
    printf '%-34s %12s %12s %7.2fx   rounds: r=%s s=%s\n' "$label" "$mr" "$ms" "$(awk -v a="$ms" -v b="$mr" 'BEGIN{print (b>0)? a/b : 0}')" "${rs[*]}" "${ss[*]}"
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

  start_kind() { # kind port [args...]
    local kind=$1; shift
    if [ "$kind" = redis ]; then start_redis "$@"; else start_replscope "$@"; fi
  }
  # stop_pid pid: stop one process this script started and forget it
  stop_pid() {
    kill "$1" 2>/dev/null || true; kill -CONT "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local keep=() p
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
    PIDS=("${keep[@]:-}")
  }
  info_field() { # port section field
    redis-cli -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'
  }
  addrs() { local out="" p; for p in "$@"; do out+="${out:+,}127.0.0.1:$p"; done; echo "$out"; }
  logs_tail() { for f in "$OUT"/*/log; do echo "== $f"; tail -5 "$f"; done; }

  # Topologies: M[kind] master port, REPS[kind] replica ports, RPID[kind] first replica's pid.
  declare -A M REPS RPID FIG CNT
  wait_synced() { # kind: every replica link up with the master's offset
    # shellcheck disable=SC2086
    "$PROBE" sync -master "127.0.0.1:${M[$1]}" -replica "$(addrs ${REPS[$1]})" >/dev/null \
      || { echo "$1: replicas did not sync"; logs_tail; exit 1; }
  }
  build_topo() { # kind 1|2|chain
    local kind=$1 m r1 r2
    m=$(free_port); start_kind "$kind" "$m" "${REPL_ARGS[@]}"; M[$kind]=$m
    r1=$(free_port); start_kind "$kind" "$r1" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "$m"
    RPID[$kind]=${PIDS[-1]}; REPS[$kind]=$r1
    case $2 in
      2)     r2=$(free_port); start_kind "$kind" "$r2" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "$m"; REPS[$kind]+=" $r2" ;;
      chain) r2=$(free_port); start_kind "$kind" "$r2" "${REPL_ARGS[@]}" --replicaof 127.0.0.1 "$r1"; REPS[$kind]+=" $r2" ;;
    esac
    wait_synced "$kind"
  }

  # Figures: round functions call "keep NAME KIND VALUE"; rounds line up by index.
  keep() { FIG["$1,$2"]+="$3 "; }
  count() { CNT["$1,$2"]=$(( ${CNT["$1,$2"]:-0} + ${3:-1} )); }
  # alternate FN ARGS...: ROUNDS times "FN ARGS... redis" and "FN ARGS... replscope",
  # swapping which goes first every round.
  alternate() {
    local i k
    for i in $(seq 1 "$ROUNDS"); do
      for k in $( (( i % 2 )) && echo "redis replscope" || echo "replscope redis"); do "$@" "$k"; done
    done
  }
  # row NAME LABEL FMT: medians of both kinds and of the per-round ratios replscope/redis
  row() {
    local rv sv i ratios=() mr ms
    read -ra rv <<< "${FIG[$1,redis]}"; read -ra sv <<< "${FIG[$1,replscope]}"
    for i in "${!rv[@]}"; do
      ratios+=("$(awk -v a="${sv[$i]}" -v b="${rv[$i]}" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "inf" }')")
    done
    mr=$(printf '%s\n' "${rv[@]}" | median); ms=$(printf '%s\n' "${sv[@]}" | median)
    printf "%-40s $3 $3 %7.2fx   rounds: %s\n" "$2" "$mr" "$ms" "$(printf '%s\n' "${ratios[@]}" | median)" "${ratios[*]}"
  }
  raw() { # NAME KIND: the per-round figures
    echo "${FIG[$1,$2]% }"
  }
  header() { echo; printf '%-40s %12s %12s %8s\n' "$1" redis replscope ratio; }

  # --- write throughput on the master -------------------------------------
  tput_round() { # pipe shape kind
    local v
    v=$(rps "${M[$3]}" set "$1")
    [ -n "$v" ] || { echo "redis-benchmark failed against $3 master"; logs_tail; exit 1; }
    keep "tput-$2-$1" "$3" "$v"
    wait_synced "$3" # let the replicas drain before the other server's turn
  }
  header "repl: SET rps on master (median of $ROUNDS)"
  for shape in 1 2 chain; do
    for k in redis replscope; do build_topo "$k" "$shape"; done
    case $shape in 1) what="1 replica" ;; 2) what="2 replicas" ;; chain) what="chain m->r1->r2" ;; esac
    for pipe in 16 1; do
      alternate tput_round "$pipe" "$shape"
      row "tput-$shape-$pipe" "set -P $pipe, $what" '%12.0f'
    done
    for k in redis replscope; do
      n=$(redis-cli -p "${M[$k]}" DBSIZE)
      for p in ${REPS[$k]}; do
        count dbsize-checked "$k"
        if [ "$(redis-cli -p "$p" DBSIZE)" = "$n" ]; then count dbsize-equal "$k"; fi
      done
    done
    stop_all
  done
  echo "  check: replicas' DBSIZE equal to the master's after the load:" \
    "redis ${CNT[dbsize-equal,redis]:-0}/${CNT[dbsize-checked,redis]}," \
    "replscope ${CNT[dbsize-equal,replscope]:-0}/${CNT[dbsize-checked,replscope]}"

  # --- full sync of KEYS keys to a fresh replica ---------------------------
  fullsync_round() { # kind
    local kind=$1 m=${M[$1]} p pid f0 f1 v
    p=$(free_port); start_kind "$kind" "$p" "${REPL_ARGS[@]}"; pid=${PIDS[-1]}
    f0=$(info_field "$m" stats sync_full)
    v=$("$PROBE" sync -master "127.0.0.1:$m" -replica "127.0.0.1:$p" -replicaof "127.0.0.1:$m" | sed 's/^secs=\([^ ]*\).*/\1/') \
      || { echo "$kind: full sync failed"; logs_tail; exit 1; }
    f1=$(info_field "$m" stats sync_full)
    keep fullsync "$kind" "$v"
    if (( f1 == f0 + 1 )); then count full-ok "$kind"; fi
    if [ "$(redis-cli -p "$p" DBSIZE)" = "$KEYS" ]; then count size-ok "$kind"; fi
    stop_pid "$pid"; rm -rf "$OUT/r$p" "$OUT/s$p"
  }
  [ -s "$OUT/keys.resp" ] || gen_keys "$KEYS" > "$OUT/keys.resp"
  for k in redis replscope; do
    M[$k]=$(free_port); start_kind "$k" "${M[$k]}" "${REPL_ARGS[@]}"
    redis-cli -p "${M[$k]}" --pipe < "$OUT/keys.resp" >/dev/null
    [ "$(redis-cli -p "${M[$k]}" DBSIZE)" = "$KEYS" ] || { echo "$k: preload failed"; exit 1; }
  done
  header "repl: sync time (s, median of $ROUNDS)"
  alternate fullsync_round
  row fullsync "full sync, $KEYS keys x 100 B" '%12.3f'
  echo "  check: master sync_full +1 and replica DBSIZE=$KEYS per round:" \
    "redis ${CNT[full-ok,redis]:-0}/${CNT[size-ok,redis]:-0} of $ROUNDS," \
    "replscope ${CNT[full-ok,replscope]:-0}/${CNT[size-ok,replscope]:-0} of $ROUNDS"
  echo "  rounds (s): redis $(raw fullsync redis); replscope $(raw fullsync replscope)"
  stop_all

  # --- partial resync after a gap of GAP SETs -----------------------------
  # gen_gap N: RESP for N "SET key:<i> <20 bytes>" commands
  gen_gap() {
    awk -v n="$1" 'BEGIN { v = sprintf("%020d", 7);
      for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$20\r\n%s\r\n", length(k), k, v } }'
  }
  # partial_round settle kind: renew the replica's link (kill it, wait for the
  # resync), leave it up SETTLE seconds, then time the resync of a GAP gap.
  partial_round() {
    local settle=$1 kind=$2 m=${M[$2]} pid=${RPID[$2]} f0 p0 o0 o1 f1 p1 killed out
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
      || { echo "$kind: resync failed"; logs_tail; exit 1; }
    f1=$(info_field "$m" stats sync_full); p1=$(info_field "$m" stats sync_partial_ok)
    keep "partial-$settle" "$kind" "$(sed 's/.*secs=\([^ ]*\).*/\1/' <<< "$out")"
    keep "linked-$settle" "$kind" "$(sed 's/.*linked=\([^ ]*\).*/\1/' <<< "$out")"
    keep gapbytes "$kind" "$((o1 - o0))"
    if [ "$killed" = 1 ]; then count killed "$kind"; fi
    if (( p1 == p0 + 1 )); then count partial-ok "$kind"; fi
    if (( f1 == f0 )); then count no-full "$kind"; fi
  }
  gen_gap "$GAP" > "$OUT/gap.resp"
  for k in redis replscope; do build_topo "$k" 1; done
  for settle in 3 0.3; do alternate partial_round "$settle"; done
  gapmb=$(raw gapbytes redis | tr ' ' '\n' | median | awk '{printf "%.1f", $1/1048576}')
  for settle in 3 0.3; do
    row "partial-$settle" "partial resync $gapmb MB, link up ${settle}s+" '%12.3f'
    row "linked-$settle" "  of which until master sees replica" '%12.3f'
  done
  echo "  (link up: since the link's last resync, plus the time to write the gap while the replica is stopped)"
  for k in redis replscope; do
    echo "  check $k: CLIENT KILL killed 1 replica ${CNT[killed,$k]:-0}/$((2 * ROUNDS))," \
      "sync_partial_ok +1 ${CNT[partial-ok,$k]:-0}/$((2 * ROUNDS)), sync_full unchanged ${CNT[no-full,$k]:-0}/$((2 * ROUNDS))"
  done
  echo "  gap bytes: redis $(raw gapbytes redis); replscope $(raw gapbytes replscope)"
  for settle in 3 0.3; do
    echo "  rounds, link up ${settle}s (s): redis $(raw "partial-$settle" redis); replscope $(raw "partial-$settle" replscope)"
  done
  stop_all

  # --- byte lag of one replica under SET -P 16 load ------------------------
  lag_round() { # kind
    local kind=$1 m=${M[$1]} out f0 f1 line x
    f0=$(info_field "$m" stats sync_full)
    out=$("$PROBE" lag -master "127.0.0.1:$m" -replica "127.0.0.1:${REPS[$kind]}" -- \
      redis-benchmark -p "$m" -t set -P 16 -c "$CLIENTS" -n "$LAG_REQUESTS" -r 100000 -d 100 -q | tr '\r' '\n') \
      || { echo "$kind: lag probe failed"; logs_tail; exit 1; }
    f1=$(info_field "$m" stats sync_full)
    keep lagrps "$kind" "$(grep -i '^SET:' <<< "$out" | tail -1 | awk '{print $2}')"
    line=$(grep '^samples=' <<< "$out")
    for x in $line; do keep "lag-${x%%=*}" "$kind" "${x#*=}"; done
    if (( f1 == f0 )); then count lag-nofull "$kind"; fi
  }
  for k in redis replscope; do build_topo "$k" 1; done
  alternate lag_round
  header "repl: replica byte lag, SET -P 16 (median of $ROUNDS)"
  row lagrps   "set -P 16 rps during the lag rounds" '%12.0f'
  row lag-p50  "lag p50 (bytes)" '%12.0f'
  row lag-p99  "lag p99 (bytes)" '%12.0f'
  row lag-max  "lag max (bytes)" '%12.0f'
  row lag-catchup "catch-up after the load (s)" '%12.4f'
  for k in redis replscope; do
    echo "  $k: samples $(raw lag-samples "$k"); period ms $(raw lag-period_ms "$k");" \
      "link down $(raw lag-down "$k"); replica ahead $(raw lag-neg "$k"); no full resync ${CNT[lag-nofull,$k]:-0}/$ROUNDS"
  done
  echo "  p99 rounds: redis $(raw lag-p99 redis); replscope $(raw lag-p99 replscope)"
  echo "  max rounds: redis $(raw lag-max redis); replscope $(raw lag-max replscope)"
  stop_all
fi
