"""Plain-Python service logic, shared by the weaver and gRPC variants.

Each class implements one protocol of `apps.boutique.services` with async methods, so it can
also be used directly (in-process, no transport) by tests and the local variant.
"""
