"""Tests against a real Kubernetes control plane (and node)."""
