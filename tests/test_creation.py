"""Factories and conversions, differentially: dtypes, shapes, strides, sharing, versions.

Random factories cannot match PyTorch's values (mutograd has its own generator), so they
are compared on everything else and checked for reproducibility under ``manual_seed``.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised
from conftest import requires_torch
from op_db import check_both

import mutograd

# --- tensor() and dtype inference ------------------------------------------------------------

TENSOR_DATA = {
    "ints": [1, 2, 3],
    "floats": [1.0, 2.5],
    "mixed_int_float": [1, 2.5],
    "bools": [True, False],
    "bool_int": [True, 2],
    "nested": [[1, 2], [3, 4]],
    "nested_mixed": [[1, 2.0], [3, 4]],
    "scalar_int": 7,
    "scalar_float": 2.5,
    "scalar_bool": False,
    "empty": [],
    "empty_nested": [[], []],
    "tuple": (1.0, 2.0),
    "numpy_f64": np.arange(3, dtype=np.float64),
    "numpy_i32": np.arange(3, dtype=np.int32),
    "numpy_bool": np.array([True, False]),
    "numpy_0d": np.array(1.5, dtype=np.float32),
    "numpy_scalar": np.float64(2.0),
    "list_of_numpy_scalars": [np.float32(1.0), np.float32(2.0)],
}


@requires_torch
@pytest.mark.parametrize("name", list(TENSOR_DATA))
def test_tensor_infers_dtype(name):
    data = TENSOR_DATA[name]

    def program(T):
        t = T.tensor(data)
        return [t, t.dtype, t.stride(), t.is_leaf, t.requires_grad]

    check_both(program)


@requires_torch
@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_tensor_with_dtype(dtype):
    def program(T):
        return T.tensor([[0, 1], [2, 3]], dtype=getattr(T, dtype))

    check_both(program)


@requires_torch
@pytest.mark.parametrize(
    "data",
    [[[1, 2], [3]], [1, [2]], "abc", [1, "a"]],
    ids=["ragged", "ragged_scalar", "string", "mixed_string"],
)
def test_tensor_bad_data(data):
    def program(T):
        return T.tensor(data)

    check_both(program)


@requires_torch
def test_tensor_copies_numpy_and_tensors():
    def program(T):
        a = np.arange(4.0)
        t = T.tensor(a)
        a[0] = 100.0
        source = T.ones(2, requires_grad=True)
        copy = T.tensor(source)  # warns, as PyTorch
        return [t, copy, copy.requires_grad, copy.data_ptr() == source.data_ptr()]

    check_both(program)


@requires_torch
def test_requires_grad_only_for_floating():
    def program(T):
        return [T.tensor([1.0], requires_grad=True), T.tensor([1], requires_grad=True)]

    check_both(program)


# --- as_tensor / from_numpy share memory -------------------------------------------------------


@requires_torch
def test_from_numpy_shares_memory_both_ways():
    def program(T):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        t = T.from_numpy(a)
        a[0, 0] = 10.0
        t[1, 1] = 20.0
        return [t, float(a[1, 1]), t._version, t.stride(), t.dtype]

    check_both(program)


@requires_torch
def test_from_numpy_keeps_strides():
    def program(T):
        a = np.arange(12, dtype=np.int64).reshape(3, 4)
        t = T.from_numpy(a.T)
        return [t, t.stride(), t.is_contiguous(), T.from_numpy(a[:, ::2]).stride()]

    check_both(program)


@requires_torch
@pytest.mark.parametrize(
    "array",
    [np.arange(3)[::-1], np.array([1 + 2j]), np.array(["a"]), [1, 2]],
    ids=["negative_stride", "complex_unsupported_in_mutograd", "strings", "list"],
)
def test_from_numpy_errors(array):
    if array.dtype.kind == "c" if isinstance(array, np.ndarray) else False:
        pytest.skip("mutograd has no complex dtypes")

    def program(T):
        return T.from_numpy(array)

    check_both(program)


@requires_torch
def test_as_tensor_shares_when_it_can():
    def program(T):
        a = np.arange(3, dtype=np.float32)
        same = T.as_tensor(a)
        converted = T.as_tensor(a, dtype=T.float64)
        a[0] = 5.0
        t = T.ones(2)
        return [same, converted, T.as_tensor(t) is t, T.as_tensor([1, 2]), T.as_tensor(2.5)]

    check_both(program)


# --- factories ---------------------------------------------------------------------------------

FACTORIES = {
    "zeros": lambda T: T.zeros(2, 3),
    "zeros_tuple": lambda T: T.zeros((2, 3)),
    "zeros_list": lambda T: T.zeros([2, 0, 3]),
    "zeros_scalar_shape": lambda T: T.zeros(()),
    "zeros_dtype": lambda T: T.zeros(2, dtype=T.int32),
    "ones": lambda T: T.ones(3, dtype=T.float64),
    "ones_bool": lambda T: T.ones(2, 2, dtype=T.bool),
    "full_int": lambda T: T.full((2, 2), 7),
    "full_float": lambda T: T.full((2,), 1.5),
    "full_bool": lambda T: T.full((2,), True),
    "full_dtype": lambda T: T.full((2,), 3, dtype=T.float32),
    "empty_shape": lambda T: T.empty(2, 3).shape,
    "empty_dtype": lambda T: [T.empty(4, dtype=T.int64).dtype, T.empty(4).stride()],
    "arange_int": lambda T: T.arange(5),
    "arange_start_end": lambda T: T.arange(2, 7),
    "arange_step": lambda T: T.arange(1, 10, 3),
    "arange_negative_step": lambda T: T.arange(5, 0, -2),
    "arange_float": lambda T: T.arange(0, 1, 0.25),
    "arange_float_end": lambda T: T.arange(2.5),
    "arange_dtype": lambda T: T.arange(4, dtype=T.float64),
    "arange_empty": lambda T: T.arange(3, 3),
    "linspace": lambda T: T.linspace(0, 1, 5),
    "linspace_one": lambda T: T.linspace(2, 3, 1),
    "linspace_zero": lambda T: T.linspace(0, 1, 0),
    "linspace_dtype": lambda T: T.linspace(-1, 1, 4, dtype=T.float64),
    "linspace_descending": lambda T: T.linspace(1, -1, 3),
    "eye": lambda T: T.eye(3),
    "eye_rect": lambda T: T.eye(2, 4),
    "eye_dtype": lambda T: T.eye(2, dtype=T.int64),
    "zeros_like": lambda T: T.zeros_like(T.ones(2, 3, dtype=T.int32)),
    "zeros_like_dtype": lambda T: T.zeros_like(T.ones(2, 3), dtype=T.float64),
    "ones_like_transposed": lambda T: T.ones_like(T.zeros(2, 3).t()),
    "ones_like_strided": lambda T: T.ones_like(T.zeros(4, 6)[:, ::2]),
    "full_like": lambda T: T.full_like(T.zeros(2, dtype=T.int64), 3),
    "empty_like": lambda T: T.empty_like(T.zeros(3, 2).t()).stride(),
    "rand_like": lambda T: [T.rand_like(T.zeros(2, 3)).shape, T.rand_like(T.zeros(2)).dtype],
    "randn_like": lambda T: T.randn_like(T.zeros(2, dtype=T.float64)).dtype,
    "requires_grad": lambda T: T.zeros(2, requires_grad=True),
    "legacy_constructor": lambda T: [
        T.Tensor(),
        T.Tensor((2, 3)),
        T.Tensor([[1, 2]]),
        T.Tensor(2, 3).shape,
        T.Tensor(2, 3).dtype,
    ],
    "zeros_empty_strides": lambda T: [
        T.zeros(3, 0, 2).stride(),
        T.zeros(0, 3)[:, 1:].storage_offset(),
    ],
}


@requires_torch
@pytest.mark.parametrize("name", list(FACTORIES))
def test_factory(name):
    check_both(FACTORIES[name])


FACTORY_ERRORS = {
    "negative_size": lambda T: T.zeros(2, -1),
    "float_size": lambda T: T.zeros(2.5),
    "int_requires_grad": lambda T: T.zeros(2, dtype=T.int64, requires_grad=True),
    "arange_zero_step": lambda T: T.arange(0, 3, 0),
    "arange_wrong_sign": lambda T: T.arange(0, 3, -1),
    "linspace_negative": lambda T: T.linspace(0, 1, -1),
    "randint_bad_range": lambda T: T.randint(3, 3, (2,)),
}


@requires_torch
@pytest.mark.parametrize("name", list(FACTORY_ERRORS))
def test_factory_error(name):
    def program(T):
        try:
            FACTORY_ERRORS[name](T)
        except Exception as exc:  # noqa: BLE001
            return Raised(exc)
        return None

    _, expected = check_both(program)
    assert isinstance(expected, Raised)


# --- random factories ---------------------------------------------------------------------------

RANDOM = {
    "rand": lambda T: T.rand(3, 4),
    "rand_tuple": lambda T: T.rand((2, 2), dtype=T.float64),
    "randn": lambda T: T.randn(2, 3),
    "randint_high": lambda T: T.randint(5, (4, 3)),
    "randint_range": lambda T: T.randint(-3, 3, (10,)),
    "randint_dtype": lambda T: T.randint(0, 2, (3,), dtype=T.int32),
    "randperm": lambda T: T.randperm(6),
}


@requires_torch
@pytest.mark.parametrize("name", list(RANDOM))
def test_random_factory_metadata(name):
    def program(T):
        t = RANDOM[name](T)
        return [t.dtype, tuple(t.shape), t.stride(), t.requires_grad, t.is_leaf]

    check_both(program)


def test_random_ranges():
    mutograd.manual_seed(0)
    u = mutograd.rand(1000)
    assert float(u.min()) >= 0.0 and float(u.max()) < 1.0
    r = mutograd.randint(-3, 3, (1000,))
    assert int(r.min()) >= -3 and int(r.max()) < 3 and set(r.tolist()) == set(range(-3, 3))
    assert sorted(mutograd.randperm(7).tolist()) == list(range(7))
    n = mutograd.randn(20000, dtype=mutograd.float64)
    assert abs(float(n.mean())) < 0.05 and abs(float(n.std()) - 1.0) < 0.05


def test_manual_seed_reproduces():
    mutograd.manual_seed(123)
    first = [mutograd.rand(3), mutograd.randn(2), mutograd.randint(10, (4,))]
    mutograd.manual_seed(123)
    second = [mutograd.rand(3), mutograd.randn(2), mutograd.randint(10, (4,))]
    for a, b in zip(first, second, strict=True):
        assert a.tolist() == b.tolist()
    mutograd.manual_seed(124)
    assert mutograd.rand(3).tolist() != first[0].tolist()


def test_generator_streams_are_independent():
    g = mutograd.Generator().manual_seed(5)
    a = mutograd.rand(3, generator=g)
    mutograd.manual_seed(5)
    b = mutograd.rand(3)
    assert a.tolist() == b.tolist()


# --- conversion ------------------------------------------------------------------------------------

CONVERSIONS = {
    "tolist": lambda T: T.tensor([[1.5, 2.0], [3.0, 4.0]]).tolist(),
    "tolist_int": lambda T: T.arange(3).tolist(),
    "tolist_0d": lambda T: T.tensor(2.5).tolist(),
    "item_float": lambda T: T.tensor([2.5]).item(),
    "item_int": lambda T: T.tensor([[7]]).item(),
    "item_bool": lambda T: T.tensor(True).item(),
    "float_of": lambda T: float(T.tensor(1.25)),
    "int_of": lambda T: int(T.tensor(3.9)),
    "bool_of": lambda T: bool(T.tensor([0.0])),
    "to_float64": lambda T: T.tensor([1.5]).to(T.float64),
    "to_same_is_self": lambda T: (lambda t: t.to(T.float32) is t)(T.ones(2)),
    "to_copy_flag": lambda T: (lambda t: t.to(T.float32, copy=True) is t)(T.ones(2)),
    "to_other_tensor": lambda T: T.ones(2).to(T.zeros(1, dtype=T.int64)),
    "float": lambda T: T.tensor([1, 2]).float(),
    "double": lambda T: T.tensor([1, 2]).double(),
    "long": lambda T: T.tensor([1.7, -1.7]).long(),
    "int": lambda T: T.tensor([1.7, -1.7]).int(),
    "bool": lambda T: T.tensor([0.0, 0.5]).bool(),
    "half": lambda T: T.tensor([1.0, 2.5]).half(),
    "to_keeps_layout": lambda T: T.zeros(2, 3).t().double().stride(),
    "clone": lambda T: (lambda t: [t.clone(), t.clone().data_ptr() != t.data_ptr()])(T.ones(2)),
    "contiguous_is_self": lambda T: (lambda t: t.contiguous() is t)(T.ones(2, 3)),
    "contiguous_copy": lambda T: (
        lambda t: [t.contiguous().stride(), t.contiguous().is_contiguous()]
    )(T.ones(2, 3).t()),
    "type_name": lambda T: [T.ones(1).type(), T.ones(1, dtype=T.int64).type()],
    "type_convert": lambda T: T.ones(2).type(T.int32),
    "element_size": lambda T: [T.ones(1, dtype=T.float64).element_size(), T.ones(1).nelement()],
}


@requires_torch
@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_conversion(name):
    check_both(CONVERSIONS[name])


CONVERSION_ERRORS = {
    "item_many": lambda T: T.ones(2).item(),
    "bool_many": lambda T: bool(T.ones(2)),
    "numpy_requires_grad": lambda T: T.ones(2, requires_grad=True).numpy(),
    "len_0d": lambda T: len(T.tensor(1.0)),
    "iter_0d": lambda T: iter(T.tensor(1.0)),
    "index_float": lambda T: [1, 2][T.tensor(1.0)],
}


@requires_torch
@pytest.mark.parametrize("name", list(CONVERSION_ERRORS))
def test_conversion_error(name):
    def program(T):
        try:
            CONVERSION_ERRORS[name](T)
        except Exception as exc:  # noqa: BLE001
            return Raised(exc)
        return None

    _, expected = check_both(program)
    assert isinstance(expected, Raised)


@requires_torch
def test_numpy_shares_memory_and_force():
    def program(T):
        t = T.ones(2, 2)
        a = t.numpy()
        a[0, 0] = 3.0
        x = T.ones(2, requires_grad=True)
        forced = x.numpy(force=True)
        return [t, t._version, forced.tolist(), a.dtype.name]

    check_both(program)


@requires_torch
def test_to_records_grad():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.double()
        (y * y).sum().backward()
        return [y, x.grad]

    check_both(program)


@requires_torch
def test_detach_and_data():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        data = x.data
        d.add_(1)
        v_after_detach = x._version
        data.add_(1)
        return [
            x,
            v_after_detach,
            x._version,
            d._version,
            data._version,
            data.requires_grad,
            d.data_ptr() == x.data_ptr(),
            data.data_ptr() == x.data_ptr(),
        ]

    check_both(program)
