"""In-place random fills (uniform_, normal_, bernoulli_, random_, exponential_, geometric_,
cauchy_, log_normal_) and the sampling functions (normal, multinomial, poisson).

Their gradient is zero (the values no longer depend on the old ones), as in
derivatives.yaml; they pass through the in-place door like any other write.
"""

from __future__ import annotations

import numpy as np

from .. import _capture
from .. import _distributions_cpu as dist
from .._creation import (
    empty,
    empty_like,
    fill_in_memory_order,
    from_numpy,
    generator_or_default,
    in_memory_order,
    zeros_like,
)
from .._inplace import apply_inplace
from .._tensor import Tensor
from ._api import method, public
from ._registry import defop

# NB: each forward draws from PyTorch's CPU generator the way PyTorch's CPU
# kernel for that op does (see _distributions_cpu), in memory order.


def _uniform(self, low=0.0, high=1.0, generator=None, out=None):
    gen = generator_or_default(generator)
    return fill_in_memory_order(out, dist.uniform(gen, out.size, out.dtype, low, high))


def _normal(self, mean=0.0, std=1.0, generator=None, out=None):
    gen = generator_or_default(generator)
    values = dist.normal(gen, out.size, out.dtype, mean, std, out.flags.c_contiguous)
    return fill_in_memory_order(out, values)


def _bernoulli(self, p=0.5, generator=None, out=None):
    gen = generator_or_default(generator)
    if isinstance(p, np.ndarray):
        values = dist.bernoulli_tensor(gen, in_memory_order(p, out))
    else:
        values = dist.bernoulli_scalar(gen, out.size, p)
    return fill_in_memory_order(out, values)


def _random(self, low=None, high=None, generator=None, out=None):
    gen = generator_or_default(generator)
    if low is None and high is None:  # random_(): PyTorch's uniform_int, not [0, max]
        values = dist.random_default(gen, out.size, out.dtype)
    elif high is None and low == -(2**63):
        values = dist.random_full_range(gen, out.size, out.dtype)
    else:
        low = 0 if low is None else low
        if high is None:  # [from, the dtype's largest value]
            high = _random_top(out.dtype) + 1
        values = dist.random_from_to(gen, out.size, out.dtype, low, high - low)
    return fill_in_memory_order(out, values)


def _random_top(dtype: np.dtype) -> int:
    if dtype.kind == "f":
        return 2 ** min(np.finfo(dtype).nmant + 1, 63)
    if dtype == np.bool_:
        return 1
    return int(np.iinfo(dtype).max)


def _exponential(self, lambd=1.0, generator=None, out=None):
    values = dist.exponential(generator_or_default(generator), out.size, lambd)
    return fill_in_memory_order(out, values)


def _geometric(self, p=0.5, generator=None, out=None):
    values = dist.geometric(generator_or_default(generator), out.size, p)
    return fill_in_memory_order(out, values)


def _cauchy(self, median=0.0, sigma=1.0, generator=None, out=None):
    values = dist.cauchy(generator_or_default(generator), out.size, median, sigma)
    return fill_in_memory_order(out, values)


def _log_normal(self, mean=1.0, std=2.0, generator=None, out=None):
    values = dist.log_normal(generator_or_default(generator), out.size, mean, std)
    return fill_in_memory_order(out, values)


uniform = defop(
    "uniform_(Tensor self, float low=0, float high=1, *, Generator? generator=None) -> Tensor",
    forward=_uniform,
    node="UniformBackward0",
    inplace="uniform_",
    self=lambda grad: zeros_like(grad),
)
normal_op = defop(
    "normal_(Tensor self, float mean=0, float std=1, *, Generator? generator=None) -> Tensor",
    forward=_normal,
    node="NormalBackward0",
    inplace="normal_",
    self=lambda grad: zeros_like(grad),
)
bernoulli_op = defop(
    "bernoulli_.float(Tensor self, float p=0.5, *, Generator? generator=None) -> Tensor",
    forward=_bernoulli,
    node="BernoulliBackward2",
    inplace="bernoulli_",
    self=lambda grad: zeros_like(grad),
)
# NB: PyTorch's three overloads get three node names: random_(from, to), random_(to), random_().
random_from = defop(
    "random_.from(Tensor self, int low=0, int? high=None, *, Generator? generator=None) -> Tensor",
    forward=_random,
    node="RandomBackward0",
    inplace="random_",
    self=lambda grad: zeros_like(grad),
)
random_to = defop(
    "random_.to(Tensor self, int high, *, Generator? generator=None) -> Tensor",
    forward=_random,
    node="RandomBackward1",
    inplace="random_",
    self=lambda grad: zeros_like(grad),
)
random_all = defop(
    "random_(Tensor self, *, Generator? generator=None) -> Tensor",
    forward=_random,
    node="RandomBackward2",
    inplace="random_",
    self=lambda grad: zeros_like(grad),
)
exponential = defop(
    "exponential_(Tensor self, float lambd=1, *, Generator? generator=None) -> Tensor",
    forward=_exponential,
    node="ExponentialBackward0",
    inplace="exponential_",
    self=lambda grad: zeros_like(grad),
)


