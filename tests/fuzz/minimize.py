"""Shrink a divergent program to a short reproducer with the same divergence signature.

Delta debugging over statements: drop chunks, then single statements, while the reduced
program still diverges with the same signature. A statement goes together with every
later statement reading a name it defined, so the reduced program stays valid for torch.
Then each tensor computed along the way is tried as a literal of the value torch gave it
(so the chain that made it can go), and the statements are shrunk again.
"""

from __future__ import annotations

import math

import numpy as np

from .compare import first_divergence, signature
from .ir import Stmt, closure, sources
from .values import nest


def diverges_as(run, program, sig):
    ref, test = run(sources(program))
    div = first_divergence(ref, test)
    return div if div is not None and signature(program, div) == sig else None


def number(v, dtype):
    if isinstance(v, float) and not math.isfinite(v):
        return f'float("{v}")'
    if isinstance(v, float) and dtype == "torch.float32":
        return str(np.float32(v))  # the shortest text that rounds to the same float32
    return repr(v)


def nested_text(v, dtype):
    if isinstance(v, list):
        return "[" + ", ".join(nested_text(x, dtype) for x in v) + "]"
    return number(v, dtype)


def literal(name, probe):
    """`name = torch.tensor(...)` recreating a probed tensor's value, or None."""
    try:
        dtype, shape, values = probe["dtype"], probe["shape"], probe["values"]
        grad = ", requires_grad=True" if probe["requires_grad"] is True else ""
    except (KeyError, TypeError):
        return None
    if not isinstance(values, list) or not isinstance(shape, tuple):
        return None
    if 0 in shape:
        return f"{name} = torch.zeros({shape!r}, dtype={dtype}{grad})"
    return f"{name} = torch.tensor({nested_text(nest(values, list(shape)), dtype)}, dtype={dtype}{grad})"


class Shrinker:
    def __init__(self, run, sig, budget):
        self.run, self.sig, self.tries, self.budget = run, sig, 0, budget

    def check(self, program):
        if self.tries >= self.budget:
            return None
        self.tries += 1
        return diverges_as(self.run, program, self.sig)

    def drop(self, best, best_div):
        chunk = max(len(best) // 2, 1)
        while chunk >= 1 and self.tries < self.budget:
            shrunk = False
            start = 0
            while start < len(best) and self.tries < self.budget:
                keep = closure(best, set(range(start, start + chunk)))
                if keep and len(keep) < len(best):
                    div = self.check([best[i] for i in keep])
                    if div is not None:
                        best, best_div, shrunk = [best[i] for i in keep], div, True
                        best = best[: div.index + 1] if div.index >= 0 else best
                        continue  # same start, shorter list
                start += chunk
            if not shrunk:
                chunk //= 2
        return best, best_div

    def inline(self, best, best_div):
        """Replace computed tensors by literals of their torch values, last first."""
        for i in range(len(best) - 2, -1, -1):
            s = best[i] if i < len(best) - 1 else None
            if s is None or len(s.defines) != 1 or s.kind.startswith("leaf"):
                continue
            ref, _ = self.run(sources(best))
            if isinstance(ref, tuple) or ref[i][0] is not None:
                continue
            code = literal(s.defines[0], ref[i][1].get(s.defines[0]))
            if code is None:
                continue
            candidate = best[:i] + [Stmt.make("leaf.literal", code, s.defines)] + best[i + 1 :]
            div = self.check(candidate)
            # the divergent tensor keeps its role: a view turned literal may hide the bug
            if div is not None and div.var == best_div.var:
                best, best_div = self.drop(candidate, div)
        return best, best_div


def minimize(run, program, sig, budget=200):
    """The smallest program found (list of Stmt) and its Divergence; run(sources) -> traces."""
    best = list(program)
    best_div = diverges_as(run, best, sig)
    if best_div is None:  # flaky: keep the original
        return best, None
    # Everything after the divergent statement is irrelevant.
    best = best[: best_div.index + 1] if best_div.index >= 0 else best
    shrink = Shrinker(run, sig, budget)
    best, best_div = shrink.drop(best, best_div)
    if best_div.index >= 0:
        best, best_div = shrink.inline(best, best_div)
    return best, best_div
