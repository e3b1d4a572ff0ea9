"""The proxy's benchmark, its load generator and the fake backend and raw client its tests use."""
