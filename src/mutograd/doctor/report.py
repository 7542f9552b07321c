"""Turn the doctor's records into text: PyTorch's own error, the diagnosis, the fix."""

from __future__ import annotations

import io
import re
import tokenize
from typing import TYPE_CHECKING, Any

import torch

from .frames import optimizer_label, parameter_names

if TYPE_CHECKING:
    from .frames import Where
    from .records import SavedRecord, Write

INDENT = "    "


def _strip_backward(name: str) -> str:
    # PyTorch names the forward op in its message: "Sigmoid" for SigmoidBackward0,
    # "F" for a custom Function F's node "FBackward".
    return re.sub(r"Backward\d*$", "", name)


def torch_version_message(rec: SavedRecord, current: int) -> str:
    """PyTorch's exact "modified by an inplace operation" text for this record.

    Rebuilt because PyTorch skips its own check whenever saved-tensor hooks are
    installed; the pieces mirror SavedVariable::unpack: an output is named after
    the node that saved it, an input after its grad_fn *now* (which an in-place
    op may have replaced), a leaf not at all.
    """
    t = rec.tensor
    sizes = ", ".join(str(n) for n in t.shape)
    text = (
        "one of the variables needed for gradient computation has been modified "
        f"by an inplace operation: [{t.type()} [{sizes}]]"
    )
    if rec.is_output:
        name = rec.node_name
    else:
        grad_fn = t.grad_fn
        name = grad_fn.name() if grad_fn is not None else None
    if name:
        text += f", which is output {rec.output_nr} of {_strip_backward(name)},"
    text += f" is at version {current}; expected version {rec.version} instead."
    if torch.is_anomaly_enabled():
        text += (
            " Hint: the backtrace further above shows the operation that failed to "
            "compute its gradient. The variable in question was changed in there "
            "or anywhere later. Good luck!"
        )
    else:
        text += (
            " Hint: enable anomaly detection to find the operation that failed to "
            "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    return text


def _at(where: Where | None) -> str:
    return (
        f"at {where.short()}"
        if where is not None
        else "at an unknown line (no user code on the stack)"
    )


def _code(where: Where | None) -> str:
    source = where.source() if where is not None else ""
    return f"\n{INDENT * 3}{source}" if source else ""


def _saver(rec: SavedRecord, node_name: str | None) -> str:
    name = node_name or rec.node_name
    if name is None:
        return "the backward of the op"
    role = f"output {rec.output_nr}" if rec.is_output else "one of its inputs"
    return f"{name} ({role})"


_RELATIONS = {
    "itself": "",
    "view": "through a view of it",
    "base": "through its base tensor",
    "overlap": "through a tensor overlapping its memory",
    "disjoint": "into another part of the same base tensor (autograd keeps one version counter per base tensor)",
}


def _param_name(write: Write, params: dict[int, str]) -> str | None:
    target = write.target() if write.target is not None else None
    return params.get(id(target)) if target is not None else None


def describe_write(write: Write, params: dict[int, str] | None = None) -> str:
    """One line: what wrote, where, how it reached the saved tensor, versions."""
    site = write.site
    ctx = site.context
    parts = [site.op]
    if ctx.optimizer:
        name = _param_name(write, params or {})
        parts.append(f"inside {ctx.optimizer}" + (f" updating `{name}`" if name else ""))
    elif ctx.module:
        parts.append(f"inside {ctx.module}")
    elif ctx.function:
        parts.append(f"inside {ctx.function}.forward")
    parts.append(_at(ctx.where))
    relation = _RELATIONS[write.relation]
    if site.is_out:
        relation = f"as its {site.arg}= argument" + (f", {relation}" if relation else "")
    if relation:
        parts.append(relation)
    if not site.grad_enabled and not (ctx.optimizer or ctx.function):
        parts.append("under torch.no_grad()")
    if write.silent:
        parts.append(
            f"version stays {write.before}: autograd did not see this write (made through .data, "
            "through memory shared without the version counter, or by a kernel that skips the version bump)"
        )
    else:
        parts.append(f"version {write.before} -> {write.after}")
    return ", ".join(parts)


_AUGMENTED = re.compile(
    r"^(?P<lhs>[\w.\[\]:, ]+?)\s*(?P<op>\*\*|//|>>|<<|[-+*/@%&|^])=\s*(?P<rhs>.+)$"
)
_SETITEM = re.compile(r"^(?P<name>[\w.]+)\s*\[.*\]\s*=[^=]")
_INPLACE_CALL = re.compile(r"(?P<name>[\w.\]\[]+)\.(?P<method>[a-z]\w*_)\(")


def _code_only(source: str) -> str:
    """The source line without its trailing comment."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    for token in tokens:
        if token.type == tokenize.COMMENT:
            return source[: token.start[1]].rstrip()
    return source


def fixes(writes: list[Write], namespaces: list[dict[str, Any]] | None = None) -> list[str]:
    """Suggested fixes, most specific first, one per cause."""
    spaces = namespaces or []
    params = parameter_names(spaces) if spaces else {}
    found: dict[Any, str] = {}
    for write in writes:
        key, text = _fix_for(write, spaces, params)
        if key in found:
            continue
        found[key] = text
    notes = []
    if any(
        not w.site.grad_enabled and not (w.site.context.optimizer or w.site.context.function)
        for w in writes
    ):
        notes.append(
            "note: torch.no_grad() does not make such a write safe; the old values are still needed by backward"
        )
    if any(
        not (w.silent or w.site.is_out or w.site.context.optimizer or w.site.context.function)
        for w in writes
    ):
        notes.append(
            "or clone the tensor before the write (`t = t.clone()`), so the saved values stay intact"
        )
    return list(dict.fromkeys(found.values())) + notes


def _fix_for(write: Write, spaces: list[dict[str, Any]], params: dict[int, str]) -> tuple[Any, str]:
    """(cause, fix) for one write: by where it came from, then by how the line spells it."""
    site, ctx = write.site, write.site.context
    source = _code_only(ctx.where.source()) if ctx.where is not None else ""
    op = site.op.removeprefix("aten::").split(".")[0]
    if ctx.optimizer:
        optimizer = ctx.optimizer_ref() if ctx.optimizer_ref is not None else None
        label = optimizer_label(optimizer, spaces) if optimizer is not None else ctx.optimizer
        call = label.split(" ")[0].strip("`") + ".step()" if "`" in label else ctx.optimizer
        name = _param_name(write, params)
        what = f"`{name}`" if name else "parameters"
        return ("step", label, ctx.where), (
            f"{label} updated {what} in place ({_at(ctx.where)}) while a graph still needed the "
            f"old values: call {call} only after every backward() through that graph (run the "
            "backward passes first, then step), or recompute the forward pass after the step"
        )
    if write.silent:
        return "silent", (
            "make the write visible to autograd or keep it off the saved tensor: write into a "
            "clone (`t = t.clone()`), or replace the `.data` write by "
            "`with torch.no_grad(): t.<op>_(...)`, which PyTorch checks"
        )
    if ctx.function:
        return ("function", ctx.function), (
            f"in {ctx.function}.forward, do not modify the inputs in place: clone them first "
            "(`x = x.clone()`), or declare it with `ctx.mark_dirty(x)` and return x"
        )
    if site.is_out:
        text = f"do not pass a tensor saved for backward as {site.arg}=: use the returned tensor (`y = torch.op(...)`)"
        return text, text
    if ctx.module and "inplace=True" in ctx.module:
        text = f"construct the {ctx.module.split('(')[0]} module with inplace=False (the default), so it returns a new tensor"
        return text, text
    if ctx.via and ctx.via.startswith("torch.nn.functional.") and "inplace" in source:
        text = f"call {ctx.via} with inplace=False (the default), so it returns a new tensor"
        return text, text
    if op == "embedding_renorm_":
        text = (
            "nn.Embedding(max_norm=...) renormalizes its weight in place at every call: use a clone "
            "of the weight elsewhere (`emb.weight.clone()`), as the nn.Embedding docs advise"
        )
        return text, text
    from_source = _fix_from_source(source, write.relation)
    if from_source is not None:
        return from_source
    text = f"use the out-of-place form of {op} (`{op.rstrip('_')}`) and keep its result"
    return text, text


def _fix_from_source(source: str, relation: str) -> tuple[Any, str] | None:
    """A fix spelled in the user's own code: `a += b`, `x[i] = v`, `x.op_(...)`."""
    match = _AUGMENTED.match(source)
    if match and "==" not in source:
        lhs, op, rhs = match["lhs"].strip(), match["op"], match["rhs"].strip()
        return ("augmented", lhs), (
            f"use the out-of-place form: `{lhs} = {lhs} {op} {rhs}` instead of `{source}`"
        )
    match = _SETITEM.match(source)
    if match:
        name = match["name"]
        if relation == "disjoint":
            return ("stack", name), (
                f"do not write results into `{name}` while earlier reads of it are still needed by "
                f"backward: collect them in a list and `torch.stack` it, or clone what you read from `{name}`"
            )
        return ("setitem", name), (
            f"clone before the write: `{name} = {name}.clone()` before `{source}` "
            "(or build the new value out of place, e.g. with torch.where or torch.cat)"
        )
    match = _INPLACE_CALL.search(source)
    if match and match["method"] == "copy_":
        name = match["name"]
        return ("copy", name), (
            f"bind the name to the new tensor instead of copying into the saved one: `{name} = <new value>` instead of `{source}`"
        )
    if match:
        name, method = match["name"], match["method"]
        return ("call", name, method), (
            f"use the out-of-place `{method[:-1]}`: `{name} = {name}.{method[:-1]}(...)` instead of `{name}.{method}(...)`"
        )
    return None


def _body(
    rec: SavedRecord,
    node_name: str | None,
    writes: list[Write],
    heading: str,
    empty: str,
    namespaces: list[dict[str, Any]] | None = None,
) -> str:
    params = parameter_names(namespaces) if namespaces else {}
    lines = [
        heading,
        f"{INDENT}saved tensor:  {rec.describe()}, saved at version {rec.version}, now at version {rec.tensor._version}",
        f"{INDENT}saved by:      {_saver(rec, node_name)}",
        f"{INDENT}forward op:    {_at(rec.where)}{_code(rec.where)}",
    ]
    if writes:
        lines.append(f"{INDENT}in-place writes to its memory since it was saved:")
        for n, write in enumerate(writes, 1):
            lines.append(
                f"{INDENT * 2}{n}. {describe_write(write, params)}{_code(write.site.where)}"
            )
        for n, text in enumerate(fixes(writes, namespaces)):
            label = "fix:" if n == 0 else ""
            lines.append(f"{INDENT}{label:<15}{text}")
    else:
        lines.append(f"{INDENT}{empty}")
    return "\n".join(lines)


def diagnosis(
    rec: SavedRecord, node_name: str | None, namespaces: list[dict[str, Any]] | None = None
) -> str:
    """The report appended to PyTorch's version error; ``namespaces`` name parameters."""
    writes = [w for w in rec.writes or () if not w.silent]
    return _body(
        rec,
        node_name,
        writes,
        "mutograd doctor: this tensor was written in place after autograd saved it for backward.",
        "light mode does not record writes: run without --light (watch() without light=True) "
        "to see which write broke it, and where"
        if getattr(rec.owner, "light", False)
        else "the doctor saw no in-place write into its memory: it happened outside the watched code "
        "(after watch() ended, or in another thread)",
        namespaces,
    )


def silent_message(rec: SavedRecord, node_name: str | None) -> str:
    """Paranoid mode: the saved values changed behind autograd's back."""
    t = rec.tensor
    sizes = ", ".join(str(n) for n in t.shape)
    writes = [w for w in rec.writes or () if w.silent]
    return (
        "a variable needed for gradient computation was modified without autograd noticing: "
        f"[{t.type()} [{sizes}]] is still at version {t._version}, but its values changed since "
        "it was saved. PyTorch raises no error in this case and computes wrong gradients.\n\n"
        + _body(
            rec,
            node_name,
            writes,
            "mutograd doctor (paranoid): the saved values were overwritten behind autograd's back.",
            "no PyTorch op wrote into its memory while watched: the values were changed outside "
            "PyTorch operations (e.g. through a NumPy array sharing the memory)",
        )
    )


def early_warning(rec: SavedRecord, write: Write) -> str:
    """The --early message, issued at the write itself."""
    saver = rec.node_name or "the backward of the op"
    saved = f"a tensor saved by {saver} {_at(rec.where)} ({rec.describe()})"
    if write.silent:
        effect = f"overwrites, without autograd noticing, {saved}: backward() will silently use the new values and compute wrong gradients"
    else:
        effect = f"invalidates {saved}: backward() through it will fail"
    return f"mutograd doctor: {describe_write(write)}; this {effect}.\n  fix: {fixes([write])[0]}"
