"""The sweep's groups as a Markdown catalog (tests/fuzz/CATALOG.md) for the people fixing them."""

from __future__ import annotations

from collections import Counter

from .ir import render


def family(sig):
    """A coarse class: the statement family and what differed ("setitem | error")."""
    kind, what = sig.split(" | ", 1)
    kind = kind.replace("nograd.", "")
    return f"{kind.split('.')[0]} | {what.split(':')[0].split(' (')[0]}"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def write_catalog(path, args, seeds, found, groups, seconds):
    n = len(seeds)
    lines = [
        "# Divergence catalog (differential program fuzzer)",
        "",
        f"Command: `python tests/fuzz/run.py --n {n} --seed {seeds[0]}` "
        f"(engine `{args.engine}` against `{args.ref}`).",
        "",
        f"**{len(found)} divergent programs of {n} ({100.0 * len(found) / n:.1f}%)**, seeds "
        f"{seeds[0]}..{seeds[-1]}, {len(groups)} signatures, {seconds:.0f}s.",
        "",
        "A program counts once, under the signature of its first divergence: the kind of the",
        "statement where the engine first leaves torch, and what differed (an error's type, its",
        "message, or a probed field of a tensor: values, dtype, shape, stride, offset, version,",
        "is_leaf, requires_grad, grad_fn, base, grad.*). Each reproducer is the smallest program",
        "the minimiser found with the same signature; the arrow marks the divergent statement.",
        "Rerun one seed with `python tests/fuzz/run.py --n 1 --seed SEED`.",
        "",
        "## Classes",
        "",
        "| programs | statement family \\| what differs |",
        "|---:|---|",
    ]
    fam = Counter()
    for sig, e in groups.items():
        fam[family(sig)] += e["count"]
    lines += [f"| {c} | {cell(f)} |" for f, c in fam.most_common()]
    lines += ["", "## Signatures", "", "| # | programs | signature | reproducer (one line) |", "|---:|---:|---|---|"]
    for i, (sig, e) in enumerate(groups.items(), 1):
        one = "; ".join(s.one_line() for s in e["program"])
        lines.append(f"| {i} | {e['count']} | {cell(sig)} | `{cell(one)}` |")
    lines += ["", "## Reproducers", ""]
    for i, (sig, e) in enumerate(groups.items(), 1):
        div = e["divergence"]
        seeds_text = ", ".join(map(str, e["seeds"][:12])) + (" ..." if len(e["seeds"]) > 12 else "")
        lines += [
            f"### {i}. {sig}",
            "",
            f"{e['count']} programs (seeds {seeds_text}).",
            "",
            "```python",
            render(e["program"], {div.index: div.note()} if div.index >= 0 else None).rstrip(),
            "```",
            "",
        ]
    with open(path, "w") as f:
        f.write("\n".join(lines))
