"""``python -m mutograd train``: the training example, an application beside the tour."""

from .digits import (
    BUILDERS,
    DATA_FILE,
    LABEL_SMOOTHING,
    Digits,
    Result,
    build_cnn,
    build_mlp,
    load_digits,
    main,
    peak_step_memory,
    relu_memory,
    stratified_split,
    train_model,
)

__all__ = [
    "BUILDERS",
    "DATA_FILE",
    "LABEL_SMOOTHING",
    "Digits",
    "Result",
    "build_cnn",
    "build_mlp",
    "load_digits",
    "main",
    "peak_step_memory",
    "relu_memory",
    "stratified_split",
    "train_model",
]
