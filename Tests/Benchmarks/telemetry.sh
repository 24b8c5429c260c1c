#!/usr/bin/env bash
# The sampler's cost: `factorybench node sample` (release build) beside a real Redis for
# SECONDS (default 60) at a 1 s interval — the service's process tree, the host, and Redis's
# INFO every second — against `top -b -d 1 -p PID` sampling the same process for the same
# time (the C tool a user would otherwise leave running). Prints each one's CPU time over
# the run and as a share of one core, and the sampler's resident memory.
#
# usage: Tests/Benchmarks/telemetry.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --static-swift-stdlib --product factorybench >/dev/null
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/factorybench"
work="$(mktemp -d /tmp/factorybench-telemetry-XXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
port=$("$binary" node free-port)
redis-server --bind 127.0.0.1 --port "$port" --save '' --dir "$work" >/dev/null &
redis=$!
pids+=("$redis")
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
printf 'service:\n  type: redis\nclient:\n  type: redis_stress\n' >"$work/recipe.yaml"
printf 'host=127.0.0.1\nport=%s\n' "$port" >"$work/service.env"

cpu_ticks() {  # utime + stime of a pid, in clock ticks
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

(cd "$work" && exec "$binary" node sample --recipe recipe.yaml --endpoint service.env --watch "$redis" --output telemetry) &
sampler=$!
pids+=("$sampler")
top -b -d 1 -p "$redis" >"$work/top.log" &
top=$!
pids+=("$top")
sleep "$seconds"
ticks=$(getconf CLK_TCK)
sampler_ticks=$(cpu_ticks "$sampler")
top_ticks=$(cpu_ticks "$top")
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$sampler/status")
lines=$(wc -l <"$work/telemetry/service.jsonl")
python3 - "$seconds" "$ticks" "$sampler_ticks" "$top_ticks" "$rss_kb" "$lines" <<'PY'
import sys
seconds, ticks, sampler, top, rss, lines = (float(v) for v in sys.argv[1:])
for name, used in (("factorybench node sample (tree + host + Redis INFO)", sampler), ("top -b -d 1 -p PID", top)):
    cpu = used / ticks
    print(f"{name:52s} {cpu:6.2f} s CPU in {seconds:.0f} s = {cpu / seconds * 100:5.2f} % of a core")
print(f"sampler: {int(lines)} lines, {rss / 1024:.1f} MiB resident")
PY
