"""hello: a small weaver app (HTTP frontend -> Greeter -> Counter) used in docs and tests."""
