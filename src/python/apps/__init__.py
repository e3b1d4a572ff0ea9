"""Example and benchmark apps built with weaver."""
