"""Generated Crossref works that look like Crossref's: skewed like real keys, as large as real records.

A snapshot's cost depends on how skewed its keys and words are (how many records share a
family name, a journal, a volume, a title's first words) and, for the build, on how much
JSON there is to read. Uniform pseudo-words get both wrong. So every value here is drawn from
the frequencies measured on real references and records in `../shared/datasets`:

- title words: a first-order Markov chain over the words of real titles (biblio-glutton's
  records, Crossref's structured and APA matching sets), mixed with their unigram frequencies,
  so that first words ("Effect", "The", "A") and common sequences are as common as in print; a
  generated title that equals a real one is drawn again;
- family names and initials: as they occur in the real reference strings' author lists
  (Wang, Li, Kim, Lee, Chen... first), with the number of authors per work from the same lists;
- journals: the journal names of the real references, with their frequencies;
- (year, volume) pairs and first pages: as the real references' locators give them;
- a share of works shares its title with another (a preprint and its article, reprints), and
  a share carries a generic title ("Editorial", "Book Reviews"), as on Crossref.

Size: each work carries the bulk a real one does and citecheck never reads — a reference list
(35% of works none; the rest a log-normal count of entries shaped like Crossref's), dates,
licences, links, an abstract for a third — for ~11 KB of JSON per work on average, as the 2025
public data file has (1.9 TiB for 167 M works).

DOIs are under Crossref's test prefix 10.5555 (no real work is registered there). Real
biblio-glutton records can be planted among the generated ones (`plant`), unchanged: nothing
is added to a real work's record.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import math
import operator
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

DOI_PREFIX = "10.5555"
"""Crossref's test prefix: no real work is registered under it."""
GENERIC_TITLES = ("Editorial", "Book Reviews", "Introduction", "Erratum", "Correction", "Index", "Front Matter",
                  "Contents", "Letters to the Editor", "Announcements", "Reply", "Preface", "Obituary", "Abstracts")
"""Titles carried by many unrelated works on Crossref (front and back matter)."""
GENERIC_SHARE = 0.03
"""Share of works with a generic title."""
TWIN_SHARE = 0.04
"""Share of works that repeat an earlier work's title and first author (preprint and article)."""
NO_REFERENCES_SHARE = 0.35
"""Share of works deposited without a reference list."""
ABSTRACT_SHARE = 0.33
"""Share of works with an abstract."""

_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+")
_AUTHOR = re.compile(r"([A-Z][A-Za-z'’\-]+(?: [A-Z][a-z]+)?) ([A-Z]{1,3})(?=[,.])")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-2]\d)(?!\d)")


class _Weighted:
    """Draws from a finite distribution in O(log n)."""

    def __init__(self, counts: Counter[Any]) -> None:
        items = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
        self.values = [value for value, _ in items]
        self.cumulative = list(itertools.accumulate(count for _, count in items))

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class Distributions:
    """What the generator draws from, measured on the shared datasets."""

    first_words: _Weighted
    successors: dict[str, _Weighted]
    words: _Weighted
    title_lengths: _Weighted
    families: _Weighted
    initials: _Weighted
    author_counts: _Weighted
    journals: _Weighted
    year_volumes: _Weighted
    first_pages: _Weighted
    page_spans: _Weighted
    real_titles: frozenset[str]

    @classmethod
    def measure(cls, datasets: Path) -> Distributions:
        """Count every distribution on the biblio-glutton and Crossref matching sets."""
        from citecheck.references.blocking import _reference_locators  # the same locator reading as the keys

        glutton = datasets / "biblio-glutton"
        records = [json.loads(line) for line in gzip.open(glutton / "records-dev.jsonl.gz", "rt", encoding="utf-8")]
        refs = [json.loads(line)["reference"] for line in gzip.open(glutton / "refs-dev.jsonl.gz", "rt", encoding="utf-8")]
        matching = datasets / "crossref-matching"
        structured = json.loads((matching / "real_structured_2000_sbmv.json").read_text(encoding="utf-8"))["dataset"]
        titles = [r["title"][0] for r in records if r.get("title")]
        titles += [s["reference"]["article-title"] for s in structured if s["reference"].get("article-title")]
        journals = Counter(r["container-title"][0] for r in records if r.get("container-title"))
        journals.update(s["reference"]["journal-title"] for s in structured if s["reference"].get("journal-title"))
        first, following, unigrams, lengths = Counter(), defaultdict(Counter), Counter(), Counter()
        for title in titles:
            words = _WORD.findall(title)
            if not words:
                continue
            lengths[len(words)] += 1
            first[words[0]] += 1
            unigrams.update(w.lower() for w in words[1:])
            for a, b in zip(words, words[1:]):
                following[a.lower()][b.lower()] += 1
        families, initials, counts = Counter(), Counter(), Counter()
        year_volumes, pages, spans = Counter(), Counter(), Counter()
        for raw in refs:
            text = raw.replace("\n", " ")
            authors = _AUTHOR.findall(text.split(". ")[0][:400])
            for family, given in authors:
                families[family] += 1
                initials[given] += 1
            if authors:
                counts[len(authors) + (3 if "et al" in text[:400] else 0)] += 1
            years = _YEAR.findall(text)
            for volume, page, _ in _reference_locators({}, text)[:1]:
                if years and volume.isdigit() and page.isdigit():
                    year_volumes[(int(years[-1]), volume)] += 1
                    pages[page] += 1
                    end = re.search(re.escape(page) + r"\s*[-–]\s*(\d+)", text)
                    if end and end.group(1).isdigit():
                        last = int(end.group(1))
                        if last < int(page):  # "1252-60"
                            last = int(page[: len(page) - len(end.group(1))] + end.group(1) or 0)
                        if 0 <= last - int(page) < 200:
                            spans[last - int(page)] += 1
        return cls(
            first_words=_Weighted(first), successors={w: _Weighted(c) for w, c in following.items()},
            words=_Weighted(unigrams), title_lengths=_Weighted(lengths), families=_Weighted(families),
            initials=_Weighted(initials), author_counts=_Weighted(counts), journals=_Weighted(journals),
            year_volumes=_Weighted(year_volumes), first_pages=_Weighted(pages), page_spans=_Weighted(spans),
            real_titles=frozenset(" ".join(_WORD.findall(t.lower())) for t in titles),
        )


