"""A Django database backend for SQLite encrypted at rest with SQLCipher 4 (settings.py)."""
