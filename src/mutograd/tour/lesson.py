"""The lesson: in-place operations, what they save, and how autograd keeps them safe.

The lesson on in-place operations, run live: out-of-place versus in-place, views,
then the rules autograd enforces. Where the lesson's own example breaks a rule
(it modifies a leaf that requires grad, which PyTorch refuses), the tour shows
PyTorch's error and the fix.
"""

from __future__ import annotations

import sys

from .._cli import Parser, int_between
from .runner import Step, format_unexpected, render, run_step

STEPS = [
    Step(
        "Out-of-place: a new tensor, the input untouched",
        """
        `x + 5` allocates a new tensor and records how it was made (its grad_fn),
        so autograd can differentiate through it. `x` itself does not change.
        """,
        """
        import mutograd as torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        print(f"Original x: {x}")
        print(f"x requires_grad: {x.requires_grad}")
        y = x + 5
        print(f"After y = x + 5: {y}")
        print(f"x unchanged: {x}")
        """,
    ),
    Step(
        "In-place: the trailing underscore writes into the same storage",
        """
        `a.add_(5)` writes straight into a's buffer: same Python object, same memory
        (data_ptr), no new allocation. The tensor's version counter goes up by one.
        """,
        """
        a = torch.tensor([1.0, 2.0, 3.0])
        before = a.data_ptr()
        print(f"Before a.add_(5): {a}   version {a._version}")
        b = a.add_(5)
        print(f"After a.add_(5):  {a}   version {a._version}")
        print(f"same object: {b is a}, same memory: {a.data_ptr() == before}")
        a += 1            # augmented assignment is in-place too
        a[0] = 0.0        # and so is item assignment
        print(f"After a += 1; a[0] = 0: {a}   version {a._version}")
        """,
    ),
    Step(
        "Views share storage and the version counter",
        """
        A view (slicing, transpose, view, .numpy()) aliases the same memory. Writing
        through one is visible through all of them, and base and views share one
        version counter, so autograd sees every write whichever name it came through.
        """,
        """
        base = torch.zeros(2, 3)
        row = base[1]                 # a view
        arr = base.numpy()            # NumPy shares the memory too
        row.fill_(7.0)
        print(base)
        print(f"numpy sees it: {arr[1].tolist()}")
        print(f"versions: base {base._version}, row {row._version}")
        print(f"row is a view of base: {row._is_view() and row._base is base}")
        """,
    ),
    Step(
        "The lesson's leaf write, as PyTorch really raises it: the leaf rule",
        """
        The lesson on in-place operations modifies `x2` (a leaf that requires grad)
        in place after building a loss. PyTorch refuses before anything is written:
        a leaf's value is what the gradient is taken with respect to. mutograd raises
        PyTorch's exact error and adds the line that did it.
        """,
        """
        x2 = torch.tensor([2.0, 3.0], requires_grad=True)
        loss = (x2 * 2).sum()
        print(f"Before, x2: {x2}")
        x2.add_(10)
        """,
        expect_error=True,
    ),
    Step(
        "The fix: update leaves under no_grad (what every optimizer does)",
        """
        The lesson's last step (`x3.add_(100)` after backward) also raises in PyTorch.
        Wrap the update in `torch.no_grad()`: the write is not recorded, and the
        version still goes up.
        """,
        """
        x3 = torch.tensor([1.0, 2.0], requires_grad=True)
        output = x3 * 3
        output.backward(torch.ones_like(output))
        print(f"Gradients computed: {x3.grad}")
        with torch.no_grad():
            x3.add_(100)
        print(f"x3 after in-place add: {x3}   version {x3._version}")
        """,
    ),
    Step(
        "Saved tensors know their version: sigmoid saves its output",
        """
        sigmoid's backward uses its own output (grad * y * (1 - y)), so autograd saves
        y together with y's version. Writing into y in place changes the values the
        backward needs; backward notices the version moved and refuses. mutograd's
        message adds who saved the tensor, which in-place op changed it, and where.
        """,
        """
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.sigmoid()
        y.add_(1)                 # overwrites what SigmoidBackward0 saved
        y.sum().backward()
        """,
        expect_error=True,
    ),
    Step(
        "An in-place op is fine when nothing saved the value",
        """
        `x * 2` saves only the constant 2 (for x's gradient it needs the other
        factor), so modifying its output in place breaks nothing. Autograd's check
        is exact: it fires only when a saved value was overwritten.
        """,
        """
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = x * 2
        h.relu_()                 # in-place on an intermediate: allowed
        print(h.grad_fn)          # history was rebased onto the in-place op
        h.sum().backward()
        print(f"x.grad = {x.grad}")
        """,
    ),
    Step(
        "In-place on a view rewrites the base's history (CopySlices)",
        """
        Writing into a slice of an intermediate tensor is recorded on the base: its
        grad_fn becomes CopySlices, and gradients flow correctly to everything
        upstream of both the base and the written value.
        """,
        """
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = w * 1
        h[0] = w[2] * 10          # a write through a view of h
        print(f"h = {h}")
        print(f"h.grad_fn = {h.grad_fn.name()}")
        h.sum().backward()
        print(f"w.grad = {w.grad}")
        """,
    ),
    Step(
        "nn.ReLU(inplace=True): safe where nothing saved its input",
        """
        A Linear layer's backward needs its *input* and weight, not its output, so a
        ReLU that overwrites the Linear's output in place corrupts nothing and saves
        one activation buffer. After a sigmoid (which saves its output) it would not
        be safe: backward would raise the version error from the previous step.
        """,
        """
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(inplace=True),
                                  torch.nn.Linear(8, 1))
        twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                   torch.nn.Linear(8, 1))
        twin.load_state_dict(net.state_dict())
        data = torch.randn(16, 4)
        net(data).sum().backward()
        twin(data).sum().backward()
        print(net)
        same = all(torch.allclose(a.grad, b.grad) for a, b in zip(net.parameters(), twin.parameters()))
        print(f"same gradients: {same}")
        """,
    ),
    Step(
        ".data versus .detach(): one of them hides writes from autograd",
        """
        Both share memory. `.detach()` shares the version counter, so a write through
        it is caught. `.data` gets a fresh counter: the write goes unseen and the
        gradient is silently wrong. Prefer detach().
        """,
        """
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.detach().zero_()
        print(f"after detach().zero_(): y._version = {y._version} (caught at backward)")
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.data.zero_()
        print(f"after .data.zero_():    y._version = {y._version} (unseen!)")
        y.sum().backward()
        print(f"x.grad = {x.grad}   <- wrong: should be exp(x) = [2.7183, 7.3891]")
        """,
    ),
    Step(
        "The memory an in-place op saves, measured live",
        """
        On a 10-million-element tensor, `a.mul_(2)` allocates nothing while `a * 2`
        allocates a new 40 MB buffer. tracemalloc sees NumPy's allocations.
        """,
        """
        import tracemalloc
        big = torch.ones(10_000_000)
        tracemalloc.start()
        big.mul_(2)
        in_place = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        tracemalloc.start()
        doubled = big * 2
        out_of_place = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"a.mul_(2) peak allocation: {in_place / 1e6:.1f} MB")
        print(f"a * 2     peak allocation: {out_of_place / 1e6:.1f} MB")
        """,
    ),
]


