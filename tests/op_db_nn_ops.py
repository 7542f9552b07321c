"""op_db entries for ops/nn_ops.py: torch.nn.functional ops with PyTorch's own node names.

Imported at the end of op_db.py, so the generated differential, gradcheck and
saved-metadata tests cover these rows like the others.
"""

from __future__ import annotations

from op_db import NC, Const, S, entry, f32, f64, nnf

entry(
    "mse_loss",
    nnf("mse_loss"),
    [
        S(f32(3, 4), f32(3, 4), name="mean"),
        S(f64(3, 4), f64(3, 4), reduction="sum", name="sum"),
        S(f32(2, 3), f32(2, 3), reduction="none", name="none"),
        S(f32(), f32(), name="0d"),
        S(NC(f32(3, 2)), NC(f32(3, 2)), name="nc"),
        S(f32(0, 3), f32(0, 3), reduction="sum", name="empty"),
        S(f32(4), f64(4), name="promote"),
    ],
    errors=[
        S(f32(3), f32(4), name="shape_mismatch"),
        S(f32(3), f32(3), reduction="bad", name="bad_reduction"),
    ],
)
entry(
    "native_layer_norm",
    nnf("layer_norm"),
    [
        S(f32(2, 3, 4), (3, 4), f32(3, 4), f32(3, 4), name="affine"),
        S(f64(4, 5), (5,), f64(5), f64(5), name="f64"),
        S(f32(3, 4), [4], name="plain"),
        S(f32(2, 4), (4,), f32(4), name="weight_only"),
        S(f32(2, 4), (4,), None, f32(4), name="bias_only"),
        S(NC(f32(4, 3)), (4,), f32(4), f32(4), eps=1e-3, name="nc_eps"),
        S(f32(5), (5,), f32(5), f32(5), name="1d"),
    ],
    errors=[
        S(f32(2, 3), (4,), name="shape_mismatch"),
        S(f32(2, 3), (3,), f64(3), name="mixed_dtype"),
        S(f64(2, 3), (3,), f32(3), name="double_input_float_weight"),
        S(f32(2, 3), (3,), f32(3), f64(3), name="float_weight_double_bias"),
        S(f32(2, 3), (3,), None, f64(3), name="double_bias_only"),
    ],
)


def _stats(make, channels):
    """Running mean and (positive) running variance, passed as plain tensors."""
    return Const(make(channels)), Const(make(channels, low=0.5, high=2.0))


entry(
    "native_batch_norm",
    nnf("batch_norm"),
    [
        S(f32(4, 3), *_stats(f32, 3), f32(3), f32(3), training=True, name="train_2d"),
        S(f64(2, 3, 5), *_stats(f64, 3), f64(3), f64(3), training=True, name="train_3d"),
        S(f32(2, 2, 3, 3), *_stats(f32, 2), f32(2), f32(2), training=True, momentum=0.3, name="train_4d"),
        S(f32(4, 3), None, None, training=True, name="train_no_stats"),
        S(f64(4, 3), *_stats(f64, 3), f64(3), f64(3), name="eval"),
        S(f32(2, 3, 4), *_stats(f32, 3), name="eval_no_affine"),
        S(NC(f32(3, 4)), *_stats(f32, 4), f32(4), None, training=True, eps=1e-3, name="nc_weight_only"),
    ],
    errors=[
        S(f32(1, 3), *_stats(f32, 3), training=True, name="one_value_per_channel"),
    ],
)
