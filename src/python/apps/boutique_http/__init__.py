"""The shop as HTTP/JSON microservices: one FastAPI service per backend, httpx between them.

The baseline a Python team would most often pick today, beside the paper's gRPC one
(`apps.boutique_grpc`). Same topology (10 services and the frontend, 11 processes), same
frontend code and HTTP server, same service logic (`apps.boutique.logic`).
"""
