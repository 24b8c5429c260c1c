#!/usr/bin/env bash
# The client benchmark: our PostgreSQL and Redis clients (release build, through
# `factorybench run`, which starts the server) side by side with the yardsticks, pgbench
# and redis-benchmark, each against its own fresh server of the same binaries on this
# machine. Prints requests/s and the client's CPU time per request: user + system of the
# yardstick's process, and for factorybench the CPU its clients used while they ran
# (`client_cpu_seconds` in run.json; service start-up, report and site not counted).
#
# usage: Tests/Benchmarks/clients.sh [SECONDS]      (default 10 s per measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --static-swift-stdlib --product factorybench >/dev/null
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/factorybench"
work="$(mktemp -d /tmp/factorybench-clients-XXXX)"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

cpu() {  # command... → prints "user+sys seconds" of the command to stderr's last line
    /usr/bin/time -f "%U %S" "$@" 2>"$work/time" >"$work/out" || { cat "$work/out" "$work/time"; exit 1; }
    tail -1 "$work/time" | awk '{print $1 + $2}'
}
measured() {  # recipe name → "requests/s requests client-cpu-seconds" of its run
    local run
    run=$(ls -d "$work"/results/"$1"-* | head -1)
    python3 -c "import json; s=json.load(open('$run/summary.json')); m=json.load(open('$run/run.json')); print(s['requests_per_second'], s['total_requests'], m['client_cpu_seconds'])"
}
row() {  # name requests/s cpu-seconds requests
    awk -v n="$1" -v r="$2" -v c="$3" -v q="$4" 'BEGIN { printf "%-44s %10.0f req/s %8.1f µs client CPU/request\n", n, r, c / q * 1e6 }'
}

# --- PostgreSQL: point lookups by primary key, 4 clients, one request in flight each.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=(); [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
data="$work/pg"; mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $data" -l "$data/log" start >/dev/null
"$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 1 -q postgres >/dev/null 2>&1
pg_cpu=$(cpu "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -S -M prepared -c 4 -j 2 -T "$seconds" postgres)
pg_tps=$(grep -oE 'tps = [0-9.]+' "$work/out" | tail -1 | awk '{print $3}')
pg_count=$(grep -oE 'number of transactions actually processed: [0-9]+' "$work/out" | awk '{print $NF}')
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null

cat >"$work/postgres.yaml" <<YAML
service: {type: postgres}
client:
  type: postgres_stress
  settings: {warmup_delay: 0, initial_rows: 100000, mix: {point_lookup: 1}}
benchmarks: {num_clients: 4}
load: {concurrency: 1, duration: ${seconds}s}
YAML
(cd "$work" && "$binary" run postgres.yaml >/dev/null)
read -r fb_pg_rps fb_pg_count fb_pg_cpu < <(measured postgres)

# --- Redis: GET of 256-byte values, 8 in flight.
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$rport" --save '' --daemonize yes --pidfile "$work/redis.pid" --dir "$work" >/dev/null
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$rport" set key:__rand_int__ x >/dev/null
requests=$(( 20000 * seconds ))
rb_cpu=$(cpu redis-benchmark -p "$rport" -t get -c 8 -n "$requests" -d 256 -q)
rb_rps=$(grep -oE '[0-9.]+ requests per second' "$work/out" | tail -1 | awk '{print $1}')
kill "$(cat "$work/redis.pid")"

cat >"$work/redis.yaml" <<YAML
service: {type: redis}
client:
  type: redis_stress
  settings: {value_size_bytes: 256, mix: {get: 1}}
benchmarks: {num_clients: 2}
load: {concurrency: 4, duration: ${seconds}s}
YAML
(cd "$work" && "$binary" run redis.yaml >/dev/null)
read -r fb_redis_rps fb_redis_count fb_redis_cpu < <(measured redis)

echo "PostgreSQL point lookups, 4 connections, 1 in flight each, ${seconds} s:"
row "  pgbench -S -M prepared -c 4 -j 2" "$pg_tps" "$pg_cpu" "$pg_count"
row "  factorybench postgres_stress (point_lookup)" "$fb_pg_rps" "$fb_pg_cpu" "$fb_pg_count"
echo "Redis GET of 256-byte values, 8 in flight, ${seconds} s:"
row "  redis-benchmark -t get -c 8 -d 256" "$rb_rps" "$rb_cpu" "$requests"
row "  factorybench redis_stress (get)" "$fb_redis_rps" "$fb_redis_cpu" "$fb_redis_count"
echo "(2 cores shared by client and server: compare ratios, not absolutes)"
