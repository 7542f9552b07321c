"""In-place random fills (uniform_, normal_, bernoulli_, random_, exponential_) and dropout.

Their gradient is zero (the values no longer depend on the old ones), as in
derivatives.yaml; they pass through the in-place door like any other write.
"""

from __future__ import annotations

import numpy as np

from .._creation import rng, zeros_like
from .._inplace import apply_inplace
from .._tensor import Tensor
from ._api import method, public
from ._registry import defop


def _uniform(self, low=0.0, high=1.0, generator=None, out=None):
    out[...] = rng(generator).uniform(low, high, out.shape)
    return out


def _normal(self, mean=0.0, std=1.0, generator=None, out=None):
    out[...] = rng(generator).normal(mean, std, out.shape)
    return out


def _bernoulli(self, p=0.5, generator=None, out=None):
    out[...] = rng(generator).random(out.shape) < p
    return out


def _random(self, low=0, high=None, generator=None, out=None):
    if high is None:
        high = 2**24 + 1 if out.dtype.kind == "f" else np.iinfo(out.dtype).max
    out[...] = rng(generator).integers(low, high, out.shape)
    return out


def _exponential(self, lambd=1.0, generator=None, out=None):
    out[...] = rng(generator).exponential(1.0 / lambd, out.shape)
    return out


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
def normal(mean, std=1.0, size=None, *, generator=None):
    from .._creation import empty

    if size is not None:
        return empty(*size).normal_(mean, std, generator=generator)
    reference = mean if isinstance(mean, Tensor) else std
    values = rng(generator).normal(
        mean._data if isinstance(mean, Tensor) else mean,
        std._data if isinstance(std, Tensor) else std,
        reference.shape,
    )
    from .._creation import from_numpy

    return from_numpy(values.astype(reference.dtype._np))


@public
def multinomial(input, num_samples, replacement=False, *, generator=None):
    from .._creation import from_numpy

    probs = input._data / input._data.sum(-1, keepdims=True)
    generator_rng = rng(generator)
    rows = probs.reshape(-1, probs.shape[-1])
    picks = [
        generator_rng.choice(rows.shape[1], num_samples, replace=replacement, p=row) for row in rows
    ]
    out = np.array(picks, dtype=np.int64).reshape(probs.shape[:-1] + (num_samples,))
    return from_numpy(out)
