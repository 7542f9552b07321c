"""``torch.set_num_threads`` and friends, over NumPy's BLAS (via threadpoolctl).

PyTorch runs its intra-op parallel work (matmul, convolution, big reductions) on a
pool of ``get_num_threads()`` threads; mutograd's parallel work is NumPy's BLAS, so
the same four functions set and report the BLAS libraries' thread pools.

PyTorch's default policy, mirrored here and applied once when mutograd is imported:
``MKL_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the number of *physical* cores
(hyper-threads share a core's arithmetic units and slow BLAS down). When the user
pinned the BLAS itself (``OPENBLAS_NUM_THREADS``, ...) and not PyTorch's variables,
that pin is kept and reported.

Inter-op threads run independent ops concurrently in PyTorch's graph executors;
mutograd runs ops one at a time, so that setting is recorded and reported with
PyTorch's rules (positive, settable once) and changes nothing else.
"""

from __future__ import annotations

import numbers
import os

from threadpoolctl import ThreadpoolController

_TORCH_VARIABLES = ("MKL_NUM_THREADS", "OMP_NUM_THREADS")  # PyTorch reads MKL's first
_BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "BLIS_NUM_THREADS")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def _type_name(value: object) -> str:
    """The type's name as CPython's ``tp_name`` spells it in PyTorch's messages:
    ``float``, ``numpy.float64``, ``Tensor``."""
    kind = type(value)
    heap_type = kind.__flags__ & (1 << 9)  # classes defined in Python keep their short name
    if heap_type or kind.__module__ == "builtins":
        return kind.__name__
    return f"{kind.__module__}.{kind.__name__}"


def _checked_count(function: str, value: object) -> int:
    """PyTorch's argument checks, in its order: an int (NumPy integers too, never a bool),
    one that fits a C int, and at least 1."""
    if isinstance(value, bool) or not _is_integer(value):
        raise RuntimeError(f"{function} expects an int, but got {_type_name(value)}")
    number = int(value)  # type: ignore[call-overload]
    if not _INT64[0] <= number <= _INT64[1]:
        raise ValueError("Overflow when unpacking long long")
    if not _INT32[0] <= number <= _INT32[1]:
        raise ValueError("Overflow when unpacking long")
    if number < 1:
        raise RuntimeError(f"{function} expects a positive integer")
    return number


def _is_integer(value: object) -> bool:
    # int and NumPy's integers; numpy.bool is not Integral, matching PyTorch's refusal
    return isinstance(value, numbers.Integral)


def physical_cores() -> int:
    """Physical cores (Linux: distinct core ids in sysfs), else the logical CPU count."""
    root = "/sys/devices/system/cpu"
    cores = set()
    try:
        for name in os.listdir(root):
            if name.startswith("cpu") and name[3:].isdigit():
                topology = os.path.join(root, name, "topology")
                with open(os.path.join(topology, "core_id")) as core:
                    with open(os.path.join(topology, "physical_package_id")) as package:
                        cores.add((package.read().strip(), core.read().strip()))
    except OSError:
        cores = set()
    return len(cores) or os.cpu_count() or 1


def _from_environment(names: tuple[str, ...]) -> int | None:
    for name in names:
        text = os.environ.get(name, "").strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
    return None


def _controller() -> ThreadpoolController:
    # Scanned at each call: a BLAS loaded after mutograd (SciPy's) is covered too.
    return ThreadpoolController().select(user_api="blas")


def _blas_threads() -> int | None:
    counts = [lib.num_threads for lib in _controller().lib_controllers]
    return max(counts) if counts else None


def default_num_threads() -> int:
    """PyTorch's default intra-op thread count, as described in the module docstring."""
    pinned = _from_environment(_TORCH_VARIABLES)
    if pinned is not None:
        return pinned
    if _from_environment(_BLAS_VARIABLES) is not None:
        return _blas_threads() or 1
    return physical_cores()


_num_threads: int | None = None
_num_interop_threads: int | None = None
_interop_was_set = False


def _apply(count: int) -> None:
    controller = _controller()
    if any(lib.num_threads != count for lib in controller.lib_controllers):
        controller.limit(limits=count)


def init() -> None:
    """Apply the default policy to the BLAS already loaded (NumPy's); run at import."""
    global _num_threads
    _num_threads = default_num_threads()
    _apply(_num_threads)


def set_num_threads(num: int, /) -> None:
    """Sets the number of threads NumPy's BLAS uses (PyTorch: intra-op parallelism on CPU)."""
    global _num_threads
    _num_threads = _checked_count("set_num_threads", num)
    _apply(_num_threads)


def get_num_threads() -> int:
    """The number of threads used for intra-op parallelism (NumPy's BLAS) on CPU."""
    if _num_threads is None:
        init()
    return _num_threads  # type: ignore[return-value]


def set_num_interop_threads(num: int, /) -> None:
    """Sets the inter-op thread count; like PyTorch, only once per process."""
    global _num_interop_threads, _interop_was_set
    count = _checked_count("set_num_interop_threads", num)
    if _interop_was_set:
        raise RuntimeError(
            "Error: cannot set number of interop threads after parallel work has started "
            "or set_num_interop_threads called"
        )
    _num_interop_threads, _interop_was_set = count, True


def get_num_interop_threads() -> int:
    """The inter-op thread count: PyTorch's default is the number of physical cores."""
    return _num_interop_threads if _num_interop_threads is not None else physical_cores()
