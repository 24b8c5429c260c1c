#!/usr/bin/env bash
# The aggregator benchmark: generates 1M- and 10M-line request files (once; kept in
# DIR) and aggregates each with `factorybench aggregate` and with the old framework's way
# (old_aggregator.py: json.loads per line + numpy), printing wall time, lines/s, MB/s and
# peak RSS side by side. The binary is the release build for compute nodes, with Swift's
# runtime linked in: it starts in 16 ms where the dynamically linked one takes 26, and
# its calls into the runtime are direct.
#
# usage: Tests/Benchmarks/aggregate.sh [DIR]      (default DIR: /tmp/factorybench-bench)
# SKIP_PYTHON_10M=1 skips the yardstick on 10M lines (about a minute and 2 GB of RAM);
# REPEAT=N runs each command N times and keeps the fastest (default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-/tmp/factorybench-bench}"
mkdir -p "$dir"
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --static-swift-stdlib --product factorybench >/dev/null
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/factorybench"
python3 -c "import numpy" 2>/dev/null || pip install -q numpy

for lines in 1000000 10000000; do
    file="$dir/requests-$lines.jsonl"
    [ -f "$file" ] || python3 Tests/Benchmarks/generate_requests.py "$lines" "$file"
done

# Each command runs REPEAT times (default 3); the fastest run is shown, as the others
# measured this shared machine's noise as much as the program.
measure() {  # label lines file command...
    local label=$1 lines=$2 file=$3
    shift 3
    local out best="" seconds kilobytes
    for _ in $(seq "${REPEAT:-3}"); do
        /usr/bin/time -f "%e %M" -o "$dir/time.out" "$@" >/dev/null 2>&1
        out=$(tail -1 "$dir/time.out")
        if [ -z "$best" ] || awk -v a="${out% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then best=$out; fi
    done
    seconds=${best% *}
    kilobytes=${best#* }
    local megabytes
    megabytes=$(stat -L -c %s "$file" | awk '{print $1 / 1048576}')
    awk -v l="$label" -v n="$lines" -v s="$seconds" -v k="$kilobytes" -v m="$megabytes" \
        'BEGIN { printf "%-32s %10d lines %7.2f s %11.0f lines/s %8.1f MB/s %8.1f MB peak RSS\n", l, n, s, n / s, m / s, k / 1024 }'
}

for lines in 1000000 10000000; do
    file="$dir/requests-$lines.jsonl"
    # Both read the file from the page cache: a first run that reads it from disk (after
    # a build or the test suite pushed it out) measured the disk.
    cat "$file" >/dev/null
    measure "factorybench aggregate" "$lines" "$file" "$binary" aggregate "$file" -o "$dir/summary-$lines.json"
    if [ "$lines" -eq 10000000 ] && [ "${SKIP_PYTHON_10M:-0}" = 1 ]; then continue; fi
    measure "old_aggregator.py (json+numpy)" "$lines" "$file" python3 Tests/Benchmarks/old_aggregator.py "$file"
done
