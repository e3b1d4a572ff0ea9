"""Online Boutique on weaver: eleven components over shared, transport-independent logic.

Importing this package must not import `weaver`: the shared model, logic and frontend are
also used by the gRPC baseline (`apps.boutique_grpc`).
"""
