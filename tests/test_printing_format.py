"""Differential tests: mutograd._printing.format_tensor against repr() of real torch tensors."""

import contextlib
import importlib.util
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

# Load the file directly: the printing module must stay testable even while the rest of the
# package (mutograd/__init__) is broken or half-written.
_PATH = Path(__file__).resolve().parents[1] / "src" / "mutograd" / "_printing.py"
_spec = importlib.util.spec_from_file_location("_mutograd_printing_under_test", _PATH)
assert _spec is not None and _spec.loader is not None
printing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(printing)
format_tensor = printing.format_tensor


@contextlib.contextmanager
def both_printoptions(**kwargs: Any) -> Iterator[None]:
    """Apply the same print options to torch and to our module, restoring defaults after."""
    torch.set_printoptions(**kwargs)
    printing.set_printoptions(**kwargs)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        printing.set_printoptions(profile="default")


def to_torch(arr: np.ndarray) -> "torch.Tensor":
    return torch.from_numpy(np.array(arr, copy=True))


def assert_same(arr: np.ndarray, **kwargs: Any) -> None:
    expected = repr(to_torch(arr))
    got = format_tensor(arr, arr.dtype.name, **kwargs)
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"


# --- hand-picked hard cases ------------------------------------------------------------

F32, F64 = np.float32, np.float64
rng = np.random.default_rng(0)
HARD_CASES = {
    "int_valued_float": np.array([1.0, 2.0], F32),
    "mixed_magnitudes_sci": np.array([1e-5, 1.0, 1e5], F32),
    "ratio_just_over_1000": np.array([1.0, 1000.5], F64),
    "big_1e8": np.array([1e8, 1.0], F32),
    "big_int_valued_1e9": np.array([1e9, 2.0, 3.0], F64),
    "tiny": np.array([1e-5, 2e-5], F32),
    "denormal_f64": np.array([5e-324, 1.0], F64),
    "denormal_f32": np.array([1e-45, -1e-40], F32),
    "huge_ratio_overflow": np.array([1e300, 1e-300], F64),
    "negative_zero": np.array([-0.0, 0.0, 1.5], F32),
    "only_negative_zero": np.array([-0.0], F32),
    "nan_inf": np.array([np.nan, np.inf, -np.inf, 1.25, 0.0], F32),
    "nan_inf_int_mode": np.array([np.nan, np.inf, -np.inf, 3.0], F64),
    "all_nan": np.array([np.nan, np.nan], F32),
    "zeros": np.zeros(5, F32),
    "negatives": np.array([-1.5, 2.25, -300.125], F32),
    "large_ints": np.array([2**62, -(2**63), 7], np.int64),
    "int32": np.array([1, -20, 300], np.int32),
    "int16": np.array([[1, -2], [3, 4]], np.int16),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 255], np.uint8),
    "float16": np.array([0.1, 1000.0, 65504.0], np.float16),
    "float16_tiny": np.array([1e-7, 1.0], np.float16),
    "bool": np.array([True, False]),
    "bool_all_true": np.array([[True], [True]]),
    "wide_2d": rng.standard_normal((3, 40)).astype(F32),
    "wide_1d_sci": (rng.standard_normal(60) * 1e6).astype(F64),
    "3d": rng.standard_normal((2, 3, 4)).astype(F32),
    "4d": rng.integers(-50, 50, (2, 2, 3, 2)),
    "summarized_1d": np.arange(2000, dtype=F32),
    "summarized_1d_int": np.arange(-1000, 1001),
    "summarized_2d": rng.standard_normal((100, 100)).astype(F32),
    "summarized_3d": rng.standard_normal((11, 10, 12)).astype(F64),
    "summarized_2d_bool": rng.random((40, 40)) > 0.5,
    "scalar_f32": np.array(3.14159, F32),
    "scalar_int": np.array(-7),
    "scalar_bool": np.array(True),
    "scalar_nan": np.array(np.nan, F64),
    "scalar_sci": np.array(1e-8, F32),
    "empty_1d_f32": np.zeros((0,), F32),
    "empty_1d_f64": np.zeros((0,), F64),
    "empty_1d_i64": np.zeros((0,), np.int64),
    "empty_1d_bool": np.zeros((0,), bool),
    "empty_0x3": np.zeros((0, 3), F32),
    "empty_2x0x4_int32": np.zeros((2, 0, 4), np.int32),
    "complex64": np.array([1 + 2j, -0.5 - 0j, 3j], np.complex64),
    "complex128": np.array([[1e-5 + 1j, 2 - 1e5j]], np.complex128),
    "non_contiguous": np.arange(24, dtype=F32).reshape(4, 6)[::2, ::-3],
}


@pytest.mark.parametrize("arr", HARD_CASES.values(), ids=HARD_CASES.keys())
def test_hard_cases(arr: np.ndarray) -> None:
    before = arr.copy()
    assert_same(arr)
    np.testing.assert_array_equal(arr, before)  # input never mutated


OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"linewidth": 40},
    {"linewidth": 1},
    {"threshold": 10, "edgeitems": 2},
    {"threshold": 5, "edgeitems": 0},
    {"threshold": 1, "edgeitems": 1},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 6, "sci_mode": True},
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=str)
@pytest.mark.parametrize("name", ["mixed_magnitudes_sci", "wide_2d", "3d", "summarized_2d",
                                  "summarized_1d_int", "nan_inf", "int_valued_float",
                                  "scalar_f32", "empty_0x3", "complex64", "int32"])  # fmt: skip
