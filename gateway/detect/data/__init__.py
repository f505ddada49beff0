"""Word lists and other data files the detectors read at load time (not code)."""
