"""Checks: one module per family of rules; each check takes a context and yields findings."""
