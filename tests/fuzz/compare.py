"""Statement-by-statement comparison of two traces, and the signature of a divergence.

A trace is what runner/child.py reports: per statement, the error (type, first line) and a
probe of every tensor variable. Values compare with rtol 1e-4 (NaN equals NaN, infinities
must match); everything else compares exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RTOL, ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Divergence:
    index: int  # statement index (-1: the whole program crashed or timed out)
    var: str  # the tensor whose probe differs ("" for the statement's error)
    what: str  # "error", "error-message", "values", "grad.values", "version", ...
    ref: object
    test: object

    def note(self):
        where = f"{self.var}.{self.what}" if self.var else self.what
        return f"{where}: torch {short(self.ref)} | engine {short(self.test)}"


def short(v, n=110):
    text = repr(v)
    return text if len(text) <= n else text[: n - 3] + "..."


def close(a, b):
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= ATOL + RTOL * abs(b)


def same_values(a, b):
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))


def diff_probe(p, q, prefix=""):
    """The first field where two probes of one tensor differ: (field, ref, test) or None."""
    if not isinstance(p, dict) or not isinstance(q, dict):
        return None if p == q else (prefix.rstrip(".") or "grad", p, q)
    for key in ("type", "dtype", "shape", "values", "stride", "offset", "version", "is_leaf",
                "requires_grad", "grad_fn", "base", "grad"):
        a, b = p.get(key), q.get(key)
        if key == "values":
            if a != b and not same_values(a, b):
                return prefix + key, a, b
        elif key == "grad":
            found = diff_probe(a, b, "grad.")
            if found:
                return found
        elif a != b:
            return prefix + key, a, b
    return None


def first_divergence(ref, test):
    """The first point where the engine's trace leaves the reference's, or None."""
    if isinstance(ref, tuple) or isinstance(test, tuple):  # crash / timeout
        if isinstance(ref, tuple) and isinstance(test, tuple) and ref[0] == test[0]:
            return None
        return Divergence(-1, "", "crash", ref if isinstance(ref, tuple) else "ok",
                          test if isinstance(test, tuple) else "ok")
    for i, ((e1, s1), (e2, s2)) in enumerate(zip(ref, test)):
        if e1 != e2:
            if e1 and e2 and e1[0] == e2[0]:
                return Divergence(i, "", "error-message", e1, e2)
            return Divergence(i, "", "error", e1, e2)
        for var in sorted(set(s1) | set(s2), key=lambda n: int(n[1:])):
            if var not in s1 or var not in s2:
                return Divergence(i, var, "bound", var in s1, var in s2)
            found = diff_probe(s1[var], s2[var])
            if found:
                return Divergence(i, var, *found)
    if len(ref) != len(test):
        return Divergence(min(len(ref), len(test)), "", "length", len(ref), len(test))
    return None


def signature(program, div):
    """The group key: statement kind, what differs and, for errors, the error types."""
    kind = program[div.index].kind if 0 <= div.index < len(program) else "program"
    if div.what == "error":
        ref = div.ref[0] if div.ref else "no error"
        test = div.test[0] if div.test else "no error"
        return f"{kind} | error: torch {ref} / engine {test}"
    if div.what == "error-message":
        return f"{kind} | error message ({div.ref[0]})"
    if div.what == "crash":
        return f"{kind} | crash: torch {short(div.ref, 30)} / engine {short(div.test, 30)}"
    return f"{kind} | {div.what}"
