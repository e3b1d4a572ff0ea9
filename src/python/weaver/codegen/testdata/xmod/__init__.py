"""A package whose interface uses types from a sibling module (one of them unserializable)."""
