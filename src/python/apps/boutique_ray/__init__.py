"""The Online Boutique on Ray Serve: the ten backend services as deployments (one replica each)
called through deployment handles, the shared frontend on weaver's HTTP server in the driver.

A third baseline beside `apps.boutique_grpc` and `apps.boutique_http` (issue 18).
"""
