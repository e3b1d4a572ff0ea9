"""weaver.rollout: shift an app's traffic from the running version to a new one, health-gated.

`weaver rollout deploy --pex APP.pex --manifest APP.manifest.json` (what `pants run deploy:rollout`
executes) copies the PEX into the state dir, starts it under the multiprocess deployer next to
the running version (`weaver multi deploy --private-listeners --detach`), waits until it is
healthy, then moves traffic in steps through the app's version-pinning proxy (`weaver.proxy`, one
long-lived detached process per app that owns the public listener addresses). At every step the
new version's error ratio and p99 are compared with the old one's; a worse new version is rolled
back. With all traffic on the new version, the old one drains and is stopped.

Modules, one concept each:
    paths       where an app's rollout files live (state dir layout)
    state       the persisted rollout state (state.json) and its transitions' data
    lock        one live controller per app (fcntl lock file holding the pid)
    schedule    durations, the step list and when each step ends
    gate        the health-gate verdicts (Fisher, rank and tail tests with floors; docs/rollout-gates.md)
    warmup      synthetic warm-up requests to a new version before it takes traffic
    ports       the Protocols the controller drives: the proxy front, the deployer, the clock
    front       the proxy front: a detached proxy process per app and its admin client
    proxyhost   the detached proxy process itself (`weaver rollout _proxy`)
    deployer    the multiprocess deployer through its CLI and status.json
    package     the PEX and manifest being rolled out (version, listeners)
    controller  the state machine: deploy, step, roll back, drain, finish; resume and abort
    display     live progress (rich table on a TTY, plain lines otherwise)
    command     the `weaver rollout` subcommands
"""