geometric = defop(
    "geometric_(Tensor self, float p, *, Generator? generator=None) -> Tensor",
    forward=_geometric,
    node="GeometricBackward0",
    inplace="geometric_",
    self=lambda grad: zeros_like(grad),
)
cauchy = defop(
    "cauchy_(Tensor self, float median=0, float sigma=1, *, Generator? generator=None) -> Tensor",
    forward=_cauchy,
    node="CauchyBackward0",
    inplace="cauchy_",
    self=lambda grad: zeros_like(grad),
)
log_normal = defop(
    "log_normal_(Tensor self, float mean=1, float std=2, *, Generator? generator=None) -> Tensor",
    forward=_log_normal,
    node="LogNormalBackward0",
    inplace="log_normal_",
    self=lambda grad: zeros_like(grad),
)


def _fill(op, self, attrs, name):
    return apply_inplace(op, (self,), attrs, name, pointwise=False)


# NB: PyTorch names these parameters `from`/`to`, which Python cannot spell as
# parameters; positional calls and the keywords are both accepted.


@method
def uniform_(self, *args, generator=None, **kwargs):
    low = args[0] if len(args) > 0 else kwargs.get("from", kwargs.get("a", 0.0))
    high = args[1] if len(args) > 1 else kwargs.get("to", kwargs.get("b", 1.0))
    return _fill(uniform, self, {"low": low, "high": high, "generator": generator}, "uniform_")


@method
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill(normal_op, self, {"mean": mean, "std": std, "generator": generator}, "normal_")


@method
def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        p = p._data
    return _fill(bernoulli_op, self, {"p": p, "generator": generator}, "bernoulli_")


@method
def random_(self, *args, generator=None, **kwargs):
    if len(args) == 2 or "from" in kwargs:
        low, high = args if len(args) == 2 else (kwargs["from"], kwargs.get("to"))
        attrs = {"low": low, "high": high, "generator": generator}
        return _fill(random_from, self, attrs, "random_")
    if len(args) == 1 or "to" in kwargs:
        high = args[0] if args else kwargs["to"]
        return _fill(random_to, self, {"high": high, "generator": generator}, "random_")
    return _fill(random_all, self, {"generator": generator}, "random_")


@method
def exponential_(self, lambd=1.0, *, generator=None):
    return _fill(exponential, self, {"lambd": lambd, "generator": generator}, "exponential_")


@public
def bernoulli(input, p=None, *, generator=None):
    probabilities = input._data if p is None else p
    out = input.detach().clone()
    return out.bernoulli_(probabilities if p is not None else input, generator=generator)


@public
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, **kwargs):
    """``torch.normal``'s overloads. With a tensor argument PyTorch draws standard
    (or ``std``-scaled) normals first and then applies ``mul_(std)``/``add_(mean)``
    as separate roundings."""
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        shape = tuple(size) if size is not None else ()
        return empty(*shape, dtype=dtype).normal_(mean, std, generator=generator)
    if isinstance(mean, Tensor) and not isinstance(std, Tensor):
        out = empty_like(mean.detach()).normal_(0.0, std, generator=generator)
        return out.add_(mean.detach())
    reference = std if not isinstance(mean, Tensor) else mean
    shape = np.broadcast_shapes(std.shape, mean.shape if isinstance(mean, Tensor) else ())
    out = empty(*shape, dtype=reference.dtype).normal_(0.0, 1.0, generator=generator)
    out.mul_(std.detach())
    return out.add_(mean.detach() if isinstance(mean, Tensor) else mean)


@public
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Without replacement (or for one sample) PyTorch takes the top ``num_samples``
    of ``p / q`` with ``q ~ Exp(1)`` drawn in ``input``'s dtype; with replacement
    a binary search of each row's normalised cumulative sums."""
    _capture.refuse("multinomial() (it samples outside the kernel runner)")
    gen = generator_or_default(generator)
    if not replacement or num_samples == 1:
        q = empty_like(input.detach()).exponential_(1.0, generator=generator)
        scores = input._data / q._data
        rows = scores.reshape(-1, scores.shape[-1])
        # NB: topk's order: the largest first; ties keep the lower index
        picks = np.argsort(-rows, axis=-1, kind="stable")[:, :num_samples]
    else:
        rows = np.ascontiguousarray(input._data).reshape(-1, input.shape[-1])
        picks = dist.multinomial_with_replacement(gen, rows, num_samples)
    out = picks.astype(np.int64).reshape(tuple(input.shape[:-1]) + (num_samples,))
    return from_numpy(out)


@public
def poisson(input, generator=None):
    _capture.refuse("poisson() (it samples outside the kernel runner)")
    rates = in_memory_order(input._data, input._data)
    values = dist.poisson(generator_or_default(generator), rates).astype(input._data.dtype)
    out = np.empty_like(input._data)
    fill_in_memory_order(out, values)
    return from_numpy(out)


@method
def geometric_(self, p, *, generator=None):
    return _fill(geometric, self, {"p": p, "generator": generator}, "geometric_")


@method
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    attrs = {"median": median, "sigma": sigma, "generator": generator}
    return _fill(cauchy, self, attrs, "cauchy_")


@method
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(
        log_normal, self, {"mean": mean, "std": std, "generator": generator}, "log_normal_"
    )
