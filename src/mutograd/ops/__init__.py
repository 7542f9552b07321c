"""The op table. Importing the family files registers every op and installs its methods."""

# NB: each family imports the families it builds on, so the registration order follows
# those imports, whatever the order of this list.
from . import (  # noqa: F401
    activation,
    comparison,
    counting,
    cumulative,
    einsum,
    extra_linalg,
    extra_rnn,
    indexing,
    inplace_functions,
    linalg,
    loss,
    pointwise,
    random,
    reduction,
    scatter,
    selection,
    shape,
    sorting,
    view_api,
    views,
)
from ._api import FUNCTIONS
from ._registry import REGISTRY

__all__ = ["FUNCTIONS", "REGISTRY"]
