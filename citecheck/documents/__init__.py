"""Documents: one reader per input family (plain text and Markdown, author-year prose, LaTeX with
its `.aux`/`.bcf`, Pandoc/Quarto/R Markdown, Word, JATS XML read safely by `xmltree`), each turning a file into citations, the raw
entries of its own reference list, and the bibliography files it names. Also: reading those
bibliography files (`bibliography`), decoding and size limits for input (`loading`), and
finding the documents a command line names (`discovery`). Readers never parse reference
strings, and link only where the document itself links (JATS xrefs); the engine does the rest.

May import: model, references.
"""
