"""The worker process: runs programs on one engine and reports what every statement did.

Started by `workers.Worker` as `python child.py ENGINE`; ENGINE is the module bound to the
name `torch` inside the programs (`torch` or `mutograd`). It reads length-prefixed pickles
on stdin (a list of statement sources) and answers with one pickle per program: for each
statement, the error it raised (type name, first line of the message) and a probe of every
tensor variable alive after it. The child only needs the standard library and the engine,
so it can be pointed at any tree through PYTHONPATH.
"""

from __future__ import annotations

import importlib
import os
import pickle
import re
import struct
import sys
import warnings

VAR = re.compile(r"t\d+$")


def first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def flat(values):
    """tolist() of any shape, flattened; shape is probed separately (empty tensors lose it)."""
    if isinstance(values, list):
        out = []
        for v in values:
            out.extend(flat(v))
        return out
    return [values]


GRAD_FIELDS = ("dtype", "shape", "values", "stride")  # a .grad's version/offset are not promised


def describe(x, torch, only=None):
    """The observable state of one tensor; every field is caught on its own."""
    if not isinstance(x, torch.Tensor):
        return {"type": type(x).__name__}
    fields = {
        "dtype": lambda: str(x.dtype),
        "shape": lambda: tuple(x.shape),
        "values": lambda: flat(x.tolist()),
        "stride": lambda: tuple(x.stride()),
        "offset": lambda: x.storage_offset(),
        "version": lambda: x._version,
        "is_leaf": lambda: x.is_leaf,
        "requires_grad": lambda: x.requires_grad,
        "grad_fn": lambda: None if x.grad_fn is None else type(x.grad_fn).__name__,
    }
    out = {}
    for name, get in fields.items():
        if only and name not in only:
            continue
        try:
            out[name] = get()
        except Exception as exc:  # an engine that cannot answer is a divergence too
            out[name] = ("probe-error", type(exc).__name__)
    return out


def probe(env, torch):
    names = sorted((n for n in env if VAR.match(n)), key=lambda n: int(n[1:]))
    ids = {id(env[n]): n for n in names}
    state = {}
    for n in names:
        x = env[n]
        p = describe(x, torch)
        if isinstance(x, torch.Tensor):
            try:
                base = x._base
                p["base"] = None if base is None else ids.get(id(base), "<other>")
            except Exception as exc:
                p["base"] = ("probe-error", type(exc).__name__)
            try:
                g = x.grad
                p["grad"] = None if g is None else describe(g, torch, GRAD_FIELDS)
            except Exception as exc:
                p["grad"] = ("probe-error", type(exc).__name__)
        state[n] = p
    return state


def run_program(stmts, torch):
    env = {"torch": torch}
    trace = []
    for src in stmts:
        err = None
        try:
            exec(compile(src, "<fuzz>", "exec"), env)
        except Exception as exc:
            err = (type(exc).__name__, first_line(exc))
        trace.append((err, probe(env, torch)))
    if hasattr(torch, "set_grad_enabled"):
        torch.set_grad_enabled(True)  # a crashed `with` block must not leak into the next program
    env.clear()

    return trace


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def main():
    engine = sys.argv[1]
    # Keep the protocol on a private copy of stdout; anything the programs print goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    warnings.simplefilter("ignore")
    torch = importlib.import_module(engine)
    if hasattr(torch, "set_num_threads"):
        torch.set_num_threads(1)
    inp = sys.stdin.buffer
    out.write(struct.pack("<I", 0))  # ready
    out.flush()
    while True:
        try:
            (n,) = struct.unpack("<I", read_exact(inp, 4))
        except EOFError:
            return
        stmts = pickle.loads(read_exact(inp, n))
        reply = pickle.dumps(run_program(stmts, torch), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack("<I", len(reply)) + reply)
        out.flush()


if __name__ == "__main__":
    main()
