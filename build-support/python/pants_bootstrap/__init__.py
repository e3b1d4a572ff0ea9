"""Bootstraps the pinned Pants for this repository on the current machine (used by ./pants)."""
