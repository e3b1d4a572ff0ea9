"""The weaver Pants plugin: finds components, generates their code, packages versioned apps."""
