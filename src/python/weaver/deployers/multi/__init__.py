"""The multiprocess deployer: an app's groups as local processes, replicated and restarted.

`deployment.deploy()` describes an app, places its groups and starts a `Manager` (one per
version); `deployment.serve()` runs it until SIGINT/SIGTERM or a stop request. `weaver multi ...`
(`command.py` parses, `actions.py` acts) and `weaver.testing`'s multi mode are built on these.
Kept empty so that `weaver --help` does not import the manager.
"""
