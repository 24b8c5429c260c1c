#!/usr/bin/env bash
# The client benchmark: our PostgreSQL, Redis and HTTP clients (release build, through
# `factorybench run`, which starts the server) side by side with the yardsticks — pgbench,
# redis-benchmark and wrk — each against its own fresh server of the same binaries on this
# machine, one load-generator process each with the same connections and threads
# (`load.threads`: pgbench -j 2, redis-benchmark's one, wrk -t 2). Prints requests/s,
# the client's CPU time per request (user + system of the yardstick's process; for
# factorybench the CPU its clients used while they ran, `load_generator.cpu_us_per_request`
# in summary.json: service start-up, report and site not counted) and our/yardstick ratios;
# then the open loop's schedule lateness at two rates.
#
# A shared machine's speed drifts from one measurement to the next by more than the gap
# being measured, so every row runs ROUNDS rounds (default 3), yardstick and ours in turn,
# and prints the median of each (and every round's figures).
#
# usage: Tests/Benchmarks/clients.sh [SECONDS] [ROUNDS]     (default 10 s per measurement, 3 rounds)
#        ONLY=PostgreSQL Tests/Benchmarks/clients.sh ...     (only the rows whose title has that word)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
rounds="${2:-3}"
export PATH="/opt/swift/usr/bin:$PATH"
# The yardsticks and the HTTP server (pgbench and redis-benchmark come with the servers).
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx; }
done
swift build -c release --static-swift-stdlib --product factorybench >/dev/null
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/factorybench"
work="$(mktemp -d /tmp/factorybench-clients-XXXX)"
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() {  # command... → prints user+sys seconds of the command; its output is in $work/out
    /usr/bin/time -f "%U %S" "$@" 2>"$work/time" >"$work/out" || { cat "$work/out" "$work/time"; exit 1; }
    tail -1 "$work/time" | awk '{print $1 + $2}'
}
ours() {  # recipe name → "requests/s cpu-µs-per-request" of its latest run
    local run
    run=$(ls -td "$work"/results/"$1"-* | head -1)
    python3 - "$run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["requests_per_second"], s["load_generator"]["cpu_us_per_request"])
PY
}
run_recipe() {  # name, YAML → runs it in $work
    printf '%s\n' "$2" >"$work/$1.yaml"
    (cd "$work" && "$binary" run "$1.yaml" >/dev/null)
}
rows=()
rounded='function rounded(list,  n, i, parts, text) { n = split(list, parts, " "); for (i = 1; i <= n; i++) text = text (i > 1 ? " " : "") sprintf("%.0f", parts[i]); return text }'
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# title, yardstick name, yardstick command, our name, our command: each command prints
# "req/s µs-per-request"; they run in turn, `rounds` times.
measure() {
    [[ "$1" == *"${ONLY:-}"* ]] || return 0
    local y_rps=() y_cpu=() o_rps=() o_cpu=() r c
    for _ in $(seq "$rounds"); do
        read -r r c < <($3); [ -n "$c" ] || { echo "$3 gave no figures" >&2; exit 1; }; y_rps+=("$r"); y_cpu+=("$c")
        read -r r c < <($5); [ -n "$c" ] || { echo "$5 gave no figures" >&2; exit 1; }; o_rps+=("$r"); o_cpu+=("$c")
    done
    local yr yc orr oc
    yr=$(echo "${y_rps[*]}" | median); yc=$(echo "${y_cpu[*]}" | median)
    orr=$(echo "${o_rps[*]}" | median); oc=$(echo "${o_cpu[*]}" | median)
    rows+=("$1")
    rows+=("$(awk -v n="$2" -v r="$yr" -v c="$yc" -v all="${y_rps[*]}" "$rounded"'
        BEGIN { printf "  %-46s %9.0f req/s %7.1f µs CPU/request   (rounds: %s)", n, r, c, rounded(all) }')")
    rows+=("$(awk -v n="$4" -v r="$orr" -v c="$oc" -v yr="$yr" -v yc="$yc" -v all="${o_rps[*]}" "$rounded"'
        BEGIN { printf "  %-46s %9.0f req/s %7.1f µs CPU/request   throughput %.2fx, CPU %.2fx   (rounds: %s)",
            n, r, c, r / yr, c / yc, rounded(all) }')")
}

# --- PostgreSQL: 4 connections, one request in flight each, one process (pgbench -j 2).
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=(); [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
pg_start() {
    data="$work/pg"; rm -rf "$data"; mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
    port=$(free_port)
    "${as_pg[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $data" -l "$data/log" start >/dev/null
}
pg_stop() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; }
pgbench_run() {  # pgbench arguments → "tps µs-per-transaction"
    local used count tps
    used=$(cpu "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -M prepared -c 4 -j 2 -T "$seconds" "$@" postgres)
    tps=$(grep -oE 'tps = [0-9.]+' "$work/out" | tail -1 | awk '{print $3}')
    count=$(grep -oE 'number of transactions actually processed: [0-9]+' "$work/out" | awk '{print $NF}')
    echo "$tps $(awk -v c="$used" -v n="$count" 'BEGIN { print c / n * 1e6 }')"
}

pgbench_lookups() {
    pg_start
    "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 1 -q postgres >/dev/null 2>&1
    pgbench_run -S
    pg_stop
}
ours_lookups() {
    run_recipe pg_lookup "service: {type: postgres}
client:
  type: postgres_stress
  settings: {warmup_delay: 0, initial_rows: 100000, mix: {point_lookup: 1}}
load: {concurrency: 4, threads: 2, duration: ${seconds}s}"
    ours pg_lookup
}
measure "PostgreSQL point lookups by primary key, 4 connections × 1 in flight, ${seconds} s:" \
    "pgbench -S -M prepared -c 4 -j 2" pgbench_lookups "factorybench postgres_stress (point_lookup)" ours_lookups

# The insert/update mix: pgbench runs the statements postgres_stress prepares, half each,
# on the table postgres_stress makes (vacuumed after loading, as both tools do).
payload=$(printf 'x%.0s' $(seq 100))
cat >"$work/mix.sql" <<SQL
\set id random(1, 100000)
\set kind random(0, 1)
\if :kind = 0
INSERT INTO stress_test(client_id, bucket, value, payload) VALUES (0, :id % 100, :id, '$payload') RETURNING id;
\else
UPDATE stress_test SET value = value + 1 WHERE id = :id RETURNING id;
\endif
SQL
chmod 644 "$work/mix.sql"
pgbench_mix() {
    pg_start
    "${as_pg[@]}" "$pgbin/psql" -q -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null <<'SQL'
CREATE TABLE stress_test (id BIGSERIAL PRIMARY KEY, client_id BIGINT NOT NULL, bucket BIGINT NOT NULL,
    value BIGINT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX stress_test_bucket ON stress_test(bucket);
INSERT INTO stress_test(client_id, bucket, value, payload)
    SELECT -1, g % 100, (g * 7919) % 1000000, repeat('x', 100) FROM generate_series(1, 100000) AS g;
VACUUM ANALYZE stress_test;
SQL
    pgbench_run -n -f "$work/mix.sql"
    pg_stop
}
ours_mix() {
    run_recipe pg_mix "service: {type: postgres}
client:
  type: postgres_stress
  settings: {warmup_delay: 0, initial_rows: 100000, mix: {insert: 1, update: 1}}
load: {concurrency: 4, threads: 2, duration: ${seconds}s}"
    ours pg_mix
}
measure "PostgreSQL inserts and updates by primary key, half each, 4 connections × 1 in flight, ${seconds} s:" \
    "pgbench -f (the same statements) -c 4 -j 2" pgbench_mix "factorybench postgres_stress (insert, update)" ours_mix

# --- Redis: 256-byte values, GET and SET, 8 and 64 in flight (one connection each, one
# thread as redis-benchmark).
redis_benchmark() {
    local rport requests used
    rport=$(free_port)
    redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize yes \
        --pidfile "$work/redis.pid" --dir "$work" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    requests=$(( 25000 * seconds ))
    # GETs find 256-byte values, as redis_stress's do.
    redis-benchmark -p "$rport" -t set -n 20000 -d 256 -r 10000 -q >/dev/null
    used=$(cpu redis-benchmark -p "$rport" -t "$command" -c "$inflight" -n "$requests" -d 256 -r 10000 -q)
    kill "$(cat "$work/redis.pid")"
    echo "$(grep -oE '[0-9.]+ requests per second' "$work/out" | tail -1 | awk '{print $1}')" \
        "$(awk -v c="$used" -v n="$requests" 'BEGIN { print c / n * 1e6 }')"
}
ours_redis() {
    run_recipe "redis_${command}_$inflight" "service: {type: redis}
client:
  type: redis_stress
  settings: {value_size_bytes: 256, key_space: 10000, mix: {$command: 1}}
load: {concurrency: $inflight, threads: 1, duration: ${seconds}s}"
    ours "redis_${command}_$inflight"
}
for command in get set; do
    for inflight in 8 64; do
        measure "Redis ${command^^} of 256-byte values, $inflight in flight, ${seconds} s:" \
            "redis-benchmark -t $command -c $inflight -d 256" redis_benchmark \
            "factorybench redis_stress ($command)" ours_redis
    done
done

# --- HTTP: nginx serving a 612-byte static file, 8 connections (wrk: 2 threads).
mkdir -p "$work/www"
head -c 612 /dev/zero | tr '\0' 'x' >"$work/www/index.html"
chmod -R a+rX "$work/www"
nginx_command() {  # port → the command that runs nginx on it in the foreground
    echo "mkdir -p $work/nginx-\$PORT && printf 'pid nginx.pid; error_log stderr; worker_processes 1; events {} http { access_log off; server { listen 127.0.0.1:%s; root $work/www; } }' \$PORT > $work/nginx-\$PORT/nginx.conf && exec nginx -p $work/nginx-\$PORT -c nginx.conf -g 'daemon off;'"
}
wrk_run() {
    local hport used count
    hport=$(free_port)
    PORT=$hport bash -c "$(nginx_command)" 2>/dev/null &
    pids+=($!)
    for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $hport))" 2>/dev/null && break; sleep 0.1; done
    used=$(cpu wrk -t 2 -c 8 -d "${seconds}s" "http://127.0.0.1:$hport/index.html")
    count=$(grep -oE '[0-9]+ requests in' "$work/out" | awk '{print $1}')
    kill "${pids[-1]}"
    echo "$(grep -oE 'Requests/sec: +[0-9.]+' "$work/out" | awk '{print $2}')" \
        "$(awk -v c="$used" -v n="$count" 'BEGIN { print c / n * 1e6 }')"
}
ours_http() {
    run_recipe http "service:
  type: nginx
  command: |
    $(nginx_command)
client:
  type: http_stress
  settings: {path: /index.html}
load: {concurrency: 8, threads: 2, duration: ${seconds}s}"
    ours http
}
measure "HTTP GET of a 612-byte static file from nginx, 8 connections, ${seconds} s:" \
    "wrk -t 2 -c 8" wrk_run "factorybench http_stress" ours_http

# --- LLM: a streaming endpoint that answers at once (64 content chunks per answer) and
# stamps its own times; no C yardstick, the goals are absolute. Client CPU ≤ 0.1 ms per
# request, with each answer sent whole and 4 requests in flight (the cost per request);
# TTFT and every inter-chunk gap within 1 ms (p99) of the endpoint's own stamps, with each
# chunk sent on its own and one request at a time (the endpoint is one Python thread: with
# more in flight, a request waits for it before the endpoint can stamp its arrival, a wait
# the client rightly counts in its TTFT). Request i sends prompt i mod 64, which pairs
# records with stamps.
llm=()
llm_run() {  # "" or --paced, requests in flight → one line of figures
    rm -f "$work/stamps.jsonl"
    run_recipe "llm$1" "service:
  type: vllm
  command: exec python3 $PWD/Tests/Fixtures/servers/instant_llm.py --port \$PORT --chunks 64 $1 --stamps $work/stamps.jsonl
client:
  type: vllm_stress
  settings: {model: instant, max_tokens: 64, prompt_source: file, prompts_file: $work/prompts.jsonl}
load: {concurrency: $2, threads: 1, duration: ${seconds}s}"
    python3 - "$(ls -td "$work"/results/llm"$1"-* | head -1)" "$work/stamps.jsonl" "${1:-at once}" "$2" <<'PY'
import glob, json, sys
run, stamps_path, mode, inflight = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
summary = json.load(open(run + "/summary.json"))
stamps = {}
for line in open(stamps_path):
    s = json.loads(line)
    stamps.setdefault(s["prompt"], []).append(s)
records = {}
for path in glob.glob(run + "/clients/*.jsonl"):
    for line in list(open(path))[1:]:
        r = json.loads(line)
        if r.get("success"):
            index = int(r["request_id"].rsplit("-", 1)[1])
            records.setdefault("prompt number %d" % (index % 64), []).append((index, r))
ttft, gaps = [], []
for prompt, mine in records.items():
    mine.sort(key=lambda pair: pair[0])
    theirs = sorted(stamps.get(prompt, []), key=lambda s: s["received"])
    for (_, r), s in zip(mine, theirs):
        ttft.append(abs(r["ttft_s"] - (s["sent"][0] - s["received"]) / 1e9))
        server_gaps = [(b - a) / 1e9 for a, b in zip(s["sent"], s["sent"][1:])]
        gaps += [abs(a - b) for a, b in zip(r.get("itl_s", []), server_gaps)]
def p99(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(0.99 * len(values)))] * 1e3 if values else float("nan")
g = summary["load_generator"]
print("  answer sent %-8s %d in flight: %6.0f req/s %6.1f µs CPU/request   |TTFT − endpoint's| p99 %.3f ms, "
      "|gap − endpoint's| p99 %.3f ms   (%d requests, %d gaps paired)"
      % (mode.replace("--paced", "by chunk"), inflight, summary["requests_per_second"], g["cpu_us_per_request"],
         p99(ttft), p99(gaps), len(ttft), len(gaps)))
PY
}
if [[ "LLM" == *"${ONLY:-}"* ]]; then
    for number in $(seq 0 63); do echo "{\"prompt\": \"prompt number $number\"}"; done >"$work/prompts.jsonl"
    llm+=("$(llm_run "" 4)")
    llm+=("$(llm_run --paced 1)")
fi

# --- Open loop: schedule lateness (actual − intended start) per client.
lateness=()
[[ "Open loop" == *"${ONLY:-}"* ]] && rates=(2000 20000) || rates=()
for rate in "${rates[@]}"; do
    run_recipe "open_$rate" "service: {type: redis}
client:
  type: redis_stress
  settings: {value_size_bytes: 256, mix: {get: 1}}
load: {mode: open, rate: $rate, concurrency: 64, duration: ${seconds}s}"
    run=$(ls -td "$work"/results/open_"$rate"-* | head -1)
    lateness+=("$(python3 - "$run/summary.json" "$rate" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["load_generator"]
l = g["schedule_lateness_s"]
print("  redis_stress open loop at %6s req/s: lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d dropped"
      % (sys.argv[2], l["p50"] * 1e3, l["p99"] * 1e3, l["max"] * 1e3, g["dropped_requests"]))
PY
)")
done

[ ${#rows[@]} -gt 0 ] && printf '%s\n' "${rows[@]}"
[ ${#llm[@]} -gt 0 ] && echo "LLM: factorybench vllm_stress from an endpoint that answers at once, 64 content chunks per answer, ${seconds} s
  (goals: ≤ 100 µs CPU/request with the answer sent at once; TTFT and gaps within 1 ms of the endpoint's stamps at p99, by chunk):" \
    && printf '%s\n' "${llm[@]}"
[ ${#rates[@]} -gt 0 ] && echo "Open loop, one client, 64 slots, ${seconds} s (goal: p99 < 1 ms at 2,000 and < 2 ms at 20,000 req/s):"
[ ${#rates[@]} -gt 0 ] && printf '%s\n' "${lateness[@]}"
echo "(2 cores shared by client and server: compare ratios, not absolutes)"
