"""The `abusive_language` detector, one concern per module.

- sentences.py: cutting a text into sentences, and their offsets in the original text
- text.py: the normalised views of sentences (names and allow-listed phrases taken out)
- targets.py: names in the text, and whom a remark is aimed at
- allow.py: medical, place-name, everyday and name allow-lists; banter markers
- profanity.py: PROFANITY (mild, aimed at no one)
- insults.py: INSULT (aimed at the reader, a named person or a role)
- framing.py: the frames that aim a word at someone (shared with the slur check)
- frame_words.py: the word sets the frames read (copulas, modifiers, negations, ...)
- threats.py, harassment.py, discrimination.py, obscenity.py, defamation.py: the other types
- signals.py: what recognisers return, and the engine for the weighted pattern files
- lexicon.py: reading the word lists and pattern files in gateway/detect/data/language/
- triggers.py: which sentences a pattern can possibly match (cheap pre-checks)
- model.py: the alt-profanity-check model (confidence only, never a decision)
- detector.py: `LanguageDetector`, which puts them together; `build` is the registry factory
"""

from gateway.detect.language.detector import LanguageDetector, build

__all__ = ["LanguageDetector", "build"]
