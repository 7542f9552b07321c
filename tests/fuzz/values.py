"""Values for generated programs: literals, scalars, operands and index expressions.

`Values` is the part of the generator that turns the live state (the reference engine's
tensors bound so far) into arguments: a right-hand side of a fitting or broadcastable
shape with a mixed dtype, index tensors in and out of range, masks, and index expressions
of every kind (int, slice with steps, ellipsis, None, bool mask, long tensor, list).
"""

from __future__ import annotations

import math

FLOATS = ("torch.float32", "torch.float64")
DTYPES = ("torch.float32", "torch.float64", "torch.int64", "torch.bool")
KEEP_ERROR = 0.3  # chance to keep a statement that raises on torch


def nest(vals, shape):
    if not shape:
        return vals[0]
    step = len(vals) // shape[0] if shape[0] else 0
    return [nest(vals[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


class Values:
    """Mixed into the generator; needs self.rng, self.env and self.torch."""

    def tensors(self, pred=lambda x: True):
        T = self.torch.Tensor
        return [n for n, x in self.env.items() if n != "torch" and isinstance(x, T) and pred(x)]

    def pick(self, pred=lambda x: True):
        names = self.tensors(pred)
        if not names:
            return None
        # recent tensors are picked more often: they carry the interesting history
        weights = [1 + int(n[1:]) for n in names]
        return self.rng.choices(names, weights)[0]

    def dt(self, name):
        return str(self.env[name].dtype)

    def shape(self, name):
        return tuple(self.env[name].shape)

    # ---- values -------------------------------------------------------------------------
    def dtype(self, like=None):
        if like is not None and self.rng.random() < 0.6:
            return like
        return self.rng.choice(DTYPES)

    def scalar(self, dtype):
        r = self.rng
        if dtype == "torch.bool":
            return repr(r.random() < 0.5)
        if dtype == "torch.int64":
            return str(r.randint(-3, 4))
        return repr(round(r.uniform(-2.5, 2.5), 2))

    def scalar_mix(self, like):
        return self.scalar(self.dtype(like))

    def rand_shape(self, ndim=None):
        r = self.rng
        ndim = r.choices([0, 1, 2, 3], [2, 4, 4, 2])[0] if ndim is None else ndim
        return tuple(r.choices([0, 1, 2, 3, 4], [1, 4, 5, 4, 2])[0] for _ in range(ndim))

    def literal(self, shape, dtype, grad=False):
        n = math.prod(shape)
        r = self.rng
        kw = f"dtype={dtype}" + (", requires_grad=True" if grad else "")
        if n == 0 or r.random() < 0.1:
            fn = r.choice(["zeros", "ones"]) if n == 0 else "ones"
            return f"torch.{fn}({shape_text(shape)}, {kw})"
        vals = [eval(self.scalar(dtype)) for _ in range(n)]
        return f"torch.tensor({nest(vals, list(shape))!r}, {kw})"

    def broadcast_shape(self, shape):
        r = self.rng
        k = r.randint(0, len(shape))
        out = [1 if r.random() < 0.3 else s for s in shape[len(shape) - k :]]
        if r.random() < 0.05:
            out = [r.randint(2, 3)] + out  # too many dims / wrong size: an error to compare
        return tuple(out)

    def operand(self, target, like, tensor_only=False):
        """A right-hand side for a write into target: scalar, 0-d, pool tensor or literal."""
        r = self.rng
        c = r.random()
        if c < 0.3 and not tensor_only:
            return self.scalar_mix(like)
        if c < 0.55:
            shape = self.shape(target)
            other = self.pick(lambda x: len(x.shape) <= len(shape))
            if other is not None:
                return other
        dtype = self.dtype(like)
        grad = dtype in FLOATS and r.random() < 0.2
        return self.literal(self.broadcast_shape(self.shape(target)), dtype, grad)

    def index_tensor(self, size, n=None, shape=None):
        r = self.rng
        if shape is None:
            n = r.randint(0 if r.random() < 0.1 else 1, 3) if n is None else n
            shape = (n,)
        m = math.prod(shape)
        hi = max(size, 1)
        vals = [r.randint(-size if r.random() < 0.2 else 0, hi - 1) for _ in range(m)]
        if m == 0:
            return f"torch.zeros({shape_text(shape)}, dtype=torch.int64)"
        return f"torch.tensor({nest(vals, list(shape))!r})"

    def mask(self, shape):
        if self.rng.random() < 0.3:
            name = self.pick(lambda x: str(x.dtype) == "torch.bool" and tuple(x.shape) == shape)
            if name:
                return name
        return self.literal(shape, "torch.bool")

    # ---- index expressions ------------------------------------------------------------
    def component(self, size):
        r = self.rng
        kind = r.choices(["int", "slice", "none", "long", "list"], [4, 5, 1, 2, 1])[0]
        if kind == "int":
            return kind, str(r.randint(-size, size - 1) if size else 0)
        if kind == "slice":
            a = r.choice(["", str(r.randint(-size, size))])
            b = r.choice(["", str(r.randint(-size, size + 1))])
            c = r.choice(["", "", "2", "3"])
            return kind, f"{a}:{b}" + (f":{c}" if c else "")
        if kind == "none":
            return kind, "None"
        if kind == "long":
            return kind, self.index_tensor(size)
        return kind, repr([r.randint(-size, size - 1) if size else 0 for _ in range(r.randint(1, 2))])

    def index(self, name):
        """An index expression for name and its kind (int/slice/ellipsis/none/mask/long/list)."""
        r = self.rng
        shape = self.shape(name)
        if not shape or r.random() < 0.15:
            k = r.choice(["ellipsis", "mask", "none"])
            if k == "ellipsis":
                return k, "..."
            if k == "none":
                return k, "None"
            return k, self.mask(shape[: r.randint(0, len(shape))] if shape else ())
        if r.random() < 0.12:
            return "mask", self.mask(shape[: r.randint(1, len(shape))])
        parts, kinds = [], []
        for s in shape[: r.randint(1, len(shape))]:
            k, text = self.component(s)
            parts.append(text)
            kinds.append(k)
        if r.random() < 0.2:
            at = r.randint(0, len(parts))
            parts.insert(at, "...")
            kinds.insert(at, "ellipsis")
        kind = kinds[0] if len(set(kinds)) == 1 else "mixed"
        return kind, ", ".join(parts)
