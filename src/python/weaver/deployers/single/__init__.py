"""The single-process deployer: the whole app in one process (`weaver single deploy APP.pex`)."""