def run_tour(out=None, steps=None) -> int:
    """Run the lesson, printing each step; returns the number of unexpected failures."""
    out = out or sys.stdout
    import mutograd

    # Pre-imported so that any single step can run on its own (--step N).
    namespace: dict = {"__name__": "__tour__", "torch": mutograd}
    chosen = list(enumerate(STEPS, 1)) if steps is None else [(n, STEPS[n - 1]) for n in steps]
    failures = 0
    print(
        "mutograd tour: in-place operations and the autograd rules that keep them safe\n", file=out
    )
    for number, step in chosen:
        output, error = run_step(number, step, namespace)
        if error is not None and not step.expect_error:
            failures += 1
            print(render(number, len(STEPS), step, output, None), file=out)
            print("UNEXPECTED ERROR:\n" + format_unexpected(error), file=out)
            continue
        if error is None and step.expect_error:
            failures += 1
            output += "(expected an error here, but none was raised)\n"
        print(render(number, len(STEPS), step, output, error), file=out)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="mutograd tour",
        description="Run the lesson on in-place operations live: each step's prose, its code, "
        "and what the code printed or raised.",
    )
    parser.add_argument(
        "--step",
        type=int_between(1, len(STEPS), "a step number"),
        action="append",
        metavar="N",
        help=f"run only step N, 1 to {len(STEPS)} (repeatable; --list shows them)",
    )
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    args = parser.parse_args(argv)
    if args.list:
        for number, step in enumerate(STEPS, 1):
            print(f"{number:2d}. {step.title}")
        return 0
    return 1 if run_tour(steps=args.step) else 0
