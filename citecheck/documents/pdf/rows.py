"""A page's characters as lines (rows) in reading order, across one or two columns.

1. **Baselines.** Characters on one baseline (within a tenth of their size) form a cluster.
2. **Superscripts and subscripts join their line.** A cluster drawn smaller than a line right
   below it (its baseline within three quarters of that line's size) or right above it (a
   subscript) is not a line of its own: each of its characters joins the line it stands beside.
   The row keeps its own baseline and size, so the raise of a superscript can be measured.
3. **Columns.** The gutter is a vertical strip in the middle half of the page that the rows'
   ink avoids (a few full-width rows, such as the title block or a wide caption, may cross it)
   with ink on each side of it in at least a tenth of the rows (three at least). Rows on one baseline are split at the
   gutter; a row that crosses it spans the page.
4. **Reading order.** Top to bottom, a row spanning the page ends a band; within a band the
   left column is read before the right one.
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from operator import attrgetter
from dataclasses import dataclass, field
from statistics import median

from citecheck.documents.pdf.glyphs import Glyph

__all__ = ["Row", "page_rows", "FULL_WIDTH", "LEFT", "RIGHT"]

FULL_WIDTH, LEFT, RIGHT = 0, 1, 2
"""`Row.column` values."""

_BASELINE_TOLERANCE = 0.1
"""Characters whose baselines differ by less than this share of their size share a line."""
_SMALLER = 0.9
"""A superscript is drawn below this share of its line's size."""
_RAISE_REACH = 0.75
"""How far above a line's baseline (in its sizes) a superscript's baseline may stand."""
_SINK_REACH = 0.4
"""How far below a line's baseline (in its sizes) a subscript's baseline may stand."""
_BIN = 2.0
"""Width in points of the strips the gutter search counts ink in."""
# Sort keys in C (Glyph is a named tuple): sorting every character of a page is the hot path.
_BY_BASELINE = attrgetter("baseline")
_BY_LEFT = attrgetter("x0")
_WORD_GAP = 0.5
"""Gaps narrower than this share of the size join characters into one stretch of ink."""


@dataclass(slots=True)
class Row:
    """One line of text on a page: its characters left to right, and its own baseline and size."""

    glyphs: list[Glyph]
    """Characters, sorted by their left edge."""
    baseline: float
    """The line's baseline (that of its full-size characters), from the page's top."""
    size: float
    """The size of its full-size characters, in points."""
    column: int = FULL_WIDTH
    """FULL_WIDTH, LEFT or RIGHT."""
    page: int = 0
    """1-based page number."""
    line: int = 0
    """1-based line on the page in reading order (0 for dropped furniture)."""
    furniture: bool = False
    """A running header or footer, or a page number: not part of the text."""
    x0: float = field(init=False, default=0.0)
    """Left edge of its ink."""
    x1: float = field(init=False, default=0.0)
    """Right edge of its ink."""
    top: float = field(init=False, default=0.0)
    """Top of its highest character."""
    bottom: float = field(init=False, default=0.0)
    """Bottom of its lowest character."""
    smallest: float = field(init=False, default=0.0)
    """Size of its smallest character (a row without smaller ones has no superscript)."""

    def __post_init__(self) -> None:
        # Computed once: the layout asks for a row's edges many times.
        glyphs = self.glyphs
        self.x0 = glyphs[0].x0
        self.x1 = max(g.x1 for g in glyphs)
        self.top = min(g.top for g in glyphs)
        self.bottom = max(g.bottom for g in glyphs)
        self.smallest = min(g.size for g in glyphs)

    def text(self) -> str:
        """Its characters with a space wherever pdfium saw one (for headings and furniture)."""
        out: list[str] = []
        for glyph in self.glyphs:
            if glyph.space_before and out:
                out.append(" ")
            out.append(glyph.char)
        return "".join(out)


@dataclass(slots=True)
class _Cluster:
    glyphs: list[Glyph]
    baseline: float
    size: float
    full_x0: list[float] = field(default_factory=list)
    """Left edges of its full-size characters, sorted (for the nearest-neighbour test)."""
    full_x1: list[float] = field(default_factory=list)
    """Their right edges, in the same order."""
    smallest: float = 0.0
    """The size of its smallest character."""


