"""The Tensor: a NumPy array plus autograd metadata. No math lives here.

A tensor's ``_data`` is an ndarray, often a NumPy view of its storage
(``_storage``, the root array). Op methods, dunders and printing are installed
onto Tensor by the layers above (ops/, autograd/, _printing), so this module
depends only on dtypes and storage.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _capture, _dtype, _errors
from ._device import CPU, device
from ._storage import UntypedStorage, VersionCounter, data_ptr

_object_new = object.__new__


class Size(tuple):
    """``torch.Size``: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "torch.Size([" + ", ".join(str(s) for s in self) + "])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class _Warned:
    """PyTorch's TORCH_WARN_ONCE warnings already given in this process."""

    scalar_of_requires_grad = False


class ViewMeta:
    """Autograd facts about a view (PyTorch's DifferentiableViewMeta).

    ``creation`` is PyTorch's CreationMeta: "default", "no_grad_mode",
    "multi_output_node", "inference_mode" or "in_custom_function".
    ``attr_version`` is the version at which the view's grad_fn was last
    computed; see Note [Version counters and views]. ``location`` is where a
    restricted (non-default) view was created, for mutograd's error messages.
    """

    __slots__ = ("creation", "attr_version", "location")

    def __init__(self, creation: str, attr_version: int, location=None) -> None:
        self.creation = creation
        self.attr_version = attr_version
        self.location = location


class Tensor:
    """A multi-dimensional array that can record its history for autograd."""

    __slots__ = (
        "_data",  # np.ndarray: the values, a NumPy view of _storage
        "_storage",  # np.ndarray: the root buffer shared with views, .data, detach()
        "_vc",  # VersionCounter shared with views and detach()
        "dtype",
        "_requires_grad",  # the leaf flag; non-leaves require grad through grad_fn
        "_grad_fn",
        "_output_nr",
        "_base",  # root base tensor for views, else None
        "_view_meta",
        "_grad",
        "_grad_acc",  # weakref to this leaf's AccumulateGrad
        "_hooks",  # leaf tensor hooks
        "_retains_grad",
        "_inference",
        "__weakref__",
    )

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(*sizes) build float tensors; the real
        # construction lives in _creation (installed as _legacy_new).
        return cls._legacy_new(*args, **kwargs)

    # --- metadata ------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: int | None = None):
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        return (data_ptr(self._data) - data_ptr(self._storage)) // self._data.itemsize

    def data_ptr(self) -> int:
        # NB: as PyTorch, a tensor with no elements has a null data pointer.
        return data_ptr(self._data) if self._data.size else 0

    def untyped_storage(self) -> UntypedStorage:
        return UntypedStorage(self._storage)

    def is_contiguous(self, memory_format=None) -> bool:
        return _is_contiguous(self._data)

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = "torch.strided"

    def get_device(self) -> int:
        return -1

    def is_inference(self) -> bool:
        return self._inference

    # --- versions and views --------------------------------------------------
    @property
    def _version(self) -> int:
        if self._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc.version

    def _is_view(self) -> bool:
        return self._base is not None

    # --- autograd metadata ---------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        if self._requires_grad or self._grad_fn is not None:
            return True
        base = self._base
        return base is not None and base.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        _set_requires_grad(self, value, method=False)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        _set_requires_grad(self, requires_grad, method=True)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def grad(self):
        if self._grad is None and not self._retains_grad and self.grad_fn is not None:
            # As PyTorch (TensorBody.h): a non-leaf's .grad is never populated.
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_type(value.dtype)}' to a "
                    f"tensor with grad_dtype '{_dtype.scalar_type_name(self.dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
            if value._data.shape != self._data.shape:
                raise _errors.grad_size_mismatch(value._data.shape, self._data.shape)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    # NB: Tensor.grad_fn is defined with the in-place protocol (_inplace.py): a view's
    # grad_fn is regenerated there after writes, as PyTorch's VariableHooks::grad_fn.

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # --- aliasing without autograd -------------------------------------------
    def detach(self) -> Tensor:
        """A tensor sharing storage and version counter, outside the graph."""
        out = _new(self._data, self.dtype, self._vc, self._storage)
        out._inference = self._inference
        return out

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    @property
    def data(self) -> Tensor:
        """Shares storage but NOT the version counter: writes through it escape autograd."""
        out = _new(self._data, self.dtype, VersionCounter(), self._storage)
        out._inference = self._inference
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data
        self._storage = value._storage
        self.dtype = value.dtype

    @data.deleter
    def data(self) -> None:
        raise RuntimeError("Deleting tensor data is not allowed. Delete tensor instead!")

    # --- conversion to Python and NumPy ---------------------------------------
    # NB: Tensor.numpy is defined in autograd/tensor_methods.py: its rule depends on grad mode.

    def __array__(self, dtype=None, copy=None):
        if dtype is None:
            return self._data
        return self._data.astype(dtype)

    def tolist(self):
        if _capture.recorder is not None:
            _capture.refuse("Tensor.tolist()")
        return self._data.tolist()

    def item(self):
        if _capture.recorder is not None:
            _capture.refuse("Tensor.item()")
        if self._data.size != 1:
            raise _errors.item_numel(self._data.size)
        return self._data.reshape(()).item()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __bool__(self) -> bool:
        if _capture.recorder is not None:
            _capture.refuse("bool(tensor) (Python control flow on tensor values)")
        if self._data.size != 1:
            raise _errors.ambiguous_bool(self._data.size)
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self._python_scalar(warn=True))

    def __int__(self) -> int:
        return int(self._python_scalar())

    def _python_scalar(self, warn: bool = False):
        # NB: as PyTorch's Python conversions (float(t), int(t), complex(t)), a ValueError,
        # where item() raises a RuntimeError; float() and complex() of a tensor that
        # requires grad warn, once per process (a TORCH_WARN_ONCE).
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if warn and not _Warned.scalar_of_requires_grad and self.requires_grad:
            _Warned.scalar_of_requires_grad = True
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
                UserWarning,
                stacklevel=3,
            )
        return self.item()

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self._python_scalar(warn=True))

    __hash__ = object.__hash__


