"""The op table. Importing the family files registers every op and installs its methods."""

from . import (  # noqa: F401  (order matters: later families use earlier ones)
    pointwise,
    activation,
    selection,
    comparison,
    indexing,
    linalg,
    loss,
    random,
    reduction,
    shape,
)
from ._api import FUNCTIONS
from ._registry import REGISTRY

__all__ = ["FUNCTIONS", "REGISTRY"]