def test_printoptions_variants(opts: dict[str, Any], name: str) -> None:
    with both_printoptions(**opts):
        assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
        assert_same(HARD_CASES[name])


def test_options_api() -> None:
    defaults = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
    assert printing.get_printoptions() == {**defaults, "sci_mode": None}
    with printing.printoptions(precision=1, sci_mode=True):
        assert printing.PRINT_OPTS.precision == 1 and printing.PRINT_OPTS.sci_mode is True
        printing.set_printoptions(linewidth=50)  # like torch, this resets sci_mode to None
        assert printing.PRINT_OPTS.sci_mode is None
    assert printing.get_printoptions() == {**defaults, "sci_mode": None}
    with both_printoptions(profile="full"):
        assert printing.PRINT_OPTS.threshold == math.inf


# --- autograd suffixes, prefix and dtype names --------------------------------------------


def test_requires_grad_and_grad_fn() -> None:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    arr = x.detach().numpy()
    assert format_tensor(arr, "float32", requires_grad=True) == repr(x)
    y = x + 5
    assert repr(y) == "tensor([6., 7., 8.], grad_fn=<AddBackward0>)"
    got = format_tensor(y.detach().numpy(), "float32", requires_grad=True,
                        grad_fn_name=type(y.grad_fn).__name__, is_leaf=False)  # fmt: skip
    assert got == repr(y)
    z = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True).sum()
    got = format_tensor(z.detach().numpy(), "float64", grad_fn_name="SumBackward0")
    assert got == repr(z)


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12),
        elements=st.floats(-1e6, 1e6, width=32),
    ),
    grad_fn=st.booleans(),
    linewidth=st.sampled_from([80, 30]),
)
def test_autograd_suffix_wrapping(arr: np.ndarray, grad_fn: bool, linewidth: int) -> None:
    t = to_torch(arr).requires_grad_()
    if grad_fn:
        t = t.clone()  # same values, grad_fn=<CloneBackward0>
    name = type(t.grad_fn).__name__ if grad_fn else None
    with both_printoptions(linewidth=linewidth):
        got = format_tensor(arr, arr.dtype.name, requires_grad=True, grad_fn_name=name)
        assert got == repr(t)


def test_subclass_prefix() -> None:
    class MyTensor(torch.Tensor):
        pass

    arr = np.arange(30, dtype=np.float32).reshape(3, 10) / 7
    t = to_torch(arr).as_subclass(MyTensor)
    assert format_tensor(arr, "float32", prefix="MyTensor(") == repr(t)


def test_extra_suffixes_order() -> None:
    arr = np.array([1, 2], np.int32)
    got = format_tensor(arr, "int32", requires_grad=True, extra_suffixes=("device='cpu'",))
    assert got == "tensor([1, 2], dtype=torch.int32, device='cpu', requires_grad=True)"


def test_format_dtype() -> None:
    for name in ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                 "bool", "complex64", "complex128", "bfloat16"]:  # fmt: skip
        assert printing.format_dtype(name) == str(getattr(torch, name))
    with pytest.raises(ValueError):
        printing.format_dtype("float128")


# --- property-based differential tests ----------------------------------------------------

INTERESTING = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 1e-4, 9.9e-5, 1e3, 1e5, 1e8, 1.5e8, 123456.789,
               np.nan, np.inf, -np.inf, 3.0, -12.0]  # fmt: skip


def float_elements(width: int) -> st.SearchStrategy[float]:
    ftype = np.dtype(f"float{width}").type
    with np.errstate(over="ignore"):  # e.g. 1e8 becomes inf in float16, which is fine
        interesting = [float(ftype(v)) for v in INTERESTING]
    return st.one_of(
        st.floats(width=width),
        st.floats(-1e4, 1e4, width=width),
        st.integers(-1000, 1000).map(lambda i: float(ftype(i))),
        st.sampled_from(interesting),
    )


@st.composite
def any_array(draw: st.DrawFn, max_side: int = 5) -> np.ndarray:
    dtype = draw(st.sampled_from(["float32", "float64", "float16", "int64", "int32", "uint8",
                                  "bool", "complex64"]))  # fmt: skip
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=max_side))
    if dtype.startswith("float"):
        width = {"float16": 16, "float32": 32, "float64": 64}[dtype]
        return draw(hnp.arrays(dtype, shape, elements=float_elements(width)))
    if dtype == "complex64":
        parts = hnp.arrays(np.float32, shape, elements=float_elements(32))
        arr = np.empty(shape, np.complex64)
        arr.real, arr.imag = draw(parts), draw(parts)  # no 1j * inf -> nan surprises
        return arr
    return draw(hnp.arrays(dtype, shape))


@settings(max_examples=300, deadline=None)
@given(arr=any_array())
def test_random_arrays_default_options(arr: np.ndarray) -> None:
    assert_same(arr)


@settings(max_examples=200, deadline=None)
@given(
    arr=any_array(max_side=9),
    precision=st.sampled_from([None, 0, 1, 2, 6]),
    threshold=st.sampled_from([None, 0, 4, 20, 1000]),
    edgeitems=st.sampled_from([None, 0, 1, 2, 4]),
    linewidth=st.sampled_from([None, 10, 40, 120]),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_random_arrays_random_options(arr: np.ndarray, **opts: Any) -> None:
    with both_printoptions(**opts):
        assert_same(arr)
