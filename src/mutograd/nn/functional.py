"""``mutograd.nn.functional``: the stateless forms of the layers and losses.

Re-exports the implementations in ``nn/_functional/`` (split by topic):
activations (with PyTorch's ``inplace=`` forms), dropout, linear, embedding,
convolution and pooling, normalisation and losses.
"""

from ._functional.activation import (
    dropout,
    elu,
    elu_,
    embedding,
    gelu,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    linear,
    log_softmax,
    relu,
    relu6,
    relu_,
    sigmoid,
    silu,
    softmax,
    tanh,
)
from ._functional.conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d
from ._functional.dropout import (
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ._functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ._functional.norm import batch_norm, layer_norm

__all__ = [
    "adaptive_avg_pool2d",
    "alpha_dropout",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "feature_alpha_dropout",
    "gelu",
    "hardtanh",
    "hardtanh_",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "relu",
    "relu6",
    "relu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "tanh",
]

# One-hot, normalize and the rest of the convolutions (appended to keep merges easy).
from ._functional.attention import (  # noqa: E402
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from ._functional.conv_more import conv1d, conv_transpose1d, conv_transpose2d  # noqa: E402
from ._functional.misc import normalize, one_hot  # noqa: E402

__all__ += [
    "conv1d",
    "conv_transpose1d",
    "conv_transpose2d",
    "multi_head_attention_forward",
    "normalize",
    "one_hot",
    "scaled_dot_product_attention",
]
