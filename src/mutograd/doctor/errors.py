"""Exception and warning classes raised by the doctor.

This module must not import torch: the CLI imports it to explain a missing torch.
"""

from __future__ import annotations

from typing import Any


class DoctorError(RuntimeError):
    """Base class of the errors the doctor raises in place of PyTorch's.

    A RuntimeError, so ``except RuntimeError`` in user code keeps working exactly
    as it would for PyTorch's own error.
    """

    def __init__(self, message: str, *, record: Any = None, node_name: str | None = None):
        super().__init__(message)
        #: the doctor's record of the saved tensor (see recorder.SavedRecord)
        self.record = record
        #: name of the autograd node that needed the tensor, e.g. "SigmoidBackward0"
        self.node_name = node_name


class InplaceModificationError(DoctorError):
    """PyTorch's "modified by an inplace operation" error, plus the diagnosis.

    The message starts with PyTorch's exact text; ``__cause__`` is a plain
    RuntimeError carrying that text alone.
    """


class DiagnosedError(DoctorError):
    """One of PyTorch's other in-place errors, plus the diagnosis.

    Raised at the in-place write PyTorch refuses (a view of unbind/split/chunk,
    of a custom Function, made under no_grad; an inference tensor; a leaf that
    requires grad) or in backward ("leaf variable has been moved into the graph
    interior", "Trying to backward through the graph a second time").  The
    message starts with PyTorch's exact text; ``__cause__`` is PyTorch's error.
    """


class SilentModificationError(DoctorError):
    """A saved tensor's values changed although its version counter did not.

    PyTorch raises nothing in this case (writes through ``.data`` or through a
    tensor that does not share the version counter) and computes wrong gradients;
    the doctor raises this only in paranoid mode.
    """


class InplaceWriteWarning(UserWarning):
    """Early warning: an in-place write just invalidated a tensor saved for backward."""


class GraphvizMissingWarning(UserWarning):
    """The Graphviz ``dot`` program is missing, so only DOT source was written."""
