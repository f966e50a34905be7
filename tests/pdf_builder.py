"""Writing small PDFs byte by byte for tests: pages that draw text, an image, or nothing.

No library: a PDF is a handful of numbered objects, a cross-reference table and a trailer, so
a test can make exactly the file it needs (an image-only scan, 1,501 pages) in a few lines.
Text uses Helvetica, one of the fonts every PDF reader has (not embedded).
"""

from __future__ import annotations

from pathlib import Path

_IMAGE = b"q 200 0 0 200 100 400 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
"""A page's content stream drawing a 2x2 grey image scaled to 200 points: a scan, as far as
the PDF can tell (no text)."""


def text_page(lines: list[str], size: int = 11) -> bytes:
    """A content stream writing `lines` down the page in Helvetica."""
    parts = [f"BT /F1 {size} Tf 72 720 Td {size + 3} TL".encode()]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        parts.append(f"({escaped}) Tj T*".encode("latin-1"))
    parts.append(b"ET")
    return b"\n".join(parts)


def image_page() -> bytes:
    """A content stream that draws one image and no text."""
    return _IMAGE


def write_pdf(path: Path, pages: list[bytes], shared: bool = False) -> Path:
    """Write a PDF whose pages draw the given content streams (`shared`: every page draws the
    first stream, so a thousand pages cost one stream)."""
    streams = pages[:1] if shared else pages
    count = len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(f"{3 + i} 0 R".encode() for i in range(count))
        + f"] /Count {count} >>".encode(),
    ]
    first_stream = 3 + count
    font = first_stream + len(streams)
    for index in range(count):
        stream = first_stream + (0 if shared else index)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {stream} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
    for content in streams:
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
