"""Small programs written in the style of public PyTorch teaching material.

Each module has ``run(torch, ...)`` taking the torch-like module (real PyTorch or mutograd)
and returning the values it printed along the way (losses, accuracies...), so that
tests/test_programs.py can run it both ways and compare the curves. Initial weights and
random choices come from a seeded NumPy RandomState, so both runs start from the same numbers.
"""
