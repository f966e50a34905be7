"""Corpus runs: auditing a whole literature on a Dask cluster (`citecheck corpus`).

`inputs` finds the documents (directories, globs, tar bundles read in place, object-store
URLs through fsspec); `plan` cuts them into partitions and knows which a run has finished;
`snapshot_data` gives the snapshot the Parquet form the workers join against; `lookups` is
the join's work on one part of it; `joined` answers the resolver from the join as the snapshot
would; `tasks` reads, resolves, checks and writes one partition with the audit's own engine;
`run` drives it all on Dask; `output` and `store` write the Parquet datasets atomically;
`summary` and `charts` write the Markdown and HTML summary.

Everything here needs the `corpus` extra (dask[distributed], pyarrow, fsspec, numpy); the
CLI imports it only for `citecheck corpus`.

May import: model, findings, rules, results, version, engine, documents, references, config, resolve, sources.
"""
