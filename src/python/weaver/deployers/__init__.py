"""Deployers: `weaver single ...` (one process) and `weaver multi ...` (local processes)."""
