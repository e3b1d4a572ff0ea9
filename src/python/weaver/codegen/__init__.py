"""The code generator: reads component sources with `ast` and writes `weaver_gen.py` files.

It never imports user code. `weaver.codegen.fingerprint` is also used at run time by the
generated code, so this package's `__init__` imports nothing heavy.
"""
