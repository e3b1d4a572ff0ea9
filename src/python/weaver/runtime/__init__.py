"""The runtime: hosting components in a process, placement, and (later) the control plane."""
