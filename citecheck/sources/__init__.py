"""Where registry records come from: a cache, local snapshots, and Crossref, behind one protocol."""
