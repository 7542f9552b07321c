"""Run one workload on one engine and print its metrics as JSON (one fresh process each)."""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from engines import ENGINES  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("engine", choices=ENGINES)
    args = parser.parse_args()
    workload, engine = args.workload, args.engine
    try:
        metrics = WORKLOADS[workload](engine)
    except ImportError as error:
        metrics = {"error": f"not installed: {error}"}
    print(json.dumps(metrics))
