"""Runtime-facing internals: what generated code, transports and deployers share.

App authors never import from here; everything they need is at the `weaver` root.
"""
