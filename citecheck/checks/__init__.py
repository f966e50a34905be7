"""Checks: one module per family of rules (linking, author-year linking, bibliography files,
registry). Each check takes a context (citations, references, resolutions) and yields
`Finding`s; problems in the user's document are data, never exceptions.

May import: model, findings, rules, results, version, references.
"""
