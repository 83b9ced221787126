"""node-timing: consistent node-health timing for Kubernetes clusters."""

__version__ = "0.1.0"
