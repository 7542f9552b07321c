"""The recording machinery behind ``watch()``: which tensors autograd saved, and
every in-place write into their memory afterwards.

Two real PyTorch hooks do the work:

* ``saved_tensors_hooks``: the pack hook sees each tensor autograd saves for
  backward (its version, memory range, the user line of the forward op); the
  unpack hook sees each use in backward.  Because PyTorch skips its own version
  check whenever such hooks are installed, the unpack hook redoes that check
  and raises PyTorch's exact error text, with the diagnosis appended.
* a ``TorchDispatchMode``: sees every aten op below autograd.  Ops whose schema
  marks an argument as written (``Tensor(a!)``, including ``out=`` and the
  tensor lists of ``_foreach_*_`` optimizer kernels) are checked against the
  memory of live saved tensors.

Single-threaded by design: dispatch modes are thread-local, and the state here
is not locked.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch.optim.optimizer import register_optimizer_step_post_hook
from torch.utils._python_dispatch import TorchDispatchMode

from . import report
from .drawing import draw_failure, graph_path_problem
from .errors import (
    DiagnosedError,
    DoctorError,
    InplaceModificationError,
    InplaceWriteWarning,
    SilentModificationError,
)
from .frames import (
    Where,
    named_parameters_in,
    namespaces_from_traceback,
    namespaces_here,
    user_frame,
    write_context,
)
from .origins import Origins, view_kind
from .peek import peek_stack
from .records import (
    FOREACH_WRITES,
    SavedRecord,
    Write,
    WriteSite,
    first_tensor,
    memory_extent,
    op_name,
    relation_to,
    same_bits,
    written_args,
)
from .writetime import diagnose

F = TypeVar("F", bound=Callable[..., Any])

# OpOverload -> (written args, writes tensor lists?, view kind): one lookup per op
_FACTS: dict[Any, tuple[Any, bool, str | None]] = {}
_inference_mode = torch.is_inference_mode_enabled

# Number the next autograd Node will get.  Nodes are numbered when created, and
# the node that saves a tensor is created just before its inputs are packed and
# is the newest node when its outputs are packed: so the saving node is always
# number peek()-1, and a packed tensor is one of its outputs exactly when its
# own grad_fn carries that number.
_peek_sequence_nr: Callable[[], int] | None = getattr(torch._C._autograd, "_get_sequence_nr", None)

_active = threading.local()


class Recorder(TorchDispatchMode):
    """Dispatch mode + saved-tensor hooks; use through :func:`watch`."""

    def __init__(
        self,
        *,
        early: bool = False,
        paranoid: bool = False,
        capture_graph: bool = False,
        light: bool = False,
    ):
        super().__init__()
        # light: only the saved-tensor hooks (what backward's check needs, and
        # the forward line); no dispatch mode, so writes are not recorded
        self.light = light and not (early or paranoid)
        self.early = early
        self.paranoid = paranoid
        self.capture_graph = capture_graph
        # storage base address -> {id(record): weakref(record)} for live saved tensors
        self._by_key: dict[int, dict[int, weakref.ref[SavedRecord]]] = {}
        # input records of the node being built, waiting for its name (see _resolve)
        self._pending: list[SavedRecord] = []
        self._resolving: list[SavedRecord] = []
        self._resolving_out: Any = None
        # writes whose "version after" is read at the next event (the version is
        # bumped by ADInplaceOrView *after* this mode returns)
        self._post: list[tuple[WriteSite, list[tuple[SavedRecord, int, str, bool, Any]]]] = []
        # (tensor, version) written by _foreach_ ops, see _restore_bumps
        self._bumps: list[tuple[torch.Tensor, int]] = []
        self._internal = False  # True while the doctor runs its own aten ops
        self._warned: set[tuple[Any, ...]] = set()
        self._hooks: Any = None
        self._patches: list[tuple[Any, str, Any]] = []
        #: grad_fn roots of the latest backward()/grad()
        self.last_roots: list[Any] = []
        #: where multi-output views, no_grad views, inference tensors were made
        self.origins = Origins()
        #: (number, user line, retain_graph) of the latest backward()/grad() calls
        self.backward_calls: list[tuple[int, Where | None, bool]] = []
        self.backward_count = 0
        #: sequence number of a node whose saved tensors a backward freed ->
        #: (that backward's number, node name, the forward line that saved them)
        self.freed: dict[int, tuple[int, str | None, Where | None]] = {}
        #: optimizer steps: (user line, optimizer, number of backward calls before it)
        self.steps: list[tuple[Where | None, Any, int]] = []
        #: the last error the doctor raised, and the node whose backward needed the tensor
        self.last_error: BaseException | None = None
        #: the user's namespaces when the doctor raised (to name parameters, optimizers)
        self.namespaces: list[dict[str, Any]] = []
        self.last_error_node: Any = None

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self._hooks = torch.autograd.graph.saved_tensors_hooks(self._pack, self._unpack)
        if not self.light:
            self.__enter__()
        self._hooks.__enter__()
        self._patch_backward()
        if not self.light:
            self._patch_function_apply()
        self._step_hook = register_optimizer_step_post_hook(self._stepped)

    def stop(self) -> None:
        self._step_hook.remove()
        for owner, name, original in reversed(self._patches):
            setattr(owner, name, original)
        self._patches.clear()
        try:
            self._flush()
        finally:
            self._hooks.__exit__(None, None, None)
            if not self.light:
                self.__exit__(None, None, None)

    def _patch_backward(self) -> None:
        # There is no hook that tells which tensors a backward starts from and
        # whether it keeps the graph: remember the arguments of backward()/grad()
        # (for drawing, and to explain "backward through the graph a second time").
        def remember(original: Callable[..., Any], retain_at: int) -> Callable[..., Any]:
            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                first = args[0] if args else kwargs.get("tensors", kwargs.get("outputs", ()))
                roots = [first] if isinstance(first, torch.Tensor) else list(first)
                self.last_roots = [
                    t.grad_fn for t in roots if getattr(t, "grad_fn", None) is not None
                ]
                retain = kwargs.get(
                    "retain_graph", args[retain_at] if len(args) > retain_at else None
                )
                if retain is None:  # PyTorch's default: keep the graph only with create_graph
                    retain = bool(kwargs.get("create_graph", False))
                if len(self.backward_calls) > 1000:
                    del self.backward_calls[:500]
                self.backward_count += 1
                self.backward_calls.append((self.backward_count, user_frame(), bool(retain)))
                return original(*args, **kwargs)

            return wrapper

        # positional index of retain_graph: backward(tensors, grad_tensors, retain_graph, ...),
        # grad(outputs, inputs, grad_outputs, retain_graph, ...)
        for name, retain_at in (("backward", 2), ("grad", 3)):
            original = getattr(torch.autograd, name)
            self._patches.append((torch.autograd, name, original))
            setattr(torch.autograd, name, remember(original, retain_at))

    def _patch_function_apply(self) -> None:
        # A custom Function's outputs are made by its Python apply(): note where
        # it was called, for "Output 0 of F is a view and is being modified inplace".
        function = torch.autograd.function.Function
        original = function.__dict__["apply"]

        def apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
            out = original.__func__(cls, *args, **kwargs)
            self.origins.note_function(cls.__name__, out)
            return out

        self._patches.append((function, "apply", original))
        function.apply = classmethod(apply)

    def _stepped(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        if len(self.steps) > 200:
            del self.steps[:100]
        self.steps.append((user_frame(), weakref.ref(optimizer), self.backward_count))

    # ------------------------------------------------------------ dispatch mode
    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        if kwargs is None:
            kwargs = {}
        if self._internal:
            return func(*args, **kwargs)
        if self._post or self._bumps:
            self._flush()
        if self._resolving_out is not None:
            self._resolve()
        facts = _FACTS.get(func)
        if facts is None:
            facts = _FACTS[func] = (written_args(func), func in FOREACH_WRITES, view_kind(func))
        written, foreach, kind = facts
        if foreach:
            self._note_foreach(written, args, kwargs)
        if written and self._by_key:
            hits = self._match_writes(func, written, args, kwargs)
            if hits is not None:
                out = func(*args, **kwargs)
                self._post.append(hits)
                self._after_op(out)
                return out
        out = func(*args, **kwargs)
        if kind is not None or _inference_mode():
            self.origins.note_op(func, kind, out)
        if self._pending:
            self._after_op(out)
        return out

    def _note_foreach(self, written: Any, args: Any, kwargs: Any) -> None:
        for position, name, _ in written:
            value = (
                kwargs.get(name)
                if name in kwargs
                else (args[position] if position < len(args) else None)
            )
            if isinstance(value, (list, tuple)):
                self._bumps.extend((t, t._version) for t in value if isinstance(t, torch.Tensor))

    def _restore_bumps(self) -> None:
        # Bump exactly the tensors whose version did not move (should a later
        # PyTorch bump them itself, nothing is bumped twice).
        bumps, self._bumps = self._bumps, []
        missed = [t for t, before in bumps if t._version == before]
        if missed:
            torch.autograd.graph.increment_version(missed)

    def _after_op(self, out: Any) -> None:
        # The input records packed just before this op belong to its node, whose
        # name can be read from the output's grad_fn once autograd has set it.
        if self._pending:
            if self.paranoid:
                self._snapshot(self._pending)
            self._resolving, self._pending = self._pending, []
            self._resolving_out = out

    def _snapshot(self, records: list[SavedRecord]) -> None:
        # Inputs are copied after the op that saved them has run: some ops
        # (batch norm's running statistics) update their own saved inputs.
        for rec in records:
            if rec.snapshot is None:
                rec.snapshot = self._copy(rec.tensor)

    def _resolve(self) -> None:
        out, self._resolving_out = self._resolving_out, None
        resolving, self._resolving = self._resolving, []
        t = first_tensor(out)
        grad_fn = t.grad_fn if t is not None else None
        if grad_fn is None:
            return
        seq = grad_fn._sequence_nr()
        for rec in resolving:
            if rec.node_seq == seq:
                rec.node_name = grad_fn.name()

    def _match_writes(self, func: Any, written: Any, args: Any, kwargs: Any) -> Any:
        hits: list[tuple[SavedRecord, int, str, bool, Any]] = []
        site_arg = ("", False, [])
        for position, name, kwarg_only in written:
            value = (
                kwargs.get(name)
                if name in kwargs
                else (args[position] if position < len(args) else None)
            )
            tensors = value if isinstance(value, (list, tuple)) else (value,)
            for t in tensors:
                if not isinstance(t, torch.Tensor):
                    continue
                extent = memory_extent(t)
                if extent is None:
                    continue
                key, lo, hi = extent
                live = self._by_key.get(key)
                if not live:
                    continue
                for ref in list(live.values()):
                    rec = ref()
                    if rec is None:
                        continue
                    # Packed for this very op (e.g. batch norm's running stats,
                    # saved and then updated by the op itself): not a later write.
                    own = rec in self._pending
                    hits.append((rec, rec.tensor._version, relation_to(lo, hi, rec), own, _weak(t)))
                    if not site_arg[0]:
                        site_arg = (name, kwarg_only, list(t.shape))
        if not hits:
            return None
        arg, is_out, shape = site_arg
        site = WriteSite(
            op_name(func), write_context(), torch.is_grad_enabled(), arg, is_out, shape
        )
        return site, hits

    def _flush(self) -> None:
        if self._bumps:
            self._restore_bumps()
        post, self._post = self._post, []
        for site, hits in post:
            for rec, before, relation, own, target in hits:
                after = rec.tensor._version
                if own:
                    if rec.snapshot is not None:
                        rec.snapshot = self._copy(rec.tensor)
                    continue
                if after == before and relation == "disjoint":
                    continue  # other memory, and autograd does not care: unrelated
                write = Write(site, before, after, relation, target)
                if rec.writes is None:
                    rec.writes = []
                rec.writes.append(write)
                if self.early and (not write.silent or self.paranoid):
                    self._warn_early(rec, write)

    def _warn_early(self, rec: SavedRecord, write: Write) -> None:
        where = write.site.where
        key = (where, rec.where, rec.node_name, write.silent)
        if key in self._warned:
            return
        self._warned.add(key)
        message = report.early_warning(rec, write)
        if where is not None:
            warnings.warn_explicit(message, InplaceWriteWarning, where.filename, where.lineno)
        else:
            warnings.warn(message, InplaceWriteWarning, stacklevel=2)

    # -------------------------------------------------------- saved tensor hooks
    def _copy(self, t: torch.Tensor) -> torch.Tensor:
        self._internal = True
        try:
            return t.detach().clone()
        finally:
            self._internal = False

    def _pack(self, t: torch.Tensor) -> SavedRecord:
        if self._post or self._bumps:
            self._flush()
        rec = SavedRecord()
        grad_fn = t.grad_fn
        node_seq = _peek_sequence_nr() - 1 if _peek_sequence_nr is not None else -1
        rec.is_output = grad_fn is not None and grad_fn._sequence_nr() == node_seq
        rec.node_seq = node_seq
        rec.version = t._version
        rec.output_nr = t.output_nr
        if rec.is_output:
            # An output's grad_fn is the saving node itself: keeping the tensor
            # would make node -> record -> tensor -> node, a cycle through C++
            # that is never collected.  A detached alias shares memory and the
            # version counter, which is all the checks need.
            self._internal = True
            try:
                rec.tensor = t.detach()
            finally:
                self._internal = False
            rec.node_name = grad_fn.name()
            same_node = [other for other in self._pending if other.node_seq == node_seq]
            for other in same_node:  # custom Functions save inputs after forward, then outputs
                other.node_name = rec.node_name
            if self.paranoid:
                self._snapshot(same_node)
            rec.snapshot = self._copy(t) if self.paranoid else None
        else:
            # An input: keep the tensor itself, as PyTorch does, so the error
            # text can name its current grad_fn exactly like PyTorch.
            rec.tensor = t
            rec.node_name = None
            rec.snapshot = None  # taken once the op has run, see _after_op
            self._pending.append(rec)
        rec.where = user_frame()
        rec.writes = None
        rec.owner = self
        extent = memory_extent(t) if not self.light else None
        if extent is None:
            rec.key = rec.lo = rec.hi = 0
        else:
            rec.key, rec.lo, rec.hi = extent
            live = self._by_key.get(rec.key)
            if live is None:
                live = self._by_key[rec.key] = {}
            live[id(rec)] = weakref.ref(rec, functools.partial(self._forget, rec.key, id(rec)))
        return rec

    def _forget(self, key: int, rec_id: int, _ref: Any) -> None:
        live = self._by_key.get(key)
        if live is not None:
            live.pop(rec_id, None)
            if not live:
                del self._by_key[key]

    def _unpack(self, rec: SavedRecord) -> torch.Tensor:
        if self._post or self._bumps:
            self._flush()
        if peek_stack:
            peek_stack[-1].append(rec)
            return rec.tensor
        node = torch._C._current_autograd_node()
        node_name = node.name() if node is not None else rec.node_name
        if node is not None and self.backward_calls and not self.backward_calls[-1][2]:
            # this backward frees the node's saved tensors: remember who did it
            if len(self.freed) > 100_000:
                self.freed.clear()
            self.freed[node._sequence_nr()] = (self.backward_count, node_name, rec.where)
        if node is not None and rec.node_name is None and node._sequence_nr() == rec.node_seq:
            rec.node_name = node_name
        current = rec.tensor._version
        if current != rec.version:
            text = report.torch_version_message(rec, current)
            self.namespaces = namespaces_here()
            error = InplaceModificationError(
                text + "\n\n" + report.diagnosis(rec, node_name, self.namespaces),
                record=rec,
                node_name=node_name,
            )
            self.last_error, self.last_error_node = error, node
            raise error from RuntimeError(text)
        if self.paranoid and self._silently_changed(rec, node_name):
            error = SilentModificationError(
                report.silent_message(rec, node_name), record=rec, node_name=node_name
            )
            self.last_error, self.last_error_node = error, node
            raise error
        return rec.tensor

    def _silently_changed(self, rec: SavedRecord, node_name: str | None) -> bool:
        silent_writes = any(w.silent for w in rec.writes or ())
        if rec.snapshot is None:
            return silent_writes
        if not silent_writes and _is_batch_norm_stat(rec, node_name):
            return False
        self._internal = True
        try:
            return not same_bits(rec.snapshot, rec.tensor)
        finally:
            self._internal = False


def _weak(t: torch.Tensor) -> Any:
    try:
        return weakref.ref(t)
    except TypeError:
        return None


def _is_batch_norm_stat(rec: SavedRecord, node_name: str | None) -> bool:
    # Batch norm saves its running statistics and updates them in every forward
    # without a version bump and without declaring the write in its schema; its
    # backward in training mode does not use them.  A second forward before
    # backward changes them legitimately.
    t = rec.tensor
    return (
        "BatchNorm" in (node_name or rec.node_name or "") and t.dim() == 1 and not t.requires_grad
    )


def active_recorder() -> Recorder | None:
    """The recorder of the innermost active ``watch()`` in this thread."""
    return getattr(_active, "recorder", None)


class watch(contextlib.ContextDecorator):
    """Watch PyTorch code for in-place writes that break (or silently corrupt) backward.

    ``with watch(): ...`` or ``@watch()``.  Inside, the version error PyTorch
    raises in backward becomes an :class:`InplaceModificationError` whose message
    is PyTorch's text followed by the diagnosis.

    early: warn (:class:`InplaceWriteWarning`) at the write itself, before backward.
    paranoid: also catch writes autograd cannot see (``.data``, tensors sharing
        memory but not the version counter, NumPy): saved tensors are copied when
        saved and compared when used, raising :class:`SilentModificationError`.
        Costs a copy of every saved tensor.
    graph: a file name; when the block ends, draw the latest backward graph
        there (the one that failed, if any).
    light: record only what backward's check needs (and the forward line), not
        the writes: cheaper; the error names the saved tensor and where it was
        saved, not the write.  Ignored with early or paranoid.

    A ``watch()`` nested in another one in the same thread adds nothing: the
    outer one keeps watching.
    """

    def __init__(
        self,
        *,
        early: bool = False,
        paranoid: bool = False,
        graph: str | None = None,
        light: bool = False,
    ):
        if graph is not None:
            problem = graph_path_problem(str(graph))
            if problem is not None:
                raise ValueError(problem.removeprefix("--graph "))
        self.early = early
        self.paranoid = paranoid
        self.graph = graph
        self.light = light
        #: draw the graph when the block ends (the CLI draws it after printing errors)
        self.draw_at_exit = True
        #: the recorder this block used (None when nested in another watch)
        self.recorder: Recorder | None = None

    def _recreate_cm(self) -> watch:
        # Each call of a decorated function gets its own recorder.
        return watch(early=self.early, paranoid=self.paranoid, graph=self.graph, light=self.light)

    def __enter__(self) -> Recorder:
        outer = active_recorder()
        if outer is not None:
            self.recorder = None
            return outer
        self.recorder = Recorder(
            early=self.early,
            paranoid=self.paranoid,
            capture_graph=self.graph is not None,
            light=self.light,
        )
        self.recorder.start()
        _active.recorder = self.recorder
        return self.recorder

    def __exit__(self, exc_type: Any, error: Any, tb: Any) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        _active.recorder = None
        recorder.stop()
        if tb is not None:
            recorder.namespaces = namespaces_from_traceback(tb) + recorder.namespaces
        if self.graph is not None and self.draw_at_exit:
            spaces = recorder.namespaces or namespaces_here()
            draw_failure(recorder, self.graph, named_parameters_in(spaces))
        if error is not None and not isinstance(error, DoctorError):
            text = diagnose(error, recorder)
            if text is not None:
                diagnosed = DiagnosedError(f"{error}\n\n{text}")
                recorder.last_error = diagnosed
                raise diagnosed.with_traceback(tb) from error


def watched(fn: F | None = None, *, early: bool = False, paranoid: bool = False) -> Any:
    """Decorator: run every call of ``fn`` under :func:`watch`.

    Use bare (``@watched``) or with options (``@watched(early=True)``).
    """
    if fn is None:
        return watch(early=early, paranoid=paranoid)
    return watch(early=early, paranoid=paranoid)(fn)
