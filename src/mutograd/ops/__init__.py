"""The op table. Importing the family files registers every op and installs its methods."""

from . import indexing, linalg, loss, pointwise, random, reduction, shape  # noqa: F401
from ._api import FUNCTIONS
from ._registry import REGISTRY

__all__ = ["FUNCTIONS", "REGISTRY"]
