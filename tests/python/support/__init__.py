"""Helpers shared by tests: real components the tests start, installed when missing."""
