"""Sources: where registry records come from, behind one protocol (`base.WorkSource`): the
answer cache, local snapshots, Crossref's REST API (the only module that imports habanero),
PubMed (NCBI E-utilities), DataCite, the DOI system's agency lookup, an in-memory source for
tests, offline stand-ins, and the retry loop and pacing that keep requests within each service's
limits. A source that fails raises `SourceUnavailable`; it never answers "not found" for a
failure. A source asked what it does not cover raises `NotCovered`.

May import: model, findings, rules, results, version, references.
"""