class Generator:
    """Crossref-shaped works, deterministic for a seed."""

    def __init__(self, distributions: Distributions, seed: int) -> None:
        self.d = distributions
        self.rng = random.Random(seed)
        self._recent: list[tuple[str, dict[str, Any]]] = []
        # Bulk text (abstracts, cited titles) from a pool: its words need the right frequencies,
        # not a fresh draw each time, and drawing titles is the generator's slowest part.
        self._titles = [self.title() for _ in range(3000)]
        self._references = [self._reference_entry() for _ in range(3000)]
        # A work's title and authors are spliced from pools too (drawing them word by word is
        # too slow for ten million works): the first words of one pooled title and the rest of
        # another, so that titles stay distinct while first words keep their frequencies; a
        # pooled author list whose first author is drawn afresh.
        self._words = [title.split() for title in (self.title() for _ in range(20_000))]
        self._authors = [self.authors() for _ in range(20_000)]

    def title(self) -> str:
        rng, d = self.rng, self.d
        if rng.random() < GENERIC_SHARE:
            return rng.choice(GENERIC_TITLES)
        while True:
            length = max(2, d.title_lengths.draw(rng))
            words = [d.first_words.draw(rng)]
            while len(words) < length:
                nxt = d.successors.get(words[-1].lower())
                words.append(nxt.draw(rng) if nxt is not None and rng.random() < 0.7 else d.words.draw(rng))
            if " ".join(w.lower() for w in words) not in d.real_titles:
                return " ".join(words)

    def authors(self) -> list[dict[str, str]]:
        count = max(1, self.d.author_counts.draw(self.rng))
        if count >= 7:  # "et al." lists: the tail beyond six follows a geometric law
            count += int(self.rng.expovariate(0.15))
        out = []
        for index in range(count):
            given = " ".join(f"{c}." for c in self.d.initials.draw(self.rng))
            out.append({"given": given, "family": self.d.families.draw(self.rng),
                        "sequence": "first" if index == 0 else "additional", "affiliation": []})
        return out

    def _reference_entry(self) -> str:
        """A cited work as Crossref lists it (the fields and their shares of a real reference
        list), as JSON text without its opening brace (the key is prefixed per citing work)."""
        rng, d = self.rng, self.d
        year, volume = d.year_volumes.draw(rng)
        entry: dict[str, Any] = {"author": d.families.draw(rng), "year": str(year)}
        if rng.random() < 0.85:
            entry.update({"article-title": rng.choice(self._titles), "journal-title": d.journals.draw(rng),
                          "volume": volume, "first-page": d.first_pages.draw(rng)})
        if rng.random() < 0.7:
            entry.update({"DOI": f"{DOI_PREFIX}/cited.{int(rng.paretovariate(0.6)) % 10**7}",
                          "doi-asserted-by": rng.choice(("crossref", "publisher"))})
        if rng.random() < 0.15:
            entry["unstructured"] = (f"{entry['author']} {d.initials.draw(rng)}. {rng.choice(self._titles)}. "
                                     f"{d.journals.draw(rng)}. {year};{volume}:{d.first_pages.draw(rng)}.")
        return json.dumps(entry, ensure_ascii=False)[1:]

    def work(self, number: int) -> dict[str, Any]:
        """One generated work (`number` makes its DOI)."""
        rng, d = self.rng, self.d
        if self._recent and rng.random() < TWIN_SHARE:
            twin = rng.choice(self._recent)[1]
            title, authors = twin["title"][0], twin["author"]
        elif rng.random() < GENERIC_SHARE:
            title, authors = rng.choice(GENERIC_TITLES), rng.choice(self._authors)
        else:
            head, tail = rng.choice(self._words), rng.choice(self._words)
            cut = min(3, len(head))
            title = " ".join(head[:cut] + tail[cut:]) if len(tail) > cut else " ".join(head)
            pooled = rng.choice(self._authors)
            authors = [{**pooled[0], "family": d.families.draw(rng)}, *pooled[1:]]
        year, volume = d.year_volumes.draw(rng)
        first = int(d.first_pages.draw(rng))
        journal = d.journals.draw(rng)
        doi = f"{DOI_PREFIX}/bench.{number}"
        kind = rng.choices(("journal-article", "book-chapter", "proceedings-article", "posted-content"), (85, 8, 4, 3))[0]
        date = {"date-parts": [[year, rng.randint(1, 12), rng.randint(1, 28)]]}
        stamp = {"date-parts": [[2024, rng.randint(1, 12), rng.randint(1, 28)]], "date-time": "2024-05-06T07:08:09Z",
                 "timestamp": 1714979289000}
        work: dict[str, Any] = {
            "indexed": {**stamp, "version": "3.40.4"}, "reference-count": 0, "publisher": "Benchmark Publisher",
            "issue": str(rng.randint(1, 12)), "license": [{"start": stamp, "content-version": "vor", "delay-in-days": 0,
                                                          "URL": "http://creativecommons.org/licenses/by/4.0/"}],
            "content-domain": {"domain": [], "crossmark-restriction": False}, "short-container-title": [journal],
            "published-print": date, "DOI": doi, "type": kind, "created": stamp, "page": f"{first}-{first + d.page_spans.draw(rng)}",
            "source": "Crossref", "is-referenced-by-count": rng.randint(0, 300), "title": [title], "prefix": DOI_PREFIX,
            "volume": volume, "author": authors, "member": "0", "container-title": [journal],
            "link": [{"URL": f"https://example.org/{doi}.pdf", "content-type": "application/pdf",
                      "content-version": "vor", "intended-application": "text-mining"}],
            "deposited": stamp, "score": 1, "issued": date, "references-count": 0, "URL": f"https://doi.org/{doi}",
            "ISSN": [f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"], "language": "en",
        }
        if rng.random() < ABSTRACT_SHARE:
            work["abstract"] = "<jats:p>" + ". ".join(rng.choices(self._titles, k=8)) + ".</jats:p>"
        if rng.random() >= NO_REFERENCES_SHARE:
            count = min(400, int(rng.lognormvariate(3.7, 0.6)))
            work["reference-count"] = work["references-count"] = count
            work["reference"] = _Raw(doi, self._references, rng, count)
        self._recent.append((doi, work))
        if len(self._recent) > 500:
            self._recent.pop(0)
        return work


_KEYS = [f'{{"key":"ref-{n}",' for n in range(1, 401)]


class _Raw:
    """A reference list serialised from pooled entries (JSON text spliced in as is)."""

    def __init__(self, doi: str, pool: list[str], rng: random.Random, count: int) -> None:
        self.text = "[" + ",".join(map(operator.add, _KEYS[:count], rng.choices(pool, k=count))) + "]"


def dumps(work: dict[str, Any]) -> str:
    """One JSON Lines line for a work (reference lists spliced in without re-encoding)."""
    references = work.pop("reference", None)
    line = msgspec.json.encode(work).decode()
    if isinstance(references, _Raw):
        line = line[:-1] + ',"reference":' + references.text + "}"
    return line


_GENERATORS: dict[int, Generator] = {}


def _generator(distributions: Distributions) -> Generator:
    """One generator per process and distributions: its pools are built once (seed 0)."""
    key = id(distributions)
    if key not in _GENERATORS:
        _GENERATORS[key] = Generator(distributions, 0)
    return _GENERATORS[key]


def write_part(path: Path, distributions: Distributions, seed: int, start: int, count: int,
               planted: Sequence[dict[str, Any]] = ()) -> None:
    """A gzipped JSON Lines file of `count` generated works numbered from `start`, with the
    `planted` records at seeded positions among them (written as they are)."""
    try:
        from isal import igzip as fast_gzip  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover
        fast_gzip = gzip  # type: ignore[assignment]
    generator = _generator(distributions)
    generator.rng.seed(seed)
    rng = random.Random(seed + 1)
    slots = {rng.randrange(count + len(planted)) for _ in planted}
    while len(slots) < len(planted):
        slots.add(rng.randrange(count + len(planted)))
    plant = iter(planted)
    slot_set = sorted(slots)
    temporary = path.with_name(path.name + ".tmp")
    with fast_gzip.open(temporary, "wt", encoding="utf-8", compresslevel=2) as out:  # type: ignore[call-overload]
        number = start
        for index in range(count + len(planted)):
            if slot_set and index == slot_set[0]:
                slot_set.pop(0)
                out.write(json.dumps(next(plant), ensure_ascii=False) + "\n")
                continue
            out.write(dumps(generator.work(number)) + "\n")
            number += 1
    temporary.replace(path)


def parts(total: int, per_file: int) -> Iterator[tuple[int, int, int]]:
    """(file index, first number, count) of every file of a `total`-work data file."""
    for index, start in enumerate(range(0, total, per_file)):
        yield index, start, min(per_file, total - start)


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (0 for nothing)."""
    return math.fsum(values) / len(values) if values else 0.0
