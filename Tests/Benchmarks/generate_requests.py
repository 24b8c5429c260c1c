#!/usr/bin/env python3
"""Writes a synthetic request file in FactoryBench's JSONL format, for the aggregator
benchmark: N lines after one header, 8 clients, five operations, ~1% failures.

usage: generate_requests.py LINES OUTPUT
"""
import json
import random
import sys


def main():
    lines, output = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    operations = ["insert", "point_lookup", "range_scan", "aggregation", "update"]
    start = 1795900000.0
    with open(output, "w") as out:
        out.write(json.dumps({"benchmark_id": "bench", "service_type": "sqlite", "test_start": start}) + "\n")
        for i in range(lines):
            client = i % 8
            operation = operations[(i * 7) % 5]
            latency = rng.lognormvariate(-8, 1.0)
            t0 = start + i * 0.00005
            success = rng.random() > 0.01
            record = {
                "request_id": "c%d-%d" % (client, i // 8),
                "client_id": client,
                "service_type": "sqlite",
                "timestamp_start": round(t0, 6),
                "timestamp_end": round(t0 + latency, 6),
                "latency_s": round(latency, 9),
                "success": success,
                "operation_type": operation,
                "query_type": "SELECT" if operation in ("point_lookup", "range_scan", "aggregation") else "WRITE",
                "rows_affected": 1,
            }
            if not success:
                record["error"] = "SQLITE_BUSY: database is locked"
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