def _c_type(d) -> str:
    return {
        "float32": "float",
        "float64": "double",
        "int64": "long int",
        "int32": "int",
        "bool": "bool",
        "float16": "c10::Half",
    }.get(d._name, d._name)


def _set_requires_grad(t: Tensor, value: bool, method: bool) -> None:
    if t.grad_fn is not None:
        if value:
            return
        raise _errors.non_leaf_requires_grad(setting_false=True)
    if value and not t.dtype.is_floating_point:
        raise _errors.requires_grad_dtype(method)
    if value and t._inference and not _inference_mode_enabled():
        raise _errors.inference_tensor_requires_grad()
    t._requires_grad = bool(value)


def _inference_mode_enabled() -> bool:
    """Replaced by autograd.inference with grad_mode's flag (this layer cannot import it)."""
    return False


def _wrap_dim(dim: int, ndim: int) -> int:
    size = ndim if ndim > 0 else 1
    if not -size <= dim < size:
        raise _errors.dim_out_of_range(dim, ndim)
    return dim + size if dim < 0 else dim


def _geometry(t: Tensor) -> tuple:
    """(shape, strides, storage_offset) in elements: where ``t`` sits in its storage."""
    return (t._data.shape, t.stride(), t.storage_offset())


def _is_contiguous(array: np.ndarray) -> bool:
    # PyTorch ignores the strides of size-1 dimensions, as NumPy's C flag does.
    return array.flags.c_contiguous


def _new(data: np.ndarray, dtype, vc=None, storage=None) -> Tensor:
    """Wrap an ndarray in a Tensor without copying (the hot path of every op)."""
    t = _object_new(Tensor)
    t._data = data
    t._storage = data if storage is None else storage
    if vc is None:
        # NB: VersionCounter() without its __init__ frame (this runs for every op's result).
        vc = _object_new(VersionCounter)
        vc.version = 0
        vc.writes = None
    t._vc = vc
    t.dtype = dtype
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._base = None
    t._view_meta = None
    t._grad = None
    t._grad_acc = None
    t._hooks = None
    t._retains_grad = False
    t._inference = False
    return t


def _new_view(base: Tensor, data: np.ndarray) -> Tensor:
    """A view of ``base``: shares its storage and version counter; ``_base`` is the root."""
    t = _new(data, base.dtype, base._vc, base._storage)
    if base._inference:
        # NB: as PyTorch, a view of an inference tensor is an inference tensor
        # that is not tracked as a view (no _base, _is_view() is False).
        t._inference = True
        return t
    root = base._base
    t._base = base if root is None else root
    return t
