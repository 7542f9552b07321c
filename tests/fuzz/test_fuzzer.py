"""Tests of the fuzzer itself: determinism, zero noise torch-vs-torch, workers, minimiser."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter

from conftest import requires_torch

from fuzz.compare import close, first_divergence, same_values, signature
from fuzz.generator import generate
from fuzz.ir import Stmt, closure, render, sources
from fuzz.minimize import minimize
from fuzz.run import group, sweep
from fuzz.runner.child import run_program
from fuzz.runner.workers import Pair

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.py")


def test_values_compare_with_rtol_and_nan():
    assert close(1.0, 1.00001) and not close(1.0, 1.001)
    assert close(float("nan"), float("nan")) and not close(float("nan"), 1.0)
    assert close(float("inf"), float("inf")) and not close(float("inf"), float("-inf"))
    assert not close(True, 1) and not close(1, 1.0 + 1e-3)
    assert same_values([1.0, float("nan")], [1.0, float("nan")])
    assert not same_values([1.0], [1.0, 2.0])


def test_closure_drops_readers_of_dropped_names():
    prog = [
        Stmt.make("leaf", "t0 = torch.ones(2)", ("t0",)),
        Stmt.make("leaf", "t1 = torch.ones(2)", ("t1",)),
        Stmt.make("view", "t2 = t0[0]", ("t2",)),
        Stmt.make("inplace", "t2.add_(t1)"),
        Stmt.make("inplace", "t1.exp_()"),
    ]
    assert prog[3].uses == ("t1", "t2")
    assert closure(prog, {0}) == [1, 4]
    assert closure(prog, {1}) == [0, 2]
    assert closure(prog, {3}) == [0, 1, 2, 4]


@requires_torch
def test_generator_is_deterministic_per_seed_and_renders_valid_python():
    import torch

    programs = [generate(seed, torch) for seed in range(40)]
    assert programs[:5] == [generate(seed, torch) for seed in range(5)]
    assert len({tuple(sources(p)) for p in programs}) == 40
    for p in programs:
        compile(render(p), "<fuzz>", "exec")


@requires_torch
def test_generator_covers_the_space():
    import torch

    kinds = Counter(s.kind for seed in range(300) for s in generate(seed, torch))
    families = {k.split(".")[0] for k in kinds}
    assert {"leaf", "op", "view", "index", "inplace", "aug", "out", "setitem", "flag",
            "nograd", "backward"} <= families
    views = {k.split(".")[1] for k in kinds if k.startswith("view.")}
    assert {"view", "reshape", "t", "transpose", "permute", "expand", "select", "narrow",
            "slice", "diagonal", "unsqueeze", "squeeze", "unbind", "split", "chunk",
            "as_strided", "data", "detach"} <= views
    writes = {k.split(".", 1)[1] for k in kinds if k.startswith("setitem.")}
    assert {"int", "slice", "ellipsis", "none", "mask", "long", "list"} <= writes
    text = "\n".join(s.code for seed in range(300) for s in generate(seed, torch))
    for needle in ("torch.float32", "torch.float64", "torch.int64", "torch.bool",
                   "requires_grad=True", "(0,", "retain_graph=True", "index_add_",
                   "scatter_", "masked_fill_", "copy_", "fill_"):
        assert needle in text, needle


@requires_torch
def test_torch_against_torch_gives_zero_divergences():
    import torch

    with Pair("torch", None, "torch", None) as pair:
        assert sweep(pair, range(5000, 5060), torch) == []


def test_a_crash_or_timeout_costs_one_program_only(tmp_path):
    # A tiny engine keeps the restarts cheap; the workers only need a Tensor type to probe.
    (tmp_path / "tiny_engine.py").write_text("class Tensor:\n    pass\n")
    with Pair("tiny_engine", str(tmp_path), "tiny_engine", str(tmp_path), timeout=2.0) as pair:
        crash = pair.run(["import os; os._exit(3)"])
        assert crash[0][0] == "crash" and crash[1][0] == "crash"
        hang = pair.run(["while True: pass"])
        assert hang == (("timeout", "over 2s"), ("timeout", "over 2s"))
        ok = pair.run(["t0 = 2", "t1 = 1 / 0"])
        assert first_divergence(*ok) is None
        assert ok[0] == [(None, {"t0": {"type": "int"}}),
                         (("ZeroDivisionError", "division by zero"), {"t0": {"type": "int"}})]


def planted(stmts):
    """An engine with one planted bug: sigmoid_ also adds 1."""
    import torch

    bugged = [s.replace(".sigmoid_()", ".sigmoid_().add_(1)") for s in stmts]
    return run_program(list(stmts), torch), run_program(bugged, torch)


@requires_torch
def test_minimiser_shrinks_a_planted_divergence():
    prog = [
        Stmt.make("leaf.tensor", "t0 = torch.tensor([1.0, 2.0, 3.0])", ("t0",)),
        Stmt.make("leaf.tensor", "t1 = torch.ones(3, requires_grad=True)", ("t1",)),
        Stmt.make("op.mul", "t2 = t1 * 2", ("t2",)),
        Stmt.make("view.slice", "t3 = t0[1:]", ("t3",)),
        Stmt.make("inplace.mul_", "t3.mul_(2)"),
        Stmt.make("backward.sum", "t2.sum().backward()"),
        Stmt.make("view.t", "t4 = t0.t()", ("t4",)),
        Stmt.make("inplace.sigmoid_", "t4.sigmoid_()"),
        Stmt.make("op.exp", "t5 = t1.exp()", ("t5",)),
    ]
    div = first_divergence(*planted(sources(prog)))
    assert div.index == 7 and div.var == "t0" and div.what == "values"
    sig = signature(prog, div)
    assert sig == "inplace.sigmoid_ | values"
    small, small_div = minimize(planted, prog, sig)
    assert [s.code for s in small] == ["t0 = torch.tensor([1.0, 2.0, 3.0])", "t4 = t0.t()", "t4.sigmoid_()"]
    assert small_div.index == 2


@requires_torch
def test_minimiser_turns_computed_inputs_into_literals():
    prog = [
        Stmt.make("leaf.tensor", "t0 = torch.tensor([1.0, -2.0])", ("t0",)),
        Stmt.make("op.mul", "t1 = t0 * 3", ("t1",)),
        Stmt.make("op.exp", "t2 = t1.abs()", ("t2",)),
        Stmt.make("op.log", "t3 = t2.log()", ("t3",)),
        Stmt.make("inplace.sigmoid_", "t3.sigmoid_()"),
    ]
    sig = signature(prog, first_divergence(*planted(sources(prog))))
    small, _ = minimize(planted, prog, sig)
    assert [s.code for s in small] == [
        "t3 = torch.tensor([1.0986123, 1.7917595], dtype=torch.float32)",
        "t3.sigmoid_()",
    ]


@requires_torch
def test_engine_path_points_the_sweep_at_another_module(tmp_path):
    # A stand-in engine: torch with ones() answering zeros; the sweep must catch and shrink it.
    (tmp_path / "planted_engine.py").write_text(textwrap.dedent('''
        import torch as _torch


        def ones(*args, **kwargs):
            return _torch.zeros(*args, **kwargs)


        def __getattr__(name):
            return getattr(_torch, name)
    '''))
    import torch

    with Pair("torch", None, "planted_engine", str(tmp_path)) as pair:
        found = sweep(pair, range(40), torch)
        assert found
        groups = group(found, pair)
    for sig, e in groups.items():
        longest = max(len(it[1]) for it in found if it[3] == sig)
        # the divergent statement (the last one kept) is the one calling the planted ones()
        assert "torch.ones(" in e["program"][-1].code
        assert len(e["program"]) <= min(longest, 5)


@requires_torch
def test_cli_torch_vs_torch_exits_zero_and_bad_input_exits_two():
    done = subprocess.run([sys.executable, RUN, "--n", "20", "--seed", "7", "--torch-vs-torch",
                           "--progress", "0"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("0 divergent programs of 20 (0.0%), seeds 7..26")
    bad = subprocess.run([sys.executable, RUN, "--n", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
