"""utils.data against torch 2.13 (datasets, DataLoader batching, collate, random_split) and
the bundled digits data file."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch


def _dataset(T, n=10):
    return T.utils.data.TensorDataset(T.arange(float(n)).view(n, 1) * 2, T.arange(n))


@requires_torch
def test_tensor_dataset():
    def program(T):
        ds = _dataset(T)
        return [len(ds), ds[3], ds[-1], ds[2:4], len(ds.tensors)]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "batch_size,drop_last", [(1, False), (3, False), (3, True), (10, True), (4, False)]
)
def test_sequential_batches(batch_size, drop_last):
    def program(T):
        loader = T.utils.data.DataLoader(_dataset(T), batch_size=batch_size, drop_last=drop_last)
        return [len(loader), [batch for batch in loader]]

    run_both(program)


@requires_torch
def test_batch_size_none_yields_samples():
    def program(T):
        return list(T.utils.data.DataLoader(_dataset(T, 3), batch_size=None))

    run_both(program)


@requires_torch
def test_shuffle_visits_every_index_once_per_epoch():
    import mutograd

    mutograd.manual_seed(0)
    loader = mutograd.utils.data.DataLoader(_dataset(mutograd, 23), batch_size=5, shuffle=True)
    epochs = []
    for _ in range(2):
        seen = [int(i) for _, idx in loader for i in idx.tolist()]
        assert sorted(seen) == list(range(23))
        epochs.append(seen)
    assert epochs[0] != epochs[1]
    assert [tuple(b[0].shape) for b in loader] == [(5, 1)] * 4 + [(3, 1)]


def test_shuffle_is_reproducible_with_seed_and_generator():
    import mutograd

    def order(**kwargs):
        loader = mutograd.utils.data.DataLoader(
            _dataset(mutograd, 12), batch_size=4, shuffle=True, **kwargs
        )
        return [i for _, idx in loader for i in idx.tolist()]

    mutograd.manual_seed(3)
    first = order()
    mutograd.manual_seed(3)
    assert order() == first
    g1, g2 = mutograd.Generator().manual_seed(7), mutograd.Generator().manual_seed(7)
    assert order(generator=g1) == order(generator=g2)


@requires_torch
def test_default_collate_matches_torch():
    def program(T):
        collate = T.utils.data.default_collate
        samples = [
            {"x": T.tensor([1.0, 2.0]), "y": 1, "w": 0.5, "name": "a", "flag": True},
            {"x": T.tensor([3.0, 4.0]), "y": 0, "w": 1.5, "name": "b", "flag": False},
        ]
        return [
            collate(samples),
            collate([(T.ones(2), 3), (T.zeros(2), 4)]),
            collate([[1, 2], [3, 4]]),
            collate([np.ones(2, "float32"), np.zeros(2, "float32")]),
        ]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.utils.data.default_collate([[1, 2], [3]]),
        lambda T: T.utils.data.default_collate([object()]),
        lambda T: T.utils.data.TensorDataset(T.ones(2), T.ones(3)),
        lambda T: T.utils.data.DataLoader(_dataset(T), sampler=[0, 1], shuffle=True),
        lambda T: T.utils.data.DataLoader(_dataset(T), batch_size=0),
        lambda T: T.utils.data.DataLoader(_dataset(T), batch_size=None, drop_last=True),
        lambda T: T.utils.data.DataLoader(_dataset(T), batch_sampler=[[0, 1]], batch_size=2),
        lambda T: T.utils.data.random_split(_dataset(T), [3, 3]),
        lambda T: T.utils.data.random_split(_dataset(T), [0.5, 1.5, -1.0]),
    ],
    ids=lambda f: "",
)
def test_errors_match_torch(program):
    run_both(program)


@requires_torch
@pytest.mark.parametrize("lengths", [[7, 3], [0.8, 0.2], [0.34, 0.33, 0.33], [0.5, 0.5, 0.0]])
def test_random_split_lengths_match_torch(lengths):
    def program(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = T.utils.data.random_split(_dataset(T), lengths)
        indices = sorted(i for part in parts for i in part.indices)
        return [[len(p) for p in parts], indices, type(parts[0]).__name__]

    run_both(program)


def test_random_split_subsets_index_the_dataset():
    import mutograd

    ds = _dataset(mutograd, 10)
    train, test = mutograd.utils.data.random_split(
        ds, [0.7, 0.3], generator=mutograd.Generator().manual_seed(0)
    )
    assert len(train) == 7 and len(test) == 3
    x, y = test[0]
    assert x.item() == 2 * y.item()
    batch = next(iter(mutograd.utils.data.DataLoader(train, batch_size=7)))
    assert sorted(batch[1].tolist()) == sorted(train.indices)


@requires_torch
def test_custom_dataset_and_collate_fn():
    def program(T):
        class Squares(T.utils.data.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return float(i * i)

        loader = T.utils.data.DataLoader(
            Squares(), batch_size=2, collate_fn=lambda batch: sum(batch)
        )
        return [list(loader), list(T.utils.data.DataLoader(Squares(), batch_size=3))]

    run_both(program)


# --- the bundled data set -----------------------------------------------------------------------


def test_digits_file_contents():
    import mutograd
    from mutograd.train import DATA_FILE, load_digits

    with np.load(DATA_FILE, allow_pickle=False) as data:
        assert sorted(data.files) == ["images", "labels"]
        images, labels = data["images"], data["labels"]
        assert images.dtype == np.uint8 and images.shape == (1797, 64)
        assert labels.dtype == np.int64 and labels.shape == (1797,)
        assert images.max() == 16 and images.min() == 0
        assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    x, y = load_digits()
    assert x.dtype is mutograd.float32 and y.dtype is mutograd.int64
    assert tuple(x.shape) == (1797, 64)


def test_digits_licence_note_ships_with_the_package():
    from mutograd.train import DATA_FILE

    folder = os.path.dirname(DATA_FILE)
    with open(os.path.join(folder, "LICENSE-digits.txt"), encoding="utf-8") as handle:
        text = handle.read()
    assert "CC BY 4.0" in text and "UCI" in text


def test_stratified_split():
    import mutograd
    from mutograd.train import Digits, load_digits, stratified_split

    _, labels = load_digits()
    train, test = stratified_split(labels, 0.2, seed=0)
    assert len(train) + len(test) == 1797 and not set(train) & set(test)
    counts = np.bincount(labels.numpy()[test], minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    again = stratified_split(labels, 0.2, seed=0)
    assert again == (train, test)
    data = Digits.prepare(0)
    assert abs(data.x_train.mean().item()) < 1e-5
    assert data.x_test.dtype is mutograd.float32
