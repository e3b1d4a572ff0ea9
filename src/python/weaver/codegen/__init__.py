"""The code generator: reads component sources with `ast` and writes `weaver_gen.py` files.

It never imports user code. What the generated code imports at run time is
`weaver.runtime.codegen` only (which re-exports the fingerprint check from here).
"""
