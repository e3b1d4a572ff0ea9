"""A one-method component for measuring call overhead."""
