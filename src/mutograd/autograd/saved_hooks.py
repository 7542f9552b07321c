"""Pack/unpack hooks for tensors saved for backward (``torch.autograd.graph``).

NB: in PyTorch the hooks live in a thread-local stack (SavedTensorDefaultHooks).
While a ``saved_tensors_hooks`` context is active, each tensor saved for
backward is handed to ``pack_hook`` and only what it returns is kept; backward
gets ``unpack_hook(packed)`` back. As in PyTorch, a packed tensor's version
is not checked (the hooks may have copied it anywhere).
"""

from __future__ import annotations


class SavedHooks:
    stack: list = []  # (pack_hook, unpack_hook), innermost last
    disabled: str | None = None  # the message of an active disable_saved_tensors_hooks


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor)`` runs on each tensor saved for backward."""

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if SavedHooks.disabled is not None:
            raise RuntimeError(SavedHooks.disabled)
        SavedHooks.stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        SavedHooks.stack.pop()


class disable_saved_tensors_hooks:
    """Context manager (and decorator) in which registering saved-tensor hooks raises."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self):
        # As PyTorch: hooks already active are refused too.
        if SavedHooks.stack:
            raise RuntimeError(self.error_message)
        self.previous = SavedHooks.disabled
        SavedHooks.disabled = self.error_message
        return self

    def __exit__(self, *exc) -> None:
        SavedHooks.disabled = self.previous

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)

        return wrapper


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors on the CPU until backward. mutograd's tensors always are,
    so the pack hook keeps a copy and the unpack hook moves it back to its device."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t):
            return (t.device, t.detach().clone())

        def unpack(packed):
            device, t = packed
            return t.to(device)

        super().__init__(pack, unpack)
