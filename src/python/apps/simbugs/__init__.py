"""A small app with planted bugs for the simulator (weaver.testing.sim), and their fixes.

Each bug has a fixed twin: a sibling method (`incr_rmw`/`incr`, `debit_retriable`/`debit`) or
a config flag (`Orders.propagate_deadline`, `Ids.durable_epoch`), so one app serves both.
"""
