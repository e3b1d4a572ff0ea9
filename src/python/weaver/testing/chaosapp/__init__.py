"""A two-component app for chaos tests in `multi` mode (tests/python/chaos/).

`Front` calls `Back` and reports what happened as a string, so a test sees the error type its
caller got. `Back` appends one line per run (and per `init`) to a ledger file named in its
config, so a test counts how often a call really ran, across processes and replicas.
"""
