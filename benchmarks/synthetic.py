"""Synthetic manuscripts and records for speed benchmarks: obviously invented, never real works.

Every generated reference uses the invented journal "Journal of Synthetic Results" and
Crossref's test DOI prefix 10.5555, so nothing here can be mistaken for a real citation.
"""

from __future__ import annotations

import random
import resource
import sys
from typing import Any

SURNAMES = ("Smith", "Jones", "García-Márquez", "van der Berg", "O'Shaughnessy", "Lee", "Kowalski", "Nguyen",
            "Okafor", "Dubois", "Rossi", "Tanaka", "Müller", "Silva", "Andersen", "Cohen")
WORDS = ("adaptive", "cohort", "synthetic", "outcomes", "randomised", "protocol", "analysis", "response",
         "markers", "survival", "therapy", "signals", "trial", "baseline", "exposure", "network", "models")
FILLER = ("Patients with HER2-positive disease in RIBBON-1 and E2100 were followed from 2011 to 2015",
          "The mean dose was 3.5 mg/kg (p < 0.05) across 29(10) sites",
          "Results are shown in Table 2 and on pages 1252-1260 of the supplement",
          "Several studies reported higher response rates in the cohort")


def reference_string(number: int, rng: random.Random) -> str:
    """A Vancouver-style synthetic reference."""
    authors = ", ".join(f"{rng.choice(SURNAMES)} {rng.choice('ABCDEFGH')}{rng.choice('JKLMN')}" for _ in range(rng.randint(1, 4)))
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).capitalize()
    year = rng.randint(1990, 2024)
    volume, issue, first = rng.randint(1, 400), rng.randint(1, 12), rng.randint(1, 3000)
    return f"{authors}. {title}. J Synth Results. {year};{volume}({issue}):{first}-{first + rng.randint(2, 20)}."


def numeric_document(references: int, citations: int, seed: int = 1) -> str:
    """A plain-text manuscript with `citations` numeric citations to `references` entries."""
    rng = random.Random(seed)
    paragraphs: list[str] = ["Synthetic Manuscript", ""]
    cited = 0
    number = 1
    while cited < citations:
        sentences = []
        for _ in range(5):
            if cited >= citations:
                break
            if number <= references:
                marker, number = f"[{number}]", number + 1
            else:
                a = rng.randint(1, references - 3)
                marker = rng.choice((f"[{a}]", f"[{a}, {a + 2}]", f"[{a}–{a + 3}]"))
            sentences.append(f"{rng.choice(FILLER)} {marker}.")
            cited += 1
        paragraphs.append(" ".join(sentences))
        paragraphs.append("")
    paragraphs.append("References")
    paragraphs.append("")
    paragraphs.extend(f"{n}. {reference_string(n, rng)}" for n in range(1, references + 1))
    return "\n".join(paragraphs) + "\n"


PAGE_CHARACTERS = 3300
"""Characters of a manuscript page (about 500 words, single-spaced): how pages are counted."""


