"""Online Boutique benchmark: gRPC baseline vs weaver split vs weaver colocated (issue 7)."""
