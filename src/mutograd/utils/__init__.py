"""``mutograd.utils``: data loading (``mutograd.utils.data``)."""

from . import data

__all__ = ["data"]
