"""`weaver kube`: Kubernetes as a deployer; so far, deterministic manifests for one version."""
