"""A seeded generator of random straight-line programs over tensors (the fuzzer's input).

Programs mix leaves (requiring grad or not) and non-leaves of float32/float64/int64/bool,
0-3 dims of sizes 0-4, every view kind, in-place op, index write, dtype mixes, `no_grad`
blocks, `.data`, `detach`, `requires_grad_` and backward. Arguments are chosen from the
live state: each candidate statement is run on the reference engine (torch) while the
program is built, so shapes, sizes and dtypes are known exactly. Statements that raise
are kept now and then (errors are compared too); the rest are redrawn.

`generate(seed)` depends only on the seed (and on torch's deterministic behaviour).
"""

from __future__ import annotations

import math
import random
import warnings

from .ir import Stmt
from .values import DTYPES, FLOATS, KEEP_ERROR, Values, shape_text


class Gen(Values):
    def __init__(self, seed, torch, length=None):
        self.rng = random.Random(seed)
        self.torch = torch
        self.env = {"torch": torch}
        self.prog = []
        self.count = 0
        self.length = length or self.rng.randint(4, 18)

    # ---- live state -------------------------------------------------------------------
    def fresh(self):
        name = f"t{self.count}"
        self.count += 1
        return name

    def run_live(self, code):
        try:
            exec(compile(code, "<gen>", "exec"), self.env)
            return True
        except Exception:
            return False

    def replay(self):
        self.env = {"torch": self.torch}
        for s in self.prog:
            self.run_live(s.code)

    # ---- statement builders: each returns (kind, code, defines) or None ----------------
    def leaf(self):
        r = self.rng
        dtype = r.choices(DTYPES, [4, 3, 2, 2])[0]
        shape = self.rand_shape()
        grad = dtype in FLOATS and r.random() < 0.6
        name = self.fresh()
        c = r.random()
        if c < 0.55:
            return "leaf.tensor", f"{name} = {self.literal(shape, dtype, grad)}", (name,)
        if c < 0.75 and dtype != "torch.bool":
            n = math.prod(shape)
            code = f"{name} = torch.arange({n}, dtype={dtype}).reshape({shape_text(shape)})"
            return "leaf.arange_view", code + (".requires_grad_()" if grad else ""), (name,)
        if c < 0.88:
            v = self.scalar(dtype)
            kw = ", requires_grad=True" if grad else ""
            return "leaf.full", f"{name} = torch.full({shape_text(shape)}, {v}, dtype={dtype}{kw})", (name,)
        lit = self.literal(shape, dtype)
        return "leaf.requires_grad_", f"{name} = {lit}.requires_grad_({grad})", (name,)

    UNARY = ["exp", "sigmoid", "tanh", "sin", "relu", "abs", "neg", "sqrt", "log", "square",
             "reciprocal", "clone", "contiguous", "sum", "mean", "amax", "float", "double",
             "long", "bool", "detach"]
    BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "matmul", "dot",
              "mm", "bmm", "eq", "lt", "where", "logical_and", "atan2"]

    def compute(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        name = self.fresh()
        nd = len(self.shape(a))
        if r.random() < 0.5:
            op = r.choice(self.UNARY + ["mul_scalar", "add_scalar", "pow_scalar", "sum_dim",
                                        "cumsum", "softmax", "to", "data"])
            d = r.randint(-nd, nd - 1) if nd else 0
            code = {
                "mul_scalar": f"{a} * {self.scalar_mix(self.dt(a))}",
                "add_scalar": f"{a} + {self.scalar_mix(self.dt(a))}",
                "pow_scalar": f"{a} ** {r.choice(['2', '3', '0.5', '-1', '2.0'])}",
                "sum_dim": f"{a}.sum({d})",
                "cumsum": f"{a}.cumsum({d})",
                "softmax": f"{a}.softmax({d})",
                "to": f"{a}.to({r.choice(DTYPES)})",
                "data": f"{a}.data",
            }.get(op, f"{a}.{op}()")
            return f"op.{op}", f"{name} = {code}", (name,)
        op = r.choice(self.BINARY)
        b = self.operand(a, self.dt(a), tensor_only=op in ("matmul", "dot", "mm", "bmm", "where", "atan2"))
        if op == "where":
            return "op.where", f"{name} = torch.where({self.mask(self.shape(a))}, {a}, {b})", (name,)
        return f"op.{op}", f"{name} = torch.{op}({a}, {b})", (name,)

    def reshape_target(self, shape):
        r = self.rng
        n = math.prod(shape)
        if r.random() < 0.2:
            return "(-1,)"
        divisors = [d for d in range(1, 5) if n % d == 0] if n else [0, 1, 2]
        out = []
        rest = n
        for _ in range(r.randint(0, 2)):
            d = r.choice([d for d in divisors if (rest % d == 0 if d else True)] or [1])
            out.append(d)
            rest = rest // d if d else rest
        if n:
            out.append(rest)
        if out and r.random() < 0.2:
            out[r.randrange(len(out))] = -1
        return shape_text(tuple(out))

    def view(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        shape = self.shape(a)
        nd = len(shape)
        name = self.fresh()

        def dim():
            return r.randint(-nd, nd - 1) if nd else r.choice([0, -1])

        def size(d):
            return shape[d] if nd else 1

        kinds = ["view", "reshape", "t", "transpose", "permute", "expand", "select", "narrow",
                 "slice", "diagonal", "unsqueeze", "squeeze", "unbind", "split", "chunk",
                 "as_strided", "index", "flatten", "unflatten", "mT", "view_as", "expand_as",
                 "swapaxes", "unbind2", "detach", "data"]
        k = r.choice(kinds)
        if k in ("view", "reshape"):
            code = f"{a}.{k}{self.reshape_target(shape)}"
        elif k == "t":
            code = f"{a}.t()" if r.random() < 0.7 else f"{a}.T"
        elif k in ("transpose", "swapaxes"):
            code = f"{a}.{k}({dim()}, {dim()})"
        elif k == "permute":
            p = list(range(nd))
            r.shuffle(p)
            code = f"{a}.permute{shape_text(tuple(p))}"
        elif k == "expand":
            new = [r.randint(1, 3) if s == 1 else (s if r.random() < 0.8 else -1) for s in shape]
            if r.random() < 0.4:
                new = [r.randint(0, 3)] + new
            code = f"{a}.expand{shape_text(tuple(new))}"
        elif k == "select":
            d = dim()
            s = size(d)
            code = f"{a}.select({d}, {r.randint(-s, s - 1) if s else 0})"
        elif k == "narrow":
            d = dim()
            s = size(d)
            start = r.randint(0, s)
            code = f"{a}.narrow({d}, {start}, {r.randint(0, s - start)})"
        elif k == "slice":
            code = f"{a}[{self.basic_index(shape)}]"
        elif k == "diagonal":
            code = f"{a}.diagonal({r.randint(-2, 2)}, {dim()}, {dim()})" if r.random() < 0.6 else f"{a}.diagonal()"
        elif k == "unsqueeze":
            code = f"{a}.unsqueeze({r.randint(-nd - 1, nd)})"
        elif k == "squeeze":
            code = f"{a}.squeeze({dim()})" if r.random() < 0.6 else f"{a}.squeeze()"
        elif k in ("unbind", "split", "chunk"):
            d = dim()
            s = size(d)
            arg = {"unbind": f"{d}", "split": f"{r.randint(1, 3)}, {d}", "chunk": f"{r.randint(1, 3)}, {d}"}[k]
            code = f"{a}.{k}({arg})[{r.randint(0, max(s - 1, 0)) if k == 'unbind' else 0}]"
            if k != "unbind" and r.random() < 0.5:
                code = f"{a}.{k}({arg})[-1]"
        elif k == "unbind2":
            if not nd or shape[0] != 2:
                return None
            other = self.fresh()
            return "view.unbind", f"{name}, {other} = {a}.unbind(0)", (name, other)
        elif k == "as_strided":
            x = self.env[a]
            total = x.untyped_storage().nbytes() // max(x.element_size(), 1)
            if total == 0:
                return None
            sz = tuple(r.randint(0, 3) for _ in range(r.randint(0, 2)))
            st = tuple(r.randint(0, 2) for _ in sz)
            span = sum((s - 1) * t for s, t in zip(sz, st) if s)
            off = r.randint(0, max(total - 1 - span, 0))
            code = f"{a}.as_strided({shape_text(sz)}, {shape_text(st)}, {off})"
        elif k == "index":
            kind, idx = self.index(a)
            return f"index.{kind}", f"{name} = {a}[{idx}]", (name,)
        elif k == "flatten":
            code = f"{a}.flatten()" if r.random() < 0.5 else f"{a}.flatten({dim()})"
        elif k == "unflatten":
            if not nd:
                return None
            d = dim()
            s = size(d)
            parts = (1, s) if r.random() < 0.5 else ((2, s // 2) if s % 2 == 0 else (s, 1))
            code = f"{a}.unflatten({d}, {shape_text(parts)})"
        elif k == "mT":
            code = f"{a}.mT"
        elif k in ("view_as", "expand_as"):
            b = self.pick()
            code = f"{a}.{k}({b})"
        elif k == "detach":
            code = f"{a}.detach()"
        else:
            code = f"{a}.data"
        return f"view.{k}", f"{name} = {code}", (name,)

    def basic_index(self, shape):
        r = self.rng
        parts = []
        for s in shape[: r.randint(0, len(shape))]:
            k, text = self.component(s)
            if k in ("long", "list"):
                text = ":"
            parts.append(text)
        if r.random() < 0.2:
            parts.insert(r.randint(0, len(parts)), "...")
        if not parts:
            parts = [r.choice([":", "...", "None"])]
        return ", ".join(parts)

    INPLACE_UNARY = ["relu_", "sigmoid_", "exp_", "tanh_", "neg_", "abs_", "sqrt_", "log_",
                     "sin_", "floor_", "round_", "trunc_", "sign_", "square_", "reciprocal_",
                     "zero_", "bitwise_not_", "t_", "squeeze_", "unsqueeze_", "transpose_"]
    INPLACE_VALUE = ["add_", "sub_", "mul_", "div_", "pow_", "copy_", "fill_", "clamp_",
                     "clamp_min_", "clamp_max_", "remainder_", "fmod_", "lerp_", "addcmul_",
                     "addcdiv_", "masked_fill_", "masked_scatter_", "floor_divide_",
                     "bitwise_and_", "bitwise_or_", "atan2_"]
    INDEX_OPS = ["index_add_", "index_copy_", "index_fill_", "index_put_", "scatter_",
                 "scatter_value", "scatter_add_", "scatter_reduce_", "as_strided_"]
    AUG = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^="]

    def inplace(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        shape = self.shape(a)
        nd = len(shape)
        like = self.dt(a)
        group = r.choices(["unary", "value", "index", "aug", "out"], [3, 6, 4, 3, 1])[0]
        if group == "unary":
            op = r.choice(self.INPLACE_UNARY)
            arg = ""
            if op in ("squeeze_", "unsqueeze_"):
                arg = str(r.randint(-nd, nd - 1) if nd else 0)
            if op == "transpose_":
                arg = f"{r.randint(-nd, nd - 1) if nd else 0}, {r.randint(-nd, nd - 1) if nd else 0}"
            return f"inplace.{op}", f"{a}.{op}({arg})", ()
        if group == "aug":
            op = r.choice(self.AUG)
            return f"aug.{op}", f"{a} {op} {self.operand(a, like)}", ()
        if group == "out":
            out = self.pick()
            op = r.choice(["add", "mul", "exp", "sigmoid"])
            args = f"{a}, {self.operand(a, like)}" if op in ("add", "mul") else a
            return f"out.{op}", f"torch.{op}({args}, out={out})", ()
        if group == "value":
            op = r.choice(self.INPLACE_VALUE)
            v = self.operand(a, like)
            args = {
                "add_": f"{v}" + (f", alpha={self.scalar_mix(like)}" if r.random() < 0.2 else ""),
                "sub_": f"{v}" + (f", alpha={self.scalar_mix(like)}" if r.random() < 0.2 else ""),
                "copy_": self.operand(a, like, tensor_only=True),
                "fill_": self.scalar_mix(like) if r.random() < 0.6 else self.literal((), self.dtype(like), r.random() < 0.3),
                "clamp_": r.choice([f"{self.scalar_mix(like)}, {self.scalar_mix(like)}",
                                    f"min={self.scalar_mix(like)}", f"max={v}"]),
                "lerp_": f"{self.operand(a, like, True)}, {self.scalar_mix(like)}",
                "addcmul_": f"{self.operand(a, like, True)}, {self.operand(a, like, True)}, value={self.scalar_mix(like)}",
                "addcdiv_": f"{self.operand(a, like, True)}, {self.operand(a, like, True)}",
                "masked_fill_": f"{self.mask(self.broadcast_shape(shape))}, {v if r.random() < 0.5 else self.scalar_mix(like)}",
                "masked_scatter_": f"{self.mask(shape)}, {self.operand(a, like, True)}",
            }.get(op, v)
            return f"inplace.{op}", f"{a}.{op}({args})", ()
        op = r.choice(self.INDEX_OPS)
        d = r.randint(-nd, nd - 1) if nd else 0
        s = shape[d] if nd else 1
        if op == "as_strided_":
            x = self.env[a]
            sz = tuple(r.randint(0, 2) for _ in range(r.randint(0, 2)))
            return "inplace.as_strided_", f"{a}.as_strided_({shape_text(sz)}, {shape_text(tuple(1 for _ in sz))}, {r.randint(0, max(x.numel() - 2, 0))})", ()
        if op in ("index_add_", "index_copy_", "index_fill_"):
            n = r.randint(0, 3) if r.random() < 0.9 else r.randint(1, 2)
            idx = self.index_tensor(s, n)
            if op == "index_fill_":
                v = self.scalar_mix(like) if r.random() < 0.6 else self.literal((), self.dtype(like), r.random() < 0.4)
                return f"inplace.{op}", f"{a}.{op}({d}, {idx}, {v})", ()
            src_shape = list(shape) if nd else []
            if nd:
                src_shape[d] = n if r.random() < 0.9 else n + 1
            src = self.literal(tuple(src_shape), self.dtype(like), r.random() < 0.3)
            alpha = f", alpha={self.scalar_mix(like)}" if op == "index_add_" and r.random() < 0.3 else ""
            return f"inplace.{op}", f"{a}.{op}({d}, {idx}, {src}{alpha})", ()
        if op == "index_put_":
            idx = self.index_tensor(shape[0] if nd else 1)
            acc = r.choice(["", ", accumulate=True", ", accumulate=False"])
            return "inplace.index_put_", f"{a}.index_put_(({idx},), {self.operand(a, like)}{acc})", ()
        ishape = tuple(r.randint(0, x) for x in shape)
        idx = self.index_tensor(s, shape=ishape) if nd else "torch.tensor(0)"
        if op == "scatter_value":
            return "inplace.scatter_value", f"{a}.scatter_({d}, {idx}, {self.scalar_mix(like)})", ()
        src = self.literal(shape if r.random() < 0.5 else ishape, self.dtype(like), r.random() < 0.3)
        if op == "scatter_reduce_":
            red = r.choice(["sum", "prod", "mean", "amax", "amin"])
            return "inplace.scatter_reduce_", f"{a}.scatter_reduce_({d}, {idx}, {src}, {red!r}, include_self={r.random() < 0.5})", ()
        return f"inplace.{op}", f"{a}.{op}({d}, {idx}, {src})", ()

    def setitem(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        kind, idx = self.index(a)
        like = self.dt(a)
        aug = r.random() < 0.15
        if r.random() < 0.5:
            try:
                target = tuple(eval(f"{a}[{idx}]", self.env).shape)
            except Exception:
                target = self.shape(a)
            shp = self.broadcast_shape(target) if r.random() < 0.3 else target
            dtype = self.dtype(like)
            v = self.literal(shp, dtype, dtype in FLOATS and r.random() < 0.2)
        else:
            v = self.operand(a, like)
        if aug:
            return f"setitem.aug_{kind}", f"{a}[{idx}] {r.choice(['+=', '*=', '-='])} {v}", ()
        return f"setitem.{kind}", f"{a}[{idx}] = {v}", ()

    def flag(self):
        r = self.rng
        a = self.pick()
        if a is None:
            return None
        k = r.choice(["requires_grad_", "requires_grad_false", "detach_", "retain_grad", "grad_none"])
        if k == "requires_grad_":
            return "flag.requires_grad_", f"{a}.requires_grad_()", ()
        if k == "requires_grad_false":
            return "flag.requires_grad_false", f"{a}.requires_grad_(False)", ()
        if k == "grad_none":
            return "flag.grad_none", f"{a}.grad = None", ()
        return f"flag.{k}", f"{a}.{k}()", ()

    def backward(self):
        r = self.rng
        a = self.pick(lambda x: x.requires_grad) if r.random() < 0.9 else self.pick()
        if a is None:
            return None
        retain = ", retain_graph=True" if r.random() < 0.4 else ""
        k = r.choice(["sum", "ones", "scalar", "weighted"])
        if k == "sum":
            return "backward.sum", f"{a}.sum().backward({retain.lstrip(', ')})", ()
        if k == "ones":
            return "backward.ones", f"{a}.backward(torch.ones_like({a}){retain})", ()
        if k == "scalar":
            return "backward.scalar", f"{a}.backward({retain.lstrip(', ')})", ()
        w = self.literal(self.shape(a), self.rng.choice(FLOATS))
        return "backward.weighted", f"({a} * {w}).sum().backward({retain.lstrip(', ')})", ()

    def nograd(self):
        inner = self.rng.choice([self.view, self.inplace, self.setitem, self.compute])()
        if inner is None:
            return None
        kind, code, defines = inner
        return f"nograd.{kind}", "with torch.no_grad():\n    " + code, defines

    BUILDERS = [("leaf", 3), ("compute", 5), ("view", 9), ("inplace", 9), ("setitem", 5),
                ("flag", 2), ("nograd", 3), ("backward", 2)]

    # ---- driver -------------------------------------------------------------------------
    def add(self, builder):
        for _ in range(6):
            count = self.count
            built = builder()
            if built is None:
                self.count = count
                continue
            kind, code, defines = built
            ok = self.run_live(code)
            if ok or self.rng.random() < KEEP_ERROR:
                self.prog.append(Stmt.make(kind, code, defines))
                return True
            self.count = count
            self.replay()  # a statement that raised may have written part of its target
        return False

    def build(self):
        names, weights = zip(*self.BUILDERS)
        for _ in range(self.rng.randint(1, 2)):
            self.add(self.leaf)
        while len(self.prog) < self.length:
            self.add(getattr(self, self.rng.choices(names, weights)[0]))
        if self.rng.random() < 0.6:
            self.add(self.backward)
        return self.prog


def generate(seed, torch=None):
    """The program for one seed: a list of ir.Stmt."""
    if torch is None:
        import torch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prev = torch.is_grad_enabled()
        try:
            return Gen(seed, torch).build()
        finally:
            torch.set_grad_enabled(prev)
