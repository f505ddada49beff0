"""Word lists for the patient detector: one concept per file, one entry per line, '#' comments."""
