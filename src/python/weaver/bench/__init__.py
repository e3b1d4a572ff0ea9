"""Micro-benchmarks that print figures (not timed tests): `python -m weaver.bench.<name>`."""
