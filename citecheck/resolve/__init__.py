"""Resolving: deciding which registry record, if any, a reference describes. `resolver` asks the
sources (a DOI lookup, else a search), `matching` validates every candidate against the
reference's own title, authors, year, journal, volume and pages (a registry's relevance score
never decides), and `setup` assembles the sources an audit's options ask for.

May import: model, findings, rules, results, version, references, sources, config.
"""
