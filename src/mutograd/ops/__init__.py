"""The op table. Importing the family files registers every op and installs its methods."""

from . import (  # noqa: F401  (order matters: later families use earlier ones)
    activation,
    comparison,
    indexing,
    linalg,
    loss,
    pointwise,
    random,
    reduction,
    selection,
    shape,
)
from ._api import FUNCTIONS
from ._registry import REGISTRY

__all__ = ["FUNCTIONS", "REGISTRY"]
