"""Generated JATS articles with known truth, for the corpus benchmark and the corpus tests.

    python -m benchmarks.jats_articles --fixtures     # rewrites tests/fixtures/corpus/

Each article's reference list holds real reference strings of biblio-glutton (PubMed Central
references with their true DOIs; Apache-2.0), as untagged `<mixed-citation>`s with their PDF
line breaks undone (a typeset list has none). Its body is generated filler that says nothing,
one paragraph per line, citing the entries with numeric xrefs in the forms publishers use
(`[3]`, `[3], [4]`, `[5]–[9]` as two xrefs joined by an en dash), numbered in order of first
citation. Planted, and recorded in the truth:

- uncited entries (listed, never cited): each must be `uncited-reference`;
- dangling xrefs (an `rid` no `<ref>` has): each must be `citation-without-entry` at its line;
- references whose record the benchmark holds out of the snapshot: they must stay unmatched.

The truth of an article (`NAME.truth.json`): every entry's id and true DOI, the uncited ids,
the dangling xrefs with their lines. Nothing here is a bibliographic fact of its own: the
entries and DOIs are biblio-glutton's, copied.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from citecheck.references.normalize import unwrap

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "corpus"
GLUTTON = ROOT / ".." / "shared" / "datasets" / "biblio-glutton"

_WORDS = ("the", "earlier", "studies", "model", "data", "results", "method", "cohort", "analysis", "findings",
          "approach", "sample", "measure", "effect", "report", "trial", "review", "series", "protocol", "outcome")


@dataclass(frozen=True)
class Article:
    """One generated article: its file name, XML text and truth."""

    name: str
    xml: str
    truth: dict[str, Any]


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:  # type: ignore[operator]
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(7, 14))]
    return " ".join(words).capitalize()


def _xref(number: int) -> str:
    return f'<xref ref-type="bibr" rid="r{number}">[{number}]</xref>'


def generate(references: Sequence[dict[str, Any]], count: int, seed: int, per_article: tuple[int, int] = (20, 50),
             uncited_share: float = 0.05, dangling_share: float = 0.02, prefix: str = "article") -> list[Article]:
    """`count` articles drawing their entries from `references` ({"reference", "doi"}), seeded."""
    rng = random.Random(seed)
    articles = []
    for index in range(count):
        size = min(len(references), rng.randint(*per_article))
        chosen = rng.sample(list(references), size)
        uncited = {i for i in range(1, size + 1) if rng.random() < uncited_share}
        cited = [i for i in range(1, size + 1) if i not in uncited]
        articles.append(_article(f"{prefix}-{index:05}", chosen, cited, uncited, dangling_share, rng))
    return articles


def _article(name: str, chosen: Sequence[dict[str, Any]], cited: list[int], uncited: set[int],
             dangling_share: float, rng: random.Random) -> Article:
    size = len(chosen)
    header = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" '
        '"JATS-journalpublishing1-2.dtd">',
        '<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article" dtd-version="1.2">',
        f"<front><article-meta><title-group><article-title>Generated article {escape(name)} (filler text; its "
        "references are real strings from biblio-glutton)</article-title></title-group></article-meta></front>",
        "<body>",
        "<sec>",
        "<title>Introduction</title>",
    ]
    lines = list(header)
    dangling: list[dict[str, Any]] = []
    pending = list(cited)  # entries to cite for the first time, in number order
    seen: list[int] = []
    while pending:
        parts = [_sentence(rng)]
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.2 and len(pending) >= 3 and pending[2] == pending[0] + 2:
                first, last = pending[0], pending[2]  # a range over three consecutive cited entries
                marker = f"{_xref(first)}–{_xref(last)}"
                del pending[:3]
                seen.extend(range(first, last + 1))
            elif roll < 0.4 and len(pending) >= 2:
                marker = f"{_xref(pending[0])}, {_xref(pending[1])}"
                seen.extend(pending[:2])
                del pending[:2]
            elif roll < 0.55 and seen:
                marker = _xref(rng.choice(seen))  # a later citation of an earlier entry
            elif pending:
                number = pending.pop(0)
                marker = _xref(number)
                seen.append(number)
            else:
                break
            parts.append(f"{_sentence(rng)} {marker}.")
        if rng.random() < dangling_share * 4:
            missing = size + 1 + len(dangling)
            parts.append(f"{_sentence(rng)} {_xref(missing)}.")
            dangling.append({"rid": f"r{missing}", "line": len(lines) + 1})
        lines.append(f"<p>{' '.join(parts)}</p>")
    lines += ["</sec>", "</body>", "<back>", "<ref-list>", "<title>References</title>"]
    entries = []
    for number, reference in enumerate(chosen, 1):
        text = escape(unwrap(reference["reference"], join_hyphens=True))
        lines.append(f'<ref id="r{number}"><label>{number}</label>'
                     f'<mixed-citation publication-type="journal">{text}</mixed-citation></ref>')
        entries.append({"id": f"r{number}", "doi": reference["doi"].lower(), "source": reference.get("id")})
    lines += ["</ref-list>", "</back>", "</article>", ""]
    truth = {"references": entries, "uncited": sorted(f"r{i}" for i in uncited), "dangling": dangling}
    return Article(f"{name}.xml", "\n".join(lines), truth)


def write(articles: Sequence[Article], directory: Path) -> None:
    """Write each article and its truth (`NAME.truth.json`) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (directory / article.name).write_text(article.xml, encoding="utf-8")
        truth = directory / article.name.replace(".xml", ".truth.json")
        truth.write_text(json.dumps(article.truth, indent=1) + "\n", encoding="utf-8")


def fixtures() -> list[Article]:
    """The test fixtures: six small articles over the 40 fixture references."""
    references = list(read_jsonl(ROOT / "tests" / "fixtures" / "matching_glutton_refs.jsonl"))
    return generate(references, count=6, seed=14, per_article=(6, 12), uncited_share=0.12, dangling_share=0.08)


def main(argv: Sequence[str] | None = None) -> None:
    """Write the test fixtures, or articles from the biblio-glutton set into a directory."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jats_articles", description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", action="store_true", help=f"rewrite {FIXTURES.relative_to(ROOT)}")
    parser.add_argument("--out", type=Path, help="write generated articles here")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.fixtures:
        write(fixtures(), FIXTURES)
    if args.out:
        write(generate(list(read_jsonl(GLUTTON / "refs-dev.jsonl.gz")), args.count, args.seed), args.out)


if __name__ == "__main__":
    main()
