"""Sources: where registry records come from, behind one protocol (`base.WorkSource`): the
answer cache, local snapshots, Crossref's REST API (the only module that imports habanero),
an in-memory source for tests, and the pacing that keeps requests within the services'
limits. A source that fails raises `SourceUnavailable`; it never answers "not found" for a
failure.

May import: model, findings, rules, results, version, references.
"""
