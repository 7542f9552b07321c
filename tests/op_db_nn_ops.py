"""op_db entries for ops/nn_ops.py: torch.nn.functional ops with PyTorch's own node names.

Imported at the end of op_db.py, so the generated differential, gradcheck and
saved-metadata tests cover these rows like the others.
"""

from __future__ import annotations

from op_db import NC, S, entry, f32, f64, nnf

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
