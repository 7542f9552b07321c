"""mutograd: PyTorch's in-place operation system, rebuilt on NumPy.

``import mutograd as torch`` runs small eager PyTorch programs with PyTorch
2.13's values, views, versions, gradients, printed forms and error texts.
This module only re-exports.
"""

from . import (
    _dtype,
    _repr,  # noqa: F401  (installs Tensor.__repr__)
    autograd,
)
from . import ops as _ops
from ._creation import (
    Generator,
    arange,
    as_tensor,
    default_generator,
    empty,
    empty_like,
    empty_strided,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    scalar_tensor,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device, get_default_device, set_default_device
from ._dtype import (
    bool_,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._dtype import bool_ as bool
from ._dtype import float16 as half
from ._dtype import float32 as float
from ._dtype import float64 as double
from ._dtype import int16 as short
from ._dtype import int32 as int
from ._dtype import int64 as long
from ._printing import get_printoptions, printoptions, set_printoptions
from ._public import allclose, equal, is_floating_point, is_tensor, isclose, numel
from ._tensor import Size, Tensor
from .autograd import (
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.grad_mode import is_inference_mode_enabled

globals().update(_ops.FUNCTIONS)
del _ops

from . import accelerator, backends, cuda, distributions, nn, onnx, optim, serialization, testing, utils  # noqa: E402
from ._unsupported import install as _install_unsupported  # noqa: E402
from .serialization import load, save  # noqa: E402

# Last: a clear NotImplementedError for the PyTorch names mutograd lacks (see _unsupported).
_install_unsupported(Tensor)
del _install_unsupported

__version__ = "0.1.0"

# torch.set_num_threads and friends act on NumPy's BLAS; PyTorch's default thread policy
# (MKL_NUM_THREADS, OMP_NUM_THREADS, else the physical cores) is applied on import.
from . import _threads  # noqa: E402
from ._threads import (  # noqa: E402
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)

_threads.init()
