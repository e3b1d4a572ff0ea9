"""Packaged data files of Online Boutique (Apache-2.0, see LICENSE and README.md here)."""
