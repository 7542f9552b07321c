"""Run the differential fuzzer: python tests/fuzz/run.py --n 10000 --seed 0

Generates programs for seeds S..S+n-1, runs each on the reference engine (torch) and the
engine under test (mutograd) in persistent worker processes, compares them statement by
statement, groups the divergent programs by signature and prints one minimal reproducer
per group. --torch-vs-torch runs torch on both sides (the fuzzer's own noise: must be 0).
Exit status: 0 when nothing diverged, 1 otherwise, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz.compare import first_divergence, signature  # noqa: E402
from fuzz.generator import generate  # noqa: E402
from fuzz.ir import render, sources  # noqa: E402
from fuzz.minimize import minimize  # noqa: E402
from fuzz.runner.workers import Pair  # noqa: E402


def sweep(pair, seeds, torch, progress=None):
    """Divergent programs: a list of (seed, program, Divergence, signature)."""
    found = []
    for k, seed in enumerate(seeds):
        program = generate(seed, torch)
        ref, test = pair.run(sources(program))
        div = first_divergence(ref, test)
        if div is not None:
            found.append((seed, program, div, signature(program, div)))
        if progress and (k + 1) % progress == 0:
            print(f"  {k + 1}/{len(seeds)} programs, {len(found)} divergent", file=sys.stderr, flush=True)
    return found


def group(found, pair, minimize_budget=200):
    """{signature: {"count", "seeds", "program", "divergence"}}; one minimised program each."""
    groups = defaultdict(list)
    for item in found:
        groups[item[3]].append(item)
    out = {}
    for sig, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        seed, program, div, _ = min(items, key=lambda it: (len(it[1]), it[0]))
        small, small_div = minimize(pair.run, program, sig, minimize_budget)
        out[sig] = {
            "count": len(items),
            "seeds": [it[0] for it in items],
            "seed": seed,
            "program": small,
            "divergence": small_div or div,
        }
    return out


def reproducer(entry):
    div = entry["divergence"]
    return render(entry["program"], {div.index: div.note()} if div.index >= 0 else None)


def one_line(entry):
    return "; ".join(s.one_line() for s in entry["program"])


def report(n, seeds, found, groups, seconds, file=sys.stdout):
    pct = 100.0 * len(found) / max(n, 1)
    print(f"{len(found)} divergent programs of {n} ({pct:.1f}%), seeds {seeds[0]}..{seeds[-1]}, "
          f"{len(groups)} groups, {seconds:.0f}s", file=file)
    for i, (sig, e) in enumerate(groups.items(), 1):
        print(f"\n[{i}] {e['count']:5d}  {sig}   (seed {e['seed']})", file=file)
        print("    " + reproducer(e).replace("\n", "\n    ").rstrip(), file=file)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # bad input: one line on stderr, exit 2
        print(f"run.py: error: {message}", file=sys.stderr)
        sys.exit(2)


def parse(argv):
    p = Parser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="number of programs")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--engine", default="mutograd", help="module under test (bound to `torch`)")
    p.add_argument("--engine-path", default=None, help="directory put first on its PYTHONPATH")
    p.add_argument("--ref", default="torch", help="reference module")
    p.add_argument("--ref-path", default=None, help="directory put first on its PYTHONPATH")
    p.add_argument("--torch-vs-torch", action="store_true", help="run the reference on both sides")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per program")
    p.add_argument("--budget", type=int, default=200, help="minimiser runs per group")
    p.add_argument("--progress", type=int, default=500, help="report every N programs (0: never)")
    p.add_argument("--catalog", default=None, help="also write the groups as Markdown here")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("--n must be at least 1")
    if args.timeout <= 0:
        p.error("--timeout must be positive")
    if args.torch_vs_torch:
        args.engine, args.engine_path = args.ref, args.ref_path
    return args


def main(argv=None):
    args = parse(argv)
    import torch

    torch.set_num_threads(1)
    seeds = list(range(args.seed, args.seed + args.n))
    start = time.time()
    with Pair(args.ref, args.ref_path, args.engine, args.engine_path, args.timeout) as pair:
        found = sweep(pair, seeds, torch, args.progress)
        groups = group(found, pair, args.budget)
    seconds = time.time() - start
    report(args.n, seeds, found, groups, seconds)
    if args.catalog:
        from fuzz.catalog import write_catalog

        write_catalog(args.catalog, args, seeds, found, groups, seconds)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
