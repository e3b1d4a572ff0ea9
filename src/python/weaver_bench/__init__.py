"""Benchmarks, load generators and test rigs for weaver; never shipped in the weaver wheel."""
