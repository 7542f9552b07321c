"""Shrink a divergent program to a short reproducer with the same divergence signature.

Delta debugging over statements: drop chunks, then single statements, while the reduced
program still diverges with the same signature. A statement goes together with every
later statement reading a name it defined, so the reduced program stays valid for torch.
"""

from __future__ import annotations

from .compare import first_divergence, signature
from .ir import closure, sources


def diverges_as(run, program, sig):
    ref, test = run(sources(program))
    div = first_divergence(ref, test)
    return div if div is not None and signature(program, div) == sig else None


def minimize(run, program, sig, budget=200):
    """The smallest program found (list of Stmt) and its Divergence; run(sources) -> traces."""
    best = list(program)
    best_div = diverges_as(run, best, sig)
    if best_div is None:  # flaky: keep the original
        return best, None
    # Everything after the divergent statement is irrelevant.
    best = best[: best_div.index + 1] if best_div.index >= 0 else best
    tries = 0
    chunk = max(len(best) // 2, 1)
    while chunk >= 1 and tries < budget:
        shrunk = False
        start = 0
        while start < len(best) and tries < budget:
            keep = closure(best, set(range(start, start + chunk)))
            if keep and len(keep) < len(best):
                candidate = [best[i] for i in keep]
                tries += 1
                div = diverges_as(run, candidate, sig)
                if div is not None:
                    best, best_div, shrunk = candidate, div, True
                    best = best[: div.index + 1] if div.index >= 0 else best
                    continue  # same start, shorter list
            start += chunk
        if not shrunk:
            chunk //= 2
    return best, best_div
