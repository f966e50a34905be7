"""Synthetic manuscripts for speed benchmarks: obviously invented references, never real works.

Every generated reference uses the invented journal "Journal of Synthetic Results" and
Crossref's test DOI prefix 10.5555, so nothing here can be mistaken for a real citation.
"""

from __future__ import annotations

import random

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
