"""A differential program fuzzer: random straight-line programs run on torch and mutograd."""