def _clusters(glyphs: list[Glyph]) -> list[_Cluster]:
    """Characters grouped by baseline, top to bottom."""
    ordered = sorted(glyphs, key=_BY_BASELINE)
    clusters: list[_Cluster] = []
    current: list[Glyph] = []
    anchor = 0.0
    for glyph in ordered:
        if current and glyph.baseline - anchor > max(0.5, _BASELINE_TOLERANCE * glyph.size):
            clusters.append(_finish(current))
            current = []
        if not current:
            anchor = glyph.baseline
        current.append(glyph)
    if current:
        clusters.append(_finish(current))
    return clusters


def _finish(glyphs: list[Glyph]) -> _Cluster:
    sizes = sorted(g.size for g in glyphs)
    size = sizes[len(sizes) // 2]
    full = sorted((g for g in glyphs if g.size >= _SMALLER * size), key=_BY_LEFT)
    baseline = median(g.baseline for g in full) if full else median(g.baseline for g in glyphs)
    return _Cluster(glyphs, baseline, size, [g.x0 for g in full], [g.x1 for g in full], sizes[0])


def _distance(cluster: _Cluster, glyph: Glyph) -> float:
    """Horizontal distance from `glyph` to the nearest full-size character of `cluster`."""
    xs = cluster.full_x0
    if not xs:
        return float("inf")
    at = bisect.bisect_right(xs, glyph.x0)
    best = float("inf")
    if at > 0:
        best = max(0.0, glyph.x0 - cluster.full_x1[at - 1])
    if at < len(xs):
        best = min(best, max(0.0, xs[at] - glyph.x1))
    return best


def _host(clusters: list[_Cluster], baselines: list[float], glyph: Glyph) -> _Cluster | None:
    """The line a smaller character stands beside, as superscript or subscript, if any: the
    nearest (horizontally) line drawn bigger whose baseline is within reach."""
    best: _Cluster | None = None
    best_key = (0.0, 0.0)
    low = bisect.bisect_left(baselines, glyph.baseline - _RAISE_REACH * 3 * glyph.size)
    high = bisect.bisect_right(baselines, glyph.baseline + _RAISE_REACH * 3 * glyph.size)
    for candidate in clusters[low:high]:
        if glyph.size >= _SMALLER * candidate.size:
            continue
        rise = candidate.baseline - glyph.baseline  # > 0: the glyph stands higher
        if not (-_SINK_REACH * candidate.size <= rise <= _RAISE_REACH * candidate.size):
            continue
        distance = _distance(candidate, glyph)
        if distance > candidate.size:
            continue
        key = (distance, abs(rise))
        if best is None or key < best_key:
            best, best_key = candidate, key
    return best


def _lines(glyphs: list[Glyph]) -> list[Row]:
    """Rows with their superscripts and subscripts, top to bottom (steps 1 and 2).

    Every character drawn smaller than its own cluster, or than the page's usual size, looks
    for a line it stands beside; the one whose characters are nearest wins, so a superscript
    that shares its raised baseline with a line of the other column still finds its own line.
    """
    clusters = _clusters(glyphs)
    baselines = [c.baseline for c in clusters]
    page_size = median(c.size for c in clusters) if clusters else 0.0
    members: dict[int, list[Glyph]] = {id(c): [] for c in clusters}
    for cluster in clusters:
        limit = _SMALLER * max(cluster.size, page_size)
        mine = members[id(cluster)]
        if cluster.smallest >= limit:
            mine.extend(cluster.glyphs)  # nothing drawn smaller: most lines
            continue
        for glyph in cluster.glyphs:
            host = _host(clusters, baselines, glyph) if glyph.size < limit else None
            members[id(host or cluster)].append(glyph)
    rows = []
    for cluster in clusters:
        mine = members[id(cluster)]
        if not mine:
            continue
        mine.sort(key=_BY_LEFT)
        full = [g for g in mine if g.size >= _SMALLER * cluster.size]
        baseline = median(g.baseline for g in full) if full else cluster.baseline
        rows.append(Row(mine, baseline, cluster.size))
    rows.sort(key=lambda r: r.baseline)
    return rows


def _stretches(row: Row) -> list[tuple[float, float]]:
    """The row's ink as intervals, word gaps bridged."""
    out: list[tuple[float, float]] = []
    gap = _WORD_GAP * row.size
    low = high = 0.0
    for glyph in row.glyphs:
        if out and glyph.x0 - high < gap:
            if glyph.x1 > high:
                high = glyph.x1
                out[-1] = (low, high)
        else:
            low, high = glyph.x0, glyph.x1
            out.append((low, high))
    return out


def find_gutter(rows: list[Row], width: float) -> tuple[float, float] | None:
    """The gutter between two columns as (left, right) edges, or None (step 3)."""
    counted = [r for r in rows if len(r.glyphs) >= 3]
    if len(counted) < 8 or width <= 0:
        return None
    bins = int(width / _BIN) + 1
    stretches = [_stretches(r) for r in counted]
    # Rows covering each strip, by a difference array: a row's stretches are apart by more than
    # a word gap, so they rarely share a strip, and counting is linear in stretches and strips.
    steps = [0] * (bins + 1)
    for row_stretches in stretches:
        for low, high in row_stretches:
            steps[min(bins, max(0, int(low / _BIN)))] += 1
            steps[min(bins, max(0, int(high / _BIN) + 1))] -= 1
    coverage = list(accumulate(steps))[:bins]
    text_left = min(r.x0 for r in counted)
    text_right = max(r.x1 for r in counted)
    span = text_right - text_left
    if span <= 0:
        return None
    lo_bin = min(bins - 1, max(0, int((text_left + 0.25 * span) / _BIN)))
    hi_bin = min(bins - 1, max(0, int((text_left + 0.75 * span) / _BIN)))
    middle = coverage[lo_bin:hi_bin + 1]
    if not middle:
        return None
    floor = min(middle)
    if floor > 0.2 * len(counted):
        return None
    allowed = floor + max(1, int(0.02 * len(counted)))
    best: tuple[int, int] | None = None
    run_start = None
    for b in range(lo_bin, hi_bin + 2):
        inside = b <= hi_bin and coverage[b] <= allowed
        if inside and run_start is None:
            run_start = b
        elif not inside and run_start is not None:
            if best is None or b - run_start > best[1] - best[0]:
                best = (run_start, b)
            run_start = None
    if best is None:
        return None
    gutter = (best[0] * _BIN, best[1] * _BIN)
    left = right = 0
    for row_stretches in stretches:
        if any(low < gutter[1] - _BIN and high > gutter[0] + _BIN for low, high in row_stretches):
            continue  # crosses the gutter: a full-width row
        left += any(high <= gutter[0] + _BIN for _, high in row_stretches)
        right += any(low >= gutter[1] - _BIN for low, _ in row_stretches)
    # A last page's right column may be a few lines: a tenth of the rows (three at least) will do.
    needed = max(3, 0.1 * len(counted))
    if left < needed or right < needed:
        return None
    return gutter


def _split(row: Row, gutter: tuple[float, float]) -> list[Row]:
    """The row as a left and/or right column row, or itself spanning the page."""
    middle = (gutter[0] + gutter[1]) / 2
    left = [g for g in row.glyphs if (g.x0 + g.x1) / 2 < middle]
    right = [g for g in row.glyphs if (g.x0 + g.x1) / 2 >= middle]
    if not right:
        return [Row(row.glyphs, row.baseline, row.size, LEFT)]
    if not left:
        return [Row(row.glyphs, row.baseline, row.size, RIGHT)]
    gap_low = max(g.x1 for g in left)
    gap_high = right[0].x0
    if gap_low <= gutter[0] + _BIN and gap_high >= gutter[1] - _BIN and gap_high - gap_low >= 0.8 * row.size:
        return [_part(left, row, LEFT), _part(right, row, RIGHT)]
    return [row]


def _part(glyphs: list[Glyph], row: Row, column: int) -> Row:
    """One column's share of a row shared by both columns, with its own baseline and size."""
    full = [g for g in glyphs if g.size >= _SMALLER * row.size] or glyphs
    return Row(glyphs, median(g.baseline for g in full), row.size, column)


def _reading_order(rows: list[Row]) -> list[Row]:
    """Bands between full-width rows; the left column before the right within each (step 4)."""
    ordered: list[Row] = []
    left: list[Row] = []
    right: list[Row] = []
    for row in sorted(rows, key=lambda r: (r.baseline, r.x0)):
        if row.column == FULL_WIDTH:
            ordered += left + right
            left, right = [], []
            ordered.append(row)
        elif row.column == LEFT:
            left.append(row)
        else:
            right.append(row)
    return ordered + left + right


def page_rows(glyphs: list[Glyph], width: float, page: int) -> list[Row]:
    """The page's rows in reading order, each knowing its column and page."""
    rows = _lines(glyphs)
    gutter = find_gutter(rows, width)
    if gutter is not None:
        rows = [part for row in rows for part in _split(row, gutter)]
    ordered = _reading_order(rows)
    for row in ordered:
        row.page = page
    return ordered
