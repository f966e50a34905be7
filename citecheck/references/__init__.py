"""References: bibliographic values and the formats they come in, below every stage that uses
them. The reference-string parser (a CRF and rules), building `Reference`s from a list's raw
entries, BibTeX and CSL-JSON reading and writing, surgical .bib edits, stable keys, DOIs,
names and their particles, and the normalisation that makes a reference as written
comparable with a registry record.

May import: model.
"""
