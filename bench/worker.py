"""Run one workload on one engine and print its metrics as JSON (one fresh process each)."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workloads import WORKLOADS  # noqa: E402

if __name__ == "__main__":
    workload, engine = sys.argv[1], sys.argv[2]
    try:
        metrics = WORKLOADS[workload](engine)
    except ImportError as error:
        metrics = {"error": f"not installed: {error}"}
    print(json.dumps(metrics))
