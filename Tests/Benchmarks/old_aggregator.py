#!/usr/bin/env python3
"""The old framework's way of aggregating request files, kept as the yardstick for
`factorybench aggregate`: json.loads per line into Python lists, then numpy.

usage: old_aggregator.py FILE.jsonl...
"""
import json
import sys

import numpy as np


def main():
    latencies, starts, ends, operations, errors = [], [], [], {}, {}
    total = successful = 0
    for path in sys.argv[1:]:
        with open(path) as handle:
            for line in handle:
                record = json.loads(line)
                if "timestamp_start" not in record:
                    continue
                total += 1
                starts.append(record["timestamp_start"])
                ends.append(record["timestamp_end"])
                operation = record.get("operation_type", record.get("operation", "request"))
                operations.setdefault(operation, []).append(record["latency_s"])
                if record["success"]:
                    successful += 1
                    latencies.append(record["latency_s"])
                else:
                    errors[record.get("error", "unknown")] = errors.get(record.get("error", "unknown"), 0) + 1
    values = np.array(latencies)
    duration = max(ends) - min(starts)
    summary = {
        "total_requests": total,
        "successful_requests": successful,
        "failed_requests": total - successful,
        "success_rate": successful / total * 100,
        "latency_s": {
            "avg": float(np.mean(values)),
            "min": float(np.min(values)),
            "max": float(np.max(values)),
            "std": float(np.std(values)),
            "p50": float(np.percentile(values, 50)),
            "p90": float(np.percentile(values, 90)),
            "p95": float(np.percentile(values, 95)),
            "p99": float(np.percentile(values, 99)),
        },
        "requests_per_second": total / duration,
        "test_duration_s": duration,
        "error_summary": errors,
        "operations": {
            name: {"count": len(v), "avg_latency": float(np.mean(v)), "p95_latency": float(np.percentile(v, 95))}
            for name, v in operations.items()
        },
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
