"""The characters pdfium finds on a page, with what their typography says.

pdfium (through pypdfium2) reports, per character: its Unicode value (spaces and line breaks,
drawn or added by pdfium between text objects, only mark word boundaries), its loose box (the
font's advance width and its ascent to descent), its origin on the baseline, its font size
and its matrix. The size it is drawn at is the font size times the matrix's vertical scale:
producers set the size with either (TeX with the font size, others with a matrix), and the
loose box's height cannot be compared across fonts (a 6-point face of Latin Modern has a taller
box, for its size, than the 10-point one). A superscript `1` is a `1` drawn smaller with its
baseline raised: that is how the layout finds citation marks that the PDF stores as ordinary
digits.

Coordinates are turned to the top-left origin a reader expects: `top`, `bottom` and
`baseline` grow down the page.
"""

from __future__ import annotations

import ctypes
from typing import Any, NamedTuple

__all__ = ["Glyph", "PageGlyphs", "read_page"]


class Glyph(NamedTuple):
    """One drawn character."""

    char: str
    """Its text (one character; pdfium splits ligatures)."""
    x0: float
    """Left edge, in points from the page's left."""
    x1: float
    """Right edge."""
    top: float
    """Top of the loose box, in points from the page's top."""
    bottom: float
    """Bottom of the loose box."""
    baseline: float
    """The baseline the character sits on, in points from the page's top."""
    size: float
    """The size the character is drawn at, in points: the font size times the text matrix's
    vertical scale (producers set either or both)."""
    index: int
    """pdfium's index of the character on its page (to ask for its font later)."""
    space_before: bool
    """pdfium saw a space or a line break just before it in the content stream."""


class PageGlyphs:
    """A page's drawn characters and the means to ask pdfium about their fonts.

    Holds the page's pdfium text page open until `close`.
    """

    def __init__(self, number: int, width: float, height: float, glyphs: list[Glyph],
                 textpage: Any, has_images: bool, page: Any = None) -> None:
        self.number = number
        """1-based page number."""
        self.width = width
        """Page width in points."""
        self.height = height
        """Page height in points."""
        self.glyphs = glyphs
        """Drawn, non-space characters in content-stream order."""
        self.has_images = has_images
        """The page draws at least one image (a scanned page has images and no text)."""
        self._textpage = textpage
        self._page = page
        self._fonts: dict[int, str] = {}

    def font(self, glyph: Glyph) -> str:
        """The name of the font `glyph` is drawn in (`LMMathItalic10-Regular`), cached."""
        name = self._fonts.get(glyph.index)
        if name is None:
            import pypdfium2.raw as pdfium_c

            buffer = ctypes.create_string_buffer(128)
            flags = ctypes.c_int()
            pdfium_c.FPDFText_GetFontInfo(self._textpage.raw, glyph.index, buffer, len(buffer), ctypes.byref(flags))
            name = buffer.value.decode("utf-8", "replace")
            self._fonts[glyph.index] = name
        return name

    def close(self) -> None:
        """Release pdfium's text page and page."""
        self._textpage.close()
        if self._page is not None:
            self._page.close()


def _has_images(page: Any) -> bool:
    """Whether the page draws an image (objects are counted only when the text is empty)."""
    import pypdfium2.raw as pdfium_c

    try:
        return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))
    except Exception:  # a damaged object stream: the text answer stands
        return False


def _codes(raw: Any, count: int) -> list[int]:
    """The Unicode value of each character index of a text page, in one call where possible."""
    import pypdfium2.raw as pdfium_c

    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    units = list(buffer[: max(written - 1, 0)])
    if len(units) == count and not any(0xD800 <= u <= 0xDFFF for u in units):
        return units
    # Characters outside the Basic Multilingual Plane (math alphanumerics of unicode-math) take
    # two UTF-16 units: ask for each character's value instead.
    return [pdfium_c.FPDFText_GetUnicode(raw, index) for index in range(count)]


_BLANK = frozenset((0, 0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000, 0xFEFF))


def read_page(document: Any, number: int) -> PageGlyphs:
    """The drawn characters of page `number` (1-based) of a pypdfium2 document."""
    import pypdfium2.raw as pdfium_c

    page = document[number - 1]
    left, bottom, right, top = page.get_bbox()
    width, height = right - left, top - bottom
    textpage = page.get_textpage()
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    glyphs: list[Glyph] = []
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    x_ref, y_ref = ctypes.byref(origin_x), ctypes.byref(origin_y)
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    char_origin = pdfium_c.FPDFText_GetCharOrigin
    font_size = pdfium_c.FPDFText_GetFontSize
    char_matrix = pdfium_c.FPDFText_GetMatrix
    append = glyphs.append
    sizes: dict[tuple[float, float], float] = {}
    space = True
    # pdfium's own spaces and line breaks (drawn or generated) only mark word boundaries.
    for index, code in enumerate(_codes(raw, count) if count > 0 else ()):
        if code in _BLANK or 0xD800 <= code <= 0xDFFF:
            space = True
            continue
        loose_box(raw, index, rect_ref)
        if not (rect.top > rect.bottom and rect.right >= left and rect.left <= right
                and rect.top >= bottom and rect.bottom <= top):
            continue  # nothing drawn, or drawn off the page: no reader sees it
        char_origin(raw, index, x_ref, y_ref)
        # The size costs two more calls. Characters of one font at one size share the height of
        # their loose box and its reach above the baseline, so the answer is kept for them.
        shape = (rect.top - rect.bottom, rect.top - origin_y.value)
        size = sizes.get(shape)
        if size is None:
            char_matrix(raw, index, matrix_ref)
            size = font_size(raw, index) * (abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5)
            if size <= 0:
                size = rect.top - rect.bottom
            sizes[shape] = size
        append(Glyph(chr(code), rect.left - left, rect.right - left, top - rect.top, top - rect.bottom,
                     top - origin_y.value, size, index, space))
        space = False
    has_images = _has_images(page) if not glyphs else False
    return PageGlyphs(number, width, height, glyphs, textpage, has_images, page)
