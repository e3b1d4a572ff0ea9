"""A small app exercising the whole programming model; used by weaver's own tests.

It covers what the generator and runtimes must handle: relative and cross-module imports,
enums, dataclasses, datetimes, optionals, type aliases, keyword-only arguments, routing,
not-retriable methods, app errors, a Ref cycle (Store <-> Audit), lifecycle hooks, config,
a listener, and 3.11 syntax (match) in implementations.
"""
