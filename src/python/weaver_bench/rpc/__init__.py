"""`python -m weaver_bench.rpc`: weaver.rpc against a raw msgspec loop and grpc.aio.

Server and client run in separate processes over one connection; the table reports calls/s,
latency percentiles and CPU per call (user+sys of both processes), with ratios to the raw loop
and to grpc.aio measured in the same run.
"""
