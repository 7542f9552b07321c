"""``torch.onnx``: importable, but mutograd does not export ONNX graphs."""

from __future__ import annotations


def export(*args, **kwargs):
    raise NotImplementedError(
        "torch.onnx.export is not supported by mutograd: it records no graph that ONNX could "
        "describe; export the model from PyTorch instead"
    )


def is_in_onnx_export() -> bool:
    return False
