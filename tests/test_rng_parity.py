"""Same seed, same numbers: mutograd's generator against PyTorch's, side by side.

Every draw is made by both libraries from the same seed and compared bit for
bit (integers, permutations, uniforms and the float32 ``normal_`` fast path),
or to 1 ulp where the values go through a C library's transcendental (NumPy
and PyTorch may link different ones); the generator state bytes must agree
after every draw, so any difference in how many numbers a kernel consumes
shows up at once.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import requires_torch

import mutograd
from mutograd._mt19937 import MT19937, seed_words, temper, twist

pytestmark = requires_torch

SEEDS = [0, 1, 2147483647, 2**40 + 17]
SIZES = [1, 5, 15, 16, 17, 40, 1003]
FLOATS = ["float32", "float64", "float16"]


def _array(t) -> np.ndarray:
    return (
        t.detach().numpy()
        if hasattr(t, "numpy") and not isinstance(t, mutograd.Tensor)
        else (np.asarray(t.detach()._data))
    )


def _ulps(a: np.ndarray, b: np.ndarray) -> int:
    ints = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    ia, ib = a.view(ints).astype(np.int64), b.view(ints).astype(np.int64)
    # NB: NaN/inf must agree exactly; finite values by their distance in ulps
    return int(np.abs(ia - ib).max()) if a.size else 0


def assert_same(expected, actual, ulps: int = 0) -> None:
    a, b = _array(expected), _array(actual)
    assert a.shape == b.shape
    assert a.dtype == b.dtype
    if a.dtype.kind == "f" and ulps:
        assert _ulps(a, b) <= ulps, (a, b)
    else:
        np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8), err_msg=f"{a} != {b}")


def assert_same_state(torch, torch_gen=None, mutograd_gen=None) -> None:
    a = (torch_gen or torch.default_generator).get_state().numpy()
    b = np.asarray((mutograd_gen or mutograd.default_generator).get_state()._data)
    np.testing.assert_array_equal(a, b)


def both(torch, seed: int, draw, ulps: int = 0, generator: bool = False):
    """Seed both libraries, draw(lib, gen) with each, compare values and states."""
    torch.manual_seed(seed)
    mutograd.manual_seed(seed)
    gens = (torch.Generator().manual_seed(seed + 1), mutograd.Generator().manual_seed(seed + 1))
    expected = draw(torch, gens[0] if generator else None)
    actual = draw(mutograd, gens[1] if generator else None)
    assert_same(expected, actual, ulps)
    assert_same_state(torch)
    assert_same_state(torch, gens[0], gens[1])


# --- the engine ------------------------------------------------------------------------


def test_engine_words_match_the_array_twist():
    engine = MT19937(5489)
    words = engine.random(3 * 624 + 11)
    state = seed_words(5489)
    blocks = []
    for _ in range(4):
        state = twist(state)
        blocks.append(state)
    np.testing.assert_array_equal(words, temper(np.concatenate(blocks)[: words.size]))


def test_fused_multiply_add_rounds_once():
    # a * b is exactly 1 + 2**-24, the midpoint between 1 and the next float32:
    # adding +-2**-80 in float64 lands back on the midpoint (a double rounding
    # would then go to even); one rounding must follow the sign of the tiny term
    from mutograd._avx_mathfun import fma32

    a, b = np.float32(24929 / 2**14), np.float32(673 / 2**10)
    out = fma32(np.array([a, a, a]), b, np.array([2.0**-80, -(2.0**-80), 0.0], np.float32))
    np.testing.assert_array_equal(out, np.float32([1 + 2**-23, 1.0, 1.0]))


@pytest.mark.parametrize("seed", [0, 5, 2**32 + 5, 2**64 - 1, -1, -(2**63)])
def test_state_after_manual_seed(torch, seed):
    torch.manual_seed(seed)
    mutograd.manual_seed(seed)
    assert_same_state(torch)
    assert mutograd.initial_seed() == torch.initial_seed()
    g = mutograd.Generator().manual_seed(seed)
    assert g.initial_seed() == torch.Generator().manual_seed(seed).initial_seed()


def test_fresh_generator_is_torchs(torch):
    assert_same_state(torch, torch.Generator(), mutograd.Generator())
    assert mutograd.Generator().initial_seed() == 67280421310721
    assert str(mutograd.Generator().device) == "cpu"


@pytest.mark.parametrize("seed", SEEDS)
def test_state_interchange_both_ways(torch, seed):
    # a state with a cached double normal (randn(3) uses the serial kernel) and a
    # countdown in the middle of the 624 words
    torch.manual_seed(seed)
    torch.randn(3, dtype=torch.float64)
    torch.rand(700)
    saved = torch.get_rng_state()
    mutograd.set_rng_state(mutograd.tensor(saved.numpy()))
    assert_same_state(torch)
    for draw in (lambda t: t.randn(5), lambda t: t.randn(33), lambda t: t.randint(0, 9, (7,))):
        assert_same(draw(torch), draw(mutograd))
    back = torch.Generator()
    back.set_state(torch.from_numpy(np.asarray(mutograd.get_rng_state()._data).copy()))
    assert_same(torch.randn(9, generator=back), mutograd.randn(9))
    assert_same_state(torch, back, mutograd.default_generator)


def test_clone_state_and_offsets(torch):
    tg, mg = torch.Generator().manual_seed(3), mutograd.Generator().manual_seed(3)
    torch.randn(3, generator=tg)
    mutograd.randn(3, generator=mg)
    tc, mc = tg.clone_state(), mg.clone_state()
    assert_same(torch.randn(5, generator=tc), mutograd.randn(5, generator=mc))
    assert_same(torch.randn(5, generator=tg), mutograd.randn(5, generator=mg))
    for call in (lambda g: g.get_offset(), lambda g: g.set_offset(1)):
        with pytest.raises(RuntimeError) as expected:
            call(tg)
        with pytest.raises(RuntimeError) as actual:
            call(mg)
        assert str(actual.value) == str(expected.value)


def test_set_state_errors(torch):
    g = mutograd.Generator()
    for bad, kind in [
        (mutograd.zeros(10, dtype=mutograd.uint8), RuntimeError),
        (mutograd.zeros(5056), TypeError),
        (mutograd.zeros(5056, dtype=mutograd.uint8), RuntimeError),
        ([1, 2], TypeError),
    ]:
        tg = torch.Generator()
        with pytest.raises(kind) as expected:
            tg.set_state(torch.from_numpy(np.asarray(bad._data)) if hasattr(bad, "_data") else bad)
        with pytest.raises(kind) as actual:
            g.set_state(bad)
        assert str(actual.value) == str(expected.value)


def test_manual_seed_errors(torch):
    for bad in (2**64, -(2**63) - 1, 1.5):
        with pytest.raises(Exception) as expected:
            torch.Generator().manual_seed(bad)
        with pytest.raises(type(expected.value)) as actual:
            mutograd.Generator().manual_seed(bad)
        assert str(actual.value) == str(expected.value)
    torch.manual_seed(1.5)
    mutograd.manual_seed(1.5)
    assert mutograd.initial_seed() == torch.initial_seed() == 1


def test_seed_fork_rng_and_rng_state(torch):
    s = mutograd.seed()
    assert 0 <= s < 2**64 and mutograd.initial_seed() == s
    mutograd.manual_seed(3)
    before = mutograd.get_rng_state()
    with mutograd.random.fork_rng():
        mutograd.rand(100)
    assert np.array_equal(mutograd.get_rng_state()._data, before._data)
    with mutograd.random.fork_rng(enabled=False):
        mutograd.rand(1)
    assert not np.array_equal(mutograd.get_rng_state()._data, before._data)


# --- distributions ---------------------------------------------------------------------


def _dt(lib, name):
    return getattr(lib, name)


# (name, draw(lib, gen, n, dtype), ulps): ulps > 0 where a libm transcendental decides
FLOAT_DRAWS = [
    ("rand", lambda t, g, n, d: t.rand(n, dtype=_dt(t, d), generator=g), 0),
    ("randn", lambda t, g, n, d: t.randn(n, dtype=_dt(t, d), generator=g), 1),
    (
        "uniform_",
        lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).uniform_(-2.5, 3.25, generator=g),
        0,
    ),
    ("normal_", lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).normal_(0.3, 1.7, generator=g), 1),
    (
        "exponential_",
        lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).exponential_(2.5, generator=g),
        1,
    ),
    ("geometric_", lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).geometric_(0.3, generator=g), 0),
    ("cauchy_", lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).cauchy_(0.5, 2.0, generator=g), 1),
    (
        "log_normal_",
        lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).log_normal_(0.5, 0.7, generator=g),
        1,
    ),
    (
        "bernoulli_(p)",
        lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).bernoulli_(0.3, generator=g),
        0,
    ),
    ("random_()", lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).random_(generator=g), 0),
    ("random_(to)", lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).random_(100, generator=g), 0),
    (
        "random_(from, to)",
        lambda t, g, n, d: t.empty(n, dtype=_dt(t, d)).random_(-7, 9, generator=g),
        0,
    ),
    ("rand_like", lambda t, g, n, d: t.rand_like(t.zeros(n, dtype=_dt(t, d))), 0),
    ("randn_like", lambda t, g, n, d: t.randn_like(t.zeros(n, dtype=_dt(t, d))), 1),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,draw,ulps", FLOAT_DRAWS, ids=[d[0] for d in FLOAT_DRAWS])
def test_float_distributions(torch, name, draw, ulps, dtype):
    for seed in SEEDS[:2]:
        for n in SIZES:
            for generator in (False, True):
                both(torch, seed, lambda t, g, n=n: draw(t, g, n, dtype), ulps, generator)


def test_float32_normal_fast_path_is_bit_identical(torch):
    # 16+ contiguous float32 elements: PyTorch's AVX2 log/sincos, reproduced exactly
    for seed in SEEDS:
        for n in (16, 31, 4096 + 7, 70_001):
            both(torch, seed, lambda t, g, n=n: t.randn(n, generator=g), 0, True)
            both(
                torch, seed, lambda t, g, n=n: t.empty(n).normal_(-1.5, 0.25, generator=g), 0, True
            )


def test_non_contiguous_fills_go_in_memory_order(torch):
    for dtype in FLOATS:
        for fill in (
            lambda x, g: x.normal_(generator=g),
            lambda x, g: x.uniform_(generator=g),
            lambda x, g: x.exponential_(generator=g),
        ):

            def draw(t, g, fill=fill, dtype=dtype):
                base = t.zeros(6, 9, dtype=_dt(t, dtype))
                fill(base.t(), g)
                fill(base[:, ::2], g)
                return base

            both(torch, 0, draw, 1, True)


INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_random_integer_forms(torch, dtype):
    small = dtype in ("int8", "uint8", "bool")
    for seed in SEEDS[:2]:
        for n in (1, 17, 1003):
            both(
                torch,
                seed,
                lambda t, g, n=n: t.empty(n, dtype=_dt(t, dtype)).random_(generator=g),
                0,
                True,
            )
            both(
                torch,
                seed,
                lambda t, g, n=n: t.empty(n, dtype=_dt(t, dtype)).random_(2, generator=g),
            )
            both(
                torch,
                seed,
                lambda t, g, n=n: t.empty(n, dtype=_dt(t, dtype)).random_(0, None, generator=g),
            )
            both(
                torch,
                seed,
                lambda t, g, n=n: t.empty(n, dtype=_dt(t, dtype)).bernoulli_(0.6, generator=g),
            )
            if not small:
                both(
                    torch,
                    seed,
                    lambda t, g, n=n: t.empty(n, dtype=_dt(t, dtype)).random_(-3, 100, generator=g),
                )


@pytest.mark.parametrize(
    "low,high",
    [
        (0, 10),
        (-5, 5),
        (0, 2**28 - 1),
        (0, 2**28),
        (0, 2**31),
        (-(2**31), 2**31),
        (0, 2**33),
        (-(2**62), 2**62),
        (-(2**63), 2**63 - 1),
    ],
)
def test_randint_ranges(torch, low, high):
    for seed in SEEDS:
        both(torch, seed, lambda t, g: t.randint(low, high, (37,), generator=g), 0, True)
    both(torch, 0, lambda t, g: t.empty(9, dtype=t.int64).random_(-(2**63), None, generator=g))
    both(torch, 0, lambda t, g: t.empty(9, dtype=t.int64).random_(-(2**40), None, generator=g))
    both(torch, 0, lambda t, g: t.randint(3, 50, (4, 5), dtype=t.int32, generator=g))
    both(torch, 0, lambda t, g: t.randint(50, (4, 5), dtype=t.float64, generator=g))
    both(torch, 0, lambda t, g: t.randint_like(t.zeros(3, 2), 7))
    both(torch, 0, lambda t, g: t.randint_like(t.zeros(3, 2), -4, 7))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 101, 1000, 65_537])
def test_randperm(torch, n):
    for seed in SEEDS:
        both(torch, seed, lambda t, g: t.randperm(n, generator=g), 0, True)
    both(torch, 0, lambda t, g: t.randperm(n, dtype=t.float32))


def test_bernoulli_with_tensor_probabilities(torch):
    for dtype in ("float32", "float64"):
        for n in (1, 17, 1003):
            probs = np.random.default_rng(n).random(n).astype(dtype)

            def draw(t, g, probs=probs, n=n):
                p = t.tensor(probs)
                return [
                    t.bernoulli(p, generator=g),
                    t.empty(n).bernoulli_(p, generator=g),
                    t.bernoulli(p, 0.25, generator=g),
                ]

            for seed in SEEDS[:2]:
                torch.manual_seed(seed)
                mutograd.manual_seed(seed)
                for a, b in zip(draw(torch, None), draw(mutograd, None), strict=True):
                    assert_same(a, b)
                assert_same_state(torch)


def test_normal_overloads(torch):
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(3, 7)).astype(np.float32)
    std = rng.random((3, 7)).astype(np.float32) + 0.1
    row = std[0].copy()
    draws = [
        lambda t, g: t.normal(t.tensor(mean), t.tensor(std), generator=g),
        lambda t, g: t.normal(t.tensor(mean), 0.5, generator=g),
        lambda t, g: t.normal(2.0, t.tensor(std), generator=g),
        lambda t, g: t.normal(t.tensor(mean), t.tensor(row), generator=g),
        lambda t, g: t.normal(1.0, 3.0, size=(4, 5), generator=g),
        lambda t, g: t.normal(1.0, 3.0, (40,), generator=g),
        lambda t, g: t.normal(t.tensor(mean, dtype=t.float64), 2.0, generator=g),
    ]
    for seed in SEEDS[:2]:
        for draw in draws:
            both(torch, seed, draw, 1, True)


def test_multinomial(torch):
    rng = np.random.default_rng(1)
    weights = rng.random((4, 11)).astype(np.float32)
    weights[1, 3] = 0
    for seed in SEEDS:
        for replacement in (False, True):
            for k in (1, 3, 11):
                both(
                    torch,
                    seed,
                    lambda t, g, k=k, r=replacement: t.multinomial(
                        t.tensor(weights), k, r, generator=g
                    ),
                )
                both(
                    torch,
                    seed,
                    lambda t, g, k=k, r=replacement: t.multinomial(t.tensor(weights[0]), k, r),
                )
        both(torch, seed, lambda t, g: t.multinomial(t.tensor(weights, dtype=t.float64), 50, True))


def test_poisson(torch):
    rates = np.array([[0.0, 0.5, 3.0, 9.9], [10.0, 37.5, 250.0, 1e4]], np.float32)
    for seed in SEEDS:
        both(torch, seed, lambda t, g: t.poisson(t.tensor(rates), generator=g), 0, True)
        both(torch, seed, lambda t, g: t.poisson(t.tensor(rates, dtype=t.float64)))


def test_interleaved_calls(torch):
    """Random programs mixing distributions, generators and the default generator."""
    calls = [draw for _, draw, _ in FLOAT_DRAWS] + [
        lambda t, g, n, d: t.randint(-9, 2**30, (n,), generator=g),
        lambda t, g, n, d: t.randperm(n, generator=g),
        lambda t, g, n, d: t.empty(n, dtype=t.int64).random_(generator=g),
        lambda t, g, n, d: t.nn.functional.dropout(t.ones(n, dtype=_dt(t, d)), 0.3),
    ]
    for program in range(6):
        rnd = random.Random(program)
        seed = rnd.choice(SEEDS)
        torch.manual_seed(seed)
        mutograd.manual_seed(seed)
        gens = [
            (torch.Generator().manual_seed(seed + k), mutograd.Generator().manual_seed(seed + k))
            for k in range(2)
        ]
        for _ in range(25):
            call = rnd.choice(calls)
            n = rnd.choice([1, 2, 7, 16, 23, 100])
            dtype = rnd.choice(["float32", "float64"])
            which = rnd.choice([None, 0, 1])
            tg, mg = (None, None) if which is None else gens[which]
            assert_same(call(torch, tg, n, dtype), call(mutograd, mg, n, dtype), ulps=1)
        assert_same_state(torch)
        for tg, mg in gens:
            assert_same_state(torch, tg, mg)


# --- nn, data --------------------------------------------------------------------------


def _layers(lib):
    nn = lib.nn
    return [
        nn.Linear(7, 5),
        nn.Linear(20, 33, bias=False),
        nn.Conv2d(3, 8, 3),
        nn.Conv2d(4, 8, (3, 2), groups=2),
        nn.Embedding(10, 4),
        nn.Embedding(10, 40, padding_idx=2),
        nn.LayerNorm(6),
        nn.BatchNorm1d(6),
        nn.BatchNorm2d(6),
        nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(), nn.Linear(64, 3)),
    ]


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_layers_initialise_to_torchs_parameters(torch, seed):
    torch.manual_seed(seed)
    mutograd.manual_seed(seed)
    for a, b in zip(_layers(torch), _layers(mutograd), strict=True):
        pa, pb = dict(a.named_parameters()), dict(b.named_parameters())
        assert pa.keys() == pb.keys()
        for key in pa:
            assert_same(pa[key], pb[key])
    assert_same_state(torch)


INITS = [
    ("uniform_", (), (5, 7)),
    ("normal_", (), (40, 30)),
    ("trunc_normal_", (), (40, 30)),
    ("xavier_uniform_", (), (4, 3, 3, 3)),
    ("xavier_normal_", (), (5, 7)),
    ("kaiming_uniform_", (), (4, 3, 3, 3)),
    ("kaiming_normal_", (), (40, 30)),
    ("orthogonal_", (), (5, 7)),
    ("orthogonal_", (), (40, 30)),
    ("sparse_", (0.3,), (10, 6)),
]


@pytest.mark.parametrize("name,args,shape", INITS)
def test_nn_init(torch, name, args, shape):
    for generator in (False, True):

        def draw(t, g, generator=generator):
            kwargs = {"generator": g} if generator else {}
            return getattr(t.nn.init, name)(t.empty(shape), *args, **kwargs)

        if name == "orthogonal_":
            # the QR factorisation is LAPACK's: PyTorch's and NumPy's differ in the last bits
            torch.manual_seed(3)
            mutograd.manual_seed(3)
            gens = (torch.Generator().manual_seed(4), mutograd.Generator().manual_seed(4))
            a = draw(torch, gens[0] if generator else None)
            b = draw(mutograd, gens[1] if generator else None)
            np.testing.assert_allclose(_array(a), _array(b), atol=2e-6)
            assert_same_state(torch)
        else:
            both(torch, 3, draw, 0, generator)


def test_dropout(torch):
    def draw(t, g):
        x = t.ones(4, 9, requires_grad=True)
        layer = t.nn.Dropout(0.25)
        return [
            t.nn.functional.dropout(x, 0.5).detach(),
            layer(t.ones(40)),
            t.nn.functional.dropout(t.ones(30), 0.2, inplace=True),
        ]

    for seed in SEEDS:
        torch.manual_seed(seed)
        mutograd.manual_seed(seed)
        for a, b in zip(draw(torch, None), draw(mutograd, None), strict=True):
            assert_same(a, b)
        assert_same_state(torch)


def _dropout_family(t):
    F = t.nn.functional
    x = t.ones(2, 3, 4, 5)
    return [
        F.dropout1d(t.ones(3, 4, 5), 0.3),
        F.dropout1d(t.ones(4, 5), 0.3),
        F.dropout2d(x, 0.4),
        F.dropout2d(t.ones(2, 3, 4, 5), 0.4, inplace=True),
        F.dropout3d(t.ones(2, 3, 2, 2, 2), 0.5),
        F.dropout3d(t.ones(3, 2, 2, 2), 0.5),
        F.alpha_dropout(t.ones(20) * 0.5, 0.3, True),
        F.feature_alpha_dropout(t.ones(2, 3, 4), 0.3, True),
        t.nn.Dropout1d(0.5)(t.ones(3, 6)),
        t.nn.Dropout2d(0.5)(x),
        t.nn.Dropout3d(0.5)(t.ones(2, 2, 1, 1, 1)),
        t.nn.AlphaDropout(0.2)(t.ones(10)),
        t.nn.FeatureAlphaDropout(0.2)(t.ones(2, 3, 3)),
    ]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_channel_and_alpha_dropout(torch):
    for seed in SEEDS[:2]:
        torch.manual_seed(seed)
        mutograd.manual_seed(seed)
        for a, b in zip(_dropout_family(torch), _dropout_family(mutograd), strict=True):
            assert_same(a, b)
        assert_same_state(torch)
    assert repr(mutograd.nn.Dropout2d(0.3)) == repr(torch.nn.Dropout2d(0.3))


def _data_orders(t, generator_seed):
    t.manual_seed(7)
    ds = t.utils.data.TensorDataset(t.arange(23))
    g = t.Generator().manual_seed(generator_seed) if generator_seed is not None else None
    dl = t.utils.data.DataLoader(ds, batch_size=5, shuffle=True, generator=g)
    out = [[b[0].tolist() for b in dl] for _ in range(2)]
    out.append(
        [
            list(p)
            for p in t.utils.data.random_split(
                range(10), [0.3, 0.7], generator=t.Generator().manual_seed(42)
            )
        ]
    )
    out.append([list(p) for p in t.utils.data.random_split(range(10), [3, 7])])
    out.append(list(t.utils.data.RandomSampler(range(10), replacement=True, num_samples=40)))
    out.append(list(t.utils.data.RandomSampler(range(10), num_samples=25)))
    out.append(t.rand(2).tolist())
    return out


@pytest.mark.parametrize("generator_seed", [None, 3])
def test_dataloader_samplers_and_random_split(torch, generator_seed):
    assert _data_orders(torch, generator_seed) == _data_orders(mutograd, generator_seed)
    # a DataLoader iterator draws its base seed when it is created, before any batch
    for t in (torch, mutograd):
        t.manual_seed(0)
        iter(t.utils.data.DataLoader(list(range(4)), shuffle=False))
    assert_same_state(torch)
