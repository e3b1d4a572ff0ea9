"""Online Boutique's gRPC baseline: one grpc.aio process per service over the shared logic.

Stubs are generated at build time from `protos/` (see `protogen`), never committed.
"""
