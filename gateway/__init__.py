"""Outbound email compliance gateway for medical schools.

The package reads each outgoing message, finds patient identifiers, abusive
language and university documents, lets a declarative policy decide, and
relays, annotates, holds or rejects the message without ever losing it.
"""

__version__ = "0.1.0"
