"""Developer tools (they need PyTorch installed as the reference)."""
