"""Long-lived worker processes that run fuzz programs on one engine each."""
