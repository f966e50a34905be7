"""Fixing: the corrected bibliography. The fix plan (which registry values may replace or fill
what the author wrote, safe or unsafe), surgical edits of the user's .bib, renumbering a
numeric document in order of first citation, the placement hints for uncited entries, and
formatting in a CSL style.

May import: model, findings, rules, results, version, references, documents.
"""
