"""How much of a workload's time is Python and how much is native code (NumPy, BLAS).

    pip install py-spy
    py-spy record --native -r 2000 -f raw -o digits.txt -- \
        python bench/worker.py digits_mlp mutograd
    python bench/native_share.py digits.txt

Reads py-spy's raw (collapsed-stack) output and reports, over the samples taken
inside the workload's functions (imports excluded): the share whose innermost
frame is Python code, NumPy's C code, BLAS, or CPython's own C and libc; then the
Python functions with the most time at or below them (their NumPy and BLAS calls
included).
"""

from __future__ import annotations

import argparse
import collections
import re
import sys

# A sample counts when one of its frames is a workload (bench/workloads.py).
_IN_WORKLOAD = re.compile(r"\(workloads\.py:\d+\)")


def _category(frame: str) -> str:
    if "openblas" in frame or "mkl" in frame:
        return "BLAS"
    if "_multiarray_umath" in frame or "numpy/" in frame:
        return "NumPy C"
    if ".py:" in frame or "<generated" in frame:
        return "Python"
    return "CPython, libc"  # the interpreter's own C (object.h, dicts, malloc), libc, libm


def shares(lines) -> tuple[int, collections.Counter, collections.Counter]:
    categories: collections.Counter = collections.Counter()
    functions: collections.Counter = collections.Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if not any(_IN_WORKLOAD.search(f) for f in frames):
            continue
        if any("importlib" in f for f in frames):
            continue  # importing the engine, not running the workload
        n = int(count)
        total += n
        categories[_category(frames[-1])] += n
        python = [f for f in frames if ".py:" in f or "<generated" in f]
        if python:
            functions[re.sub(r":\d+\)", ")", python[-1])] += n
    return total, categories, functions


def main(path: str) -> int:
    with open(path) as f:
        total, categories, functions = shares(f)
    if not total:
        print("no samples inside bench/workloads.py")
        return 1
    print(f"{total} samples")
    for name, n in categories.most_common():
        print(f"  {name:13s} {100 * n / total:5.1f}%")
    print("innermost Python function (with the native code it calls):")
    for name, n in functions.most_common(20):
        print(f"  {100 * n / total:5.1f}%  {name}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile", help="py-spy's raw output (record -f raw)")
    sys.exit(main(parser.parse_args().profile))
