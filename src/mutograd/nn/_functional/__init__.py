"""The implementation of ``nn.functional``, split by topic; see nn/functional.py."""
