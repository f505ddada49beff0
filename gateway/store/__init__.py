"""Durable state: quarantine, audit log, document fingerprints, notification outbox.

SQLite (synchronous=FULL) by default, PostgreSQL for several gateway nodes.
"""
