"""Agreement files: the YAML format, read into events and written back."""
