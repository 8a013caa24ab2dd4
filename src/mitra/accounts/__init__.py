"""Accounts: users and their roles, the journal each person owns, API tokens."""
