"""DataLoader: batches of a dataset, in order or shuffled (torch/utils/data/dataloader.py).

Single-process only (``num_workers=0``), which is also PyTorch's default.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from ..._creation import Generator, empty
from ..._dtype import int64
from .collate import default_collate
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch (None: yield single samples, uncollated).
        shuffle: visit a new random permutation each epoch (mutograd's generator).
        sampler / batch_sampler: custom index orders (exclusive with shuffle).
        collate_fn: list of samples -> batch (default: ``default_collate``).
        drop_last: drop the last, smaller batch.
        generator: the generator for shuffling (default: mutograd's default one).

    >>> import mutograd as torch
    >>> ds = torch.utils.data.TensorDataset(torch.arange(5.0))
    >>> [b[0].tolist() for b in torch.utils.data.DataLoader(ds, batch_size=2)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if num_workers > 0:
            raise NotImplementedError("mutograd's DataLoader loads in the main process only")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None:
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.num_workers = num_workers
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        self.timeout = timeout

    def _fetch(self, indices: list[int]) -> list:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(indices)
        return [self.dataset[idx] for idx in indices]

    def __iter__(self) -> Iterator[Any]:
        # NB: as PyTorch's iterator, each new one draws its workers' base seed from
        # the loader's generator (a 64-bit random_), before the sampler draws.
        self._base_seed = int(empty((), dtype=int64).random_(generator=self.generator).item())
        return self._iterate()

    def _iterate(self) -> Iterator[Any]:
        if self.batch_sampler is None:
            for idx in self.sampler:
                yield self.dataset[idx]
            return
        for indices in self.batch_sampler:
            yield self.collate_fn(self._fetch(indices))

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)
