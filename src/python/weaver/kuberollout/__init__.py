"""`weaver kube rollout`: the rollout controller (weaver.rollout) on the kube deployer (weaver.deployers.kube).

The proxy runs as its own Deployment, each version as the kube deployer's objects, and the
rollout's state lives in a ConfigMap, so a controller that dies is resumed by the next one.
"""
