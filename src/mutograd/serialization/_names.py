"""The PyTorch names a checkpoint speaks: storage classes and dtypes by name.

A checkpoint names ``torch.FloatStorage`` for a float32 storage and
``torch.float64`` for a dtype, whichever library wrote it; mutograd maps those
names to its own dtypes when reading, and writes them when saving.
"""

from __future__ import annotations

from .. import _dtype

# dtype name -> PyTorch's legacy typed-storage class name (what torch.save writes).
STORAGE_NAMES = {
    "bool": "BoolStorage",
    "uint8": "ByteStorage",
    "int8": "CharStorage",
    "int16": "ShortStorage",
    "int32": "IntStorage",
    "int64": "LongStorage",
    "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage",
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}
DTYPE_OF_STORAGE = {storage: name for name, storage in STORAGE_NAMES.items()}

# Every dtype PyTorch 2.13 has a name for; a checkpoint may name any of them.
TORCH_DTYPE_NAMES = frozenset(
    list(STORAGE_NAMES)
    + ["complex32", "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz"]
    + ["float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32"]
    + ["quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16"]
    + [f"uint{n}" for n in range(1, 8)]
    + [f"int{n}" for n in range(1, 8)]
    + ["half", "float", "double", "long", "int", "short", "bool", "cfloat", "cdouble", "chalf"]
)
_ALIASES = {
    "half": "float16",
    "float": "float32",
    "double": "float64",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "cfloat": "complex64",
    "cdouble": "complex128",
    "chalf": "complex32",
}


class StorageType:
    """Stands for ``torch.FloatStorage`` & co. in a checkpoint: only its dtype matters."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StorageType(dtype=torch.{DTYPE_OF_STORAGE.get(self.name, '?')})"


def dtype_named(name: str):
    """mutograd's dtype for PyTorch's dtype ``name``, or a clear NotImplementedError."""
    name = _ALIASES.get(name, name)
    found = _dtype._BY_NAME.get(name)
    if found is None:
        raise NotImplementedError(
            f"torch.{name} is not supported by mutograd yet: the checkpoint holds a tensor or "
            "dtype mutograd cannot represent"
        )
    return found
