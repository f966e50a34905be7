"""Reading PDF manuscripts: the file editors and reviewers receive.

pypdfium2 (Google's PDFium, the engine of Chrome's PDF viewer, as a binary wheel) gives each
character with its box and baseline; the modules here turn that into text with its layout:

- `opening`: open the file, refuse bad PDFs in one line (encrypted, damaged, truncated, too
  many pages) and keep the time budget;
- `glyphs`: a page's characters with their size and baseline;
- `rows`: lines, superscripts joined to their line, two columns, reading order;
- `furniture`: running headers, footers and page numbers dropped;
- `typography`: raised numbers, and which of them cannot be citations;
- `text`: the text, hyphenation, ligatures, superscripts, and the layout back to the page;
- `reader`: `read_pdf`, the reader `citecheck audit` uses for `.pdf` files.
"""

from citecheck.documents.pdf.reader import extract_text, read_pdf

__all__ = ["extract_text", "read_pdf"]
