"""Word lists and patterns for the language detector (read in `LanguageDetector.load()`)."""
