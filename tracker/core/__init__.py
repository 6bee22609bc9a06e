"""The pure core: event models, the projector and what is computed from a log (no I/O)."""
