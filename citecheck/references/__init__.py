"""Reference strings and bibliography files: parsing, keys, DOIs, BibTeX in and out."""