def manuscript_with_records(references: int = 300, pages: int = 60,
                            seed: int = 1) -> tuple[str, list[dict[str, object]]]:
    """A numeric manuscript of about `pages` pages citing `references` entries, and a
    Crossref-shaped record for each entry (invented: pseudo-word titles, the "Journal of
    Synthetic …" family, DOIs under Crossref's test prefix 10.5555).

    The entries are written the way real lists go wrong, so a report has something to show:
    every 10th gives a year one off the record's, every 7th other pages, every 5th its DOI,
    every 50th is cited nowhere, two citations point past the end of the list, and every 100th
    record carries a retraction notice.
    """
    vancouver = record_reference_string
    rng = random.Random(seed)
    records = [synthetic_record(index, rng) for index in range(references)]
    for index, record in enumerate(records):
        if index % 100 == 99:
            record["updated-by"] = [{"DOI": f"10.5555/notice.{index}", "type": "retraction", "source": "publisher",
                                     "updated": {"date-parts": [[2023, 5, 1 + index % 28]]}}]
    entries = []
    for number, record in enumerate(records, 1):
        written = dict(record)
        if number % 10 == 0:
            year = record["issued"]["date-parts"][0][0]  # type: ignore[index]
            written["issued"] = {"date-parts": [[year + 1]]}
        if number % 7 == 0:
            first = int(str(record["page"]).split("-")[0]) + 3
            written["page"] = f"{first}-{first + 9}"
        text = vancouver(written)
        if number % 5 == 0:
            text += f" doi:{record['DOI']}"
        entries.append(f"{number}. {text}")
    cited = [n for n in range(1, references + 1) if n % 50 != 0]
    paragraphs: list[str] = ["Synthetic Manuscript", ""]
    length, order, missing = 0, 0, 2
    while length < pages * PAGE_CHARACTERS:
        sentences = []
        for _ in range(6):
            sentence = rng.choice(FILLER)
            if rng.random() < 0.85:
                if order < len(cited):
                    marker, order = f"[{cited[order]}]", order + 1
                elif missing and rng.random() < 0.01:
                    marker, missing = f"[{references + missing}]", missing - 1
                else:
                    a = rng.choice([n for n in cited[:-3] if all(m % 50 for m in range(n, n + 4))])
                    marker = rng.choice((f"[{a}]", f"[{a}, {a + 2}]", f"[{a}–{a + 3}]"))
                sentence += f" {marker}"
            sentences.append(sentence + ".")
        paragraph = " ".join(sentences)
        paragraphs += [paragraph, ""]
        length += len(paragraph) + 2
    paragraphs += ["References", ""] + [line for entry in entries for line in (entry, "")]
    return "\n".join(paragraphs), records


SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "zu", "ba", "qui", "dor", "fen", "gal",
             "hix", "jor", "kel", "mun", "nor", "pli", "ros", "sut", "tev", "ulm", "vex", "wyn", "yar", "zem", "bri")
"""Syllables of the invented words (so no title can be mistaken for a real one)."""
JOURNALS = tuple(f"Journal of Synthetic {topic}" for topic in (
    "Results", "Outcomes", "Methods", "Cohorts", "Signals", "Models", "Protocols", "Reviews"))
_ABBREVIATIONS = {name: "J Synth " + name.split()[-1][:5] for name in JOURNALS}
DOI_PREFIX = "10.5555"
"""Crossref's test prefix: no real work is registered under it."""


def pseudo_word(rng: random.Random) -> str:
    """An invented word of two to four syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One Crossref-shaped `message` record of an invented journal article."""
    title = " ".join(pseudo_word(rng) for _ in range(rng.randint(5, 9))).capitalize()
    authors = [{"family": pseudo_word(rng).capitalize(), "given": rng.choice("ABCDEFGHJKLMN") + "."}
               for _ in range(rng.randint(1, 4))]
    first = rng.randint(1, 2000)
    journal = rng.choice(JOURNALS)
    return {
        "DOI": f"{DOI_PREFIX}/synth.{index}",
        "type": "journal-article",
        "title": [title],
        "author": authors,
        "container-title": [journal],
        "short-container-title": [_ABBREVIATIONS[journal]],
        "issued": {"date-parts": [[rng.randint(1980, 2024)]]},
        "volume": str(rng.randint(1, 300)),
        "issue": str(rng.randint(1, 12)),
        "page": f"{first}-{first + rng.randint(2, 20)}",
    }


def record_reference_string(record: dict[str, Any]) -> str:
    """The record written as a Vancouver-style reference, without its DOI."""
    authors = ", ".join(f"{a['family']} {a['given'].rstrip('.')}" for a in record["author"])
    year = record["issued"]["date-parts"][0][0]
    return (f"{authors}. {record['title'][0]}. {record['short-container-title'][0]}. "
            f"{year};{record['volume']}({record['issue']}):{record['page']}.")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024 if sys.platform != "darwin" else kib / 2**20, 1)
