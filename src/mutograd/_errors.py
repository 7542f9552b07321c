"""Every user-visible error message, verbatim from PyTorch 2.13.

Each function returns the exception to raise, so call sites read
``raise _errors.leaf_inplace()``. mutograd's own additions (the "where" of an
in-place write) are appended by the callers after PyTorch's exact text.
"""

from __future__ import annotations


def _shape(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# --- autograd -----------------------------------------------------------------


def leaf_inplace() -> RuntimeError:
    return RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation."
    )


def view_of_leaf_inplace() -> RuntimeError:
    return RuntimeError(
        "a view of a leaf Variable that requires grad is being used in an in-place operation."
    )


def view_modified_inplace(
    creation: str, node_label: str | None, output_nr: int, indirect: bool
) -> RuntimeError:
    """A restricted view written in place (PyTorch's handle_view_on_rebase).

    ``creation`` is the view's CreationMeta; ``node_label`` its grad_fn without
    "Backward<N>" (None when it has none); ``indirect`` when its base or
    another view of the base was written, found when the view is next used.
    """
    if indirect:
        modified = "its base or another view of its base has been"
    else:
        modified = "is being"
    if creation in ("inference_mode", "no_grad_mode") or node_label is None:
        if node_label is not None:
            prefix = f"Output {output_nr} of {node_label} is a view of a view which was created in"
        else:
            prefix = "A view was created in"
        if creation == "inference_mode":
            message = f"{prefix} inference mode and {modified} modified inplace in normal mode."
        else:
            message = (
                f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
            )
    else:
        message = f"Output {output_nr} of {node_label} is a view and {modified} modified inplace."
    if creation == "multi_output_node":
        message += (
            " This view is the output of a function that returns multiple views. Such functions do "
            "not allow the output views to be modified inplace. You should replace the inplace "
            "operation by an out-of-place one."
        )
    elif creation == "no_grad_mode":
        message += (
            " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
            "clarify your code by moving both the view and the inplace either both inside the "
            "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
            "want the inplace to be tracked)."
        )
    elif creation == "inference_mode":
        message += (
            " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
            "clarify your code by moving both the view and the inplace either both inside the "
            "inference_mode block (if you don't want the inplace to be tracked) or both outside "
            "(if you want the inplace to be tracked)."
        )
    elif creation == "in_custom_function":
        message += (
            " This view was created inside a custom Function (or because an input was returned "
            "as-is) and the autograd logic to handle view+inplace would override the custom "
            "backward associated with the custom Function, leading to incorrect gradients. This "
            "behavior is forbidden. You can fix this by cloning the output of the custom Function."
        )
    return RuntimeError(message)


def inference_tensor_inplace() -> RuntimeError:
    return RuntimeError(
        "Inplace update to inference tensor outside InferenceMode is not allowed."
        "You can make a clone to get a normal tensor before doing inplace update."
        "See https://github.com/pytorch/rfcs/pull/17 for more details."
    )


def inference_tensor_requires_grad() -> RuntimeError:
    return RuntimeError(
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
    )


def inference_tensor_saved() -> RuntimeError:
    return RuntimeError(
        "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
        "inference mode in computation tracked by autograd. To work around this, you can make a "
        "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
        "`torch.inference_mode()`."
    )


def saved_version_mismatch(
    type_name: str,
    shape,
    node_label: str | None,
    output_nr: int,
    current: int,
    expected: int,
    anomaly: bool,
) -> RuntimeError:
    # NB: in PyTorch this is SavedVariable::unpack; the node is named without its
    # "Backward<N>" suffix ("which is output 0 of Sigmoid").
    message = (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name} {_shape(shape)}]"
    )
    if node_label is not None:
        message += f", which is output {output_nr} of {node_label},"
    message += f" is at version {current}; expected version {expected} instead."
    if not anomaly:
        message += (
            " Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    else:
        message += (
            " Hint: the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good luck!"
        )
    return RuntimeError(message)


def backward_twice() -> RuntimeError:
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward."
    )


def no_grad_fn(index: int = 0) -> RuntimeError:
    return RuntimeError(
        f"element {index} of tensors does not require grad and does not have a grad_fn"
    )


def implicit_grad_non_scalar() -> RuntimeError:
    return RuntimeError("grad can be implicitly created only for scalar outputs")


def requires_grad_dtype(method: bool) -> RuntimeError:
    if method:
        return RuntimeError("only Tensors of floating point dtype can require gradients")
    return RuntimeError("only Tensors of floating point and complex dtype can require gradients")


def factory_requires_grad_dtype() -> RuntimeError:
    return RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def non_leaf_requires_grad(setting_false: bool) -> RuntimeError:
    message = "you can only change requires_grad flags of leaf variables."
    if setting_false:
        message += (
            " If you want to use a computed variable in a subgraph that doesn't require "
            "differentiation use var_no_grad = var.detach()."
        )
    return RuntimeError(message)


def numpy_requires_grad() -> RuntimeError:
    return RuntimeError(
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )


# --- shapes, dtypes and indices -----------------------------------------------


def broadcast_mismatch(size_a: int, size_b: int, dim: int) -> RuntimeError:
    return RuntimeError(
        f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
        f"non-singleton dimension {dim}"
    )


def inplace_broadcast(shape, broadcast_shape) -> RuntimeError:
    return RuntimeError(
        f"output with shape {_shape(shape)} doesn't match the broadcast shape {_shape(broadcast_shape)}"
    )


def cannot_cast(result_type: str, out_type: str) -> RuntimeError:
    return RuntimeError(
        f"result type {result_type} can't be cast to the desired output type {out_type}"
    )


def internal_overlap() -> RuntimeError:
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a single "
        "memory location. Please clone() the tensor before performing the operation."
    )


def partial_overlap() -> RuntimeError:
    return RuntimeError(
        "unsupported operation: some elements of the input tensor and the written-to tensor "
        "refer to a single memory location. Please clone() the tensor before performing the "
        "operation."
    )


def dim_out_of_range(dim: int, ndim: int) -> IndexError:
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    return IndexError(
        f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
    )


def index_out_of_range(index: int, dim: int, size: int) -> IndexError:
    return IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def invalid_view_shape(shape, numel: int) -> RuntimeError:
    return RuntimeError(f"shape '{_shape(shape)}' is invalid for input of size {numel}")


def view_stride_incompatible() -> RuntimeError:
    return RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead."
    )


def item_numel(numel: int) -> RuntimeError:
    return RuntimeError(f"a Tensor with {numel} elements cannot be converted to Scalar")


def ambiguous_bool(numel: int) -> RuntimeError:
    which = "no values" if numel == 0 else "more than one value"
    return RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")


def grad_size_mismatch(grad_shape, shape) -> RuntimeError:
    return RuntimeError(
        f"attempting to assign a gradient of size '{_shape(grad_shape)}' to a tensor of size "
        f"'{_shape(shape)}'. Please ensure that the gradient and the tensor are the same size"
    )
