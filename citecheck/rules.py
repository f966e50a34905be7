"""Every rule citecheck can report: its code, name, default severity and documentation.

Codes are the public contract (as in ruff and flake8): a letter for the family and three
digits. A code is never reused for another meaning, even after its rule is removed.

Families: C citations in the text, R the reference list, D identifiers (DOIs), M metadata
compared with the registry, U updates (retractions, corrections), S the sources themselves,
X citecheck's own suppression comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citecheck.findings import Finding, Fix, Severity
from citecheck.model import Span


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of problem and its documentation."""

    code: str
    """`R001`."""
    name: str
    """`uncited-reference`: the kebab-case name, usable wherever a code is."""
    severity: Severity
    """Default severity."""
    summary: str
    """What it reports, in one line."""
    why: str
    """Why it matters."""
    example: str
    """A small example that triggers it."""
    fix: str = ""
    """`safe`, `unsafe`, or empty when citecheck cannot fix it."""

    def finding(
        self,
        message: str,
        span: Span | None = None,
        reference: str | None = None,
        fixes: tuple[Fix, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule at its default severity."""
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            span=span,
            reference=reference,
            fixes=fixes,
            details=details or {},
        )


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: tuple[Rule, ...] = (
    # --- citations in the text -----------------------------------------------------------
    Rule("C001", "citation-without-entry", E,
         "A citation points at no entry of the reference list.",
         "The reader cannot find the source; usually an entry was deleted or a number mistyped.",
         "Text cites [5] but the list ends at 4."),
    Rule("C002", "citation-order", W,
         "Numeric style: entries are not numbered in order of first citation.",
         "Vancouver, AMA and IEEE number references in the order they are first cited; "
         "journals return manuscripts that do not.",
         "The first citation in the text is [2], before any citation of [1].", "unsafe"),
    # --- the reference list --------------------------------------------------------------
    Rule("R001", "uncited-reference", W,
         "An entry of the reference list is cited nowhere in the text.",
         "Journals require every listed reference to be cited; an uncited entry is often a "
         "citation the author forgot to insert.",
         "The list has entry 3 but the text never cites 3."),
    Rule("R002", "duplicate-reference", W,
         "The same work is listed twice, even if the two copies differ in detail.",
         "Duplicates split the citations of one work over two numbers and inflate the list.",
         "Entries 4 and 9 are both Miller et al. 2007, one with the DOI and one without."),
    Rule("R003", "numbering-gap", W,
         "The numbers of the reference list skip or repeat a number.",
         "A gap or a repeated number means an entry was lost or two entries share a number.",
         "The list is numbered 1, 2, 4."),
    Rule("R004", "unparseable-reference", W,
         "An entry could not be parsed into author, year and title.",
         "citecheck cannot verify what it cannot read; the entry is kept as written.",
         "An entry that is only a URL or a fragment of text."),
    Rule("R005", "missing-reference-list", W,
         "The document cites sources but has no reference list citecheck could find.",
         "Without the list, no citation can be checked.",
         "A manuscript with [1] and [2] in the text and no References section."),
    # --- identifiers ---------------------------------------------------------------------
    Rule("D001", "invalid-doi", E,
         "A DOI is not of the form 10.<digits>/<suffix>.",
         "An invalid DOI resolves nowhere; it is never sent to the registry.",
         "doi: 10.12/ or doi:1200/jco.2010.28.0982."),
    Rule("D002", "doi-mismatch", E,
         "The DOI given belongs to another work than the one the reference describes.",
         "The commonest form of a fabricated or corrupted reference.",
         "A reference to Miller et al. 2007 that carries the DOI of an unrelated paper.",
         "unsafe"),
    Rule("D003", "missing-doi", W,
         "The work has a DOI that the reference does not give.",
         "A DOI makes the reference unambiguous and machine-checkable; most journals require it.",
         "Miller K, et al. N Engl J Med 2007; 357: 2666-76 (no DOI).", "safe"),
    Rule("D004", "unknown-doi", E,
         "The DOI given is registered nowhere.",
         "A DOI that does not resolve points the reader nowhere; often a typo or an invention.",
         "doi:10.1371/notarealdoi"),
    # --- metadata compared with the registry ---------------------------------------------
    Rule("M001", "title-mismatch", W,
         "The title differs from the registered title beyond case, accents and punctuation.",
         "A wrong title makes the work hard to find and may point at another paper.",
         "A title with a word changed or a subtitle from another paper.", "unsafe"),
    Rule("M002", "year-mismatch", W,
         "The year differs from the registered publication year.",
         "A wrong year misleads readers and breaks author-year citations.",
         "(2009) for a paper published in 2007.", "unsafe"),
    Rule("M003", "author-mismatch", W,
         "An author's name differs from the registered authors beyond accents and initials.",
         "Misspelled or missing authors misattribute the work.",
         "Millar K for Miller K.", "unsafe"),
    Rule("M004", "journal-mismatch", W,
         "The journal differs from the registered journal (abbreviations are the same journal).",
         "A wrong journal sends the reader to the wrong place.",
         "Lancet for a paper in the New England Journal of Medicine.", "unsafe"),
    Rule("M005", "volume-mismatch", W,
         "The volume differs from the registered volume.",
         "A wrong volume sends the reader to the wrong issue.",
         "vol. 375 for volume 357.", "unsafe"),
    Rule("M006", "issue-mismatch", W,
         "The issue differs from the registered issue.",
         "A wrong issue sends the reader to the wrong place.",
         "357(25) for 357(26).", "unsafe"),
    Rule("M007", "pages-mismatch", W,
         "The pages differ from the registered pages (abbreviated ranges are the same).",
         "Wrong pages send the reader to the wrong article.",
         "2666-86 for 2666-2676.", "unsafe"),
    Rule("M008", "incomplete-reference", W,
         "The reference lacks fields the registry holds (volume, issue, pages, journal, year).",
         "Incomplete references are hard to find and rejected by copy-editors.",
         "Journal of Clinical Oncology, 1252-1260 (no volume or issue).", "safe"),
    # --- updates to the work -------------------------------------------------------------
    Rule("U001", "retracted-work", E,
         "The work has been retracted.",
         "Citing retracted work as evidence propagates its errors; cite the retraction or remove it.",
         "A trial whose Crossref record carries updated-by of type retraction."),
    Rule("U002", "expression-of-concern", W,
         "The publisher has issued an expression of concern about the work.",
         "Its findings may not be reliable; readers should be told.",
         "A work with updated-by of type expression_of_concern."),
    Rule("U003", "corrected-work", I,
         "The work has a published correction (erratum).",
         "The correction may change the numbers you cite; consider citing it as well.",
         "A work with updated-by of type correction."),
    Rule("U004", "withdrawn-work", E,
         "The work has been withdrawn.",
         "A withdrawn work is no longer part of the record.",
         "A work with updated-by of type withdrawal."),
    # --- the sources ---------------------------------------------------------------------
    Rule("S001", "could-not-verify", W,
         "A source failed (network, rate limit, server error), so the reference was not verified.",
         "Nothing is known either way; the run is incomplete, which is not the same as a problem "
         "in the bibliography.",
         "Crossref answered 503 for every attempt."),
    Rule("S002", "no-registry-match", W,
         "Every source answered and none holds the work.",
         "A journal article that no registry knows may not exist (a fabricated reference); "
         "books and reports without DOIs are often simply not covered (reported as information).",
         "A plausible-looking article in a real journal that was never published."),
    Rule("S003", "ambiguous-match", I,
         "Several registry records fit the reference and none stands out.",
         "The reference is not precise enough to identify one work; add the DOI.",
         "A conference paper and its journal version with the same title."),
    # --- citecheck itself ------------------------------------------------------------------
    Rule("X001", "unused-suppression", W,
         "A suppression comment or `citecheck-ignore` field suppresses no finding.",
         "A suppression left behind after the problem was fixed would silently hide the next "
         "problem of that kind at that place; delete it (or it names a rule that does not exist).",
         "`<!-- citecheck: ignore[R001] -->` above an entry that is cited after all."),
    # --- bibliography files and document inputs (key-based formats) ----------------------
    Rule("R006", "duplicate-key", E,
         "Two entries of a bibliography file share one key.",
         "BibTeX and Biber use only the first entry with a key; the second is silently dropped, "
         "so a citation may print another work than the author meant.",
         "@article{smith2019, ...} twice in refs.bib, with different titles."),
    Rule("R007", "key-case-conflict", W,
         "Two bibliography keys differ only in case.",
         "BibTeX treats them as one key (and warns), Biber as two: the same citation prints "
         "different works with different back ends, and `\\cite{Smith2019}` may not mean `smith2019`.",
         "@book{Smith2019, ...} and @article{smith2019, ...} in one file."),
    Rule("R008", "bibliography-syntax-error", E,
         "A block of a bibliography file cannot be parsed (unbalanced braces, a missing comma, "
         "a field without a value).",
         "The entry is lost: BibTeX skips it and every citation of its key is undefined.",
         "@article{smith2019, title = {Unclosed, year = 2019}"),
    Rule("R009", "unreadable-input", E,
         "A file the document includes, or a bibliography file, could not be read: missing, "
         "outside the document's directory, an absolute path, an include cycle, or not decodable.",
         "Citations and entries in a file citecheck did not read are not checked, so the audit "
         "is incomplete there.",
         "\\input{chapters/missing} when chapters/missing.tex does not exist."),
    Rule("R010", "unknown-crossref", W,
         "An entry's `crossref` names a parent entry that is not in the bibliography.",
         "Fields the entry should inherit (book title, editors, publisher) are missing from the "
         "printed reference.",
         "@inproceedings{a, crossref = {proc2019}} with no @proceedings{proc2019}."),
    Rule("R011", "duplicate-field", W,
         "A bibliography entry repeats a field.",
         "BibTeX keeps the first value and drops the other, which is often the corrected one.",
         "@article{a, year = 2019, year = 2020}"),
    Rule("R012", "undefined-string-macro", W,
         "A field uses an `@string` macro that is not defined.",
         "BibTeX prints nothing (or the macro name) for it: the field is lost.",
         "journal = jclinonc with no @string{jclinonc = ...}."),
    # --- author-year citations -----------------------------------------------------------
    Rule("C003", "citation-year-mismatch", W,
         "An author-year citation names an entry's authors but another year.",
         "The reader looks for the wrong work; often the year of a preprint or an earlier draft.",
         "(Smith, 2018) when the list has Smith, J. (2019). The citation is linked to that entry."),
    Rule("C004", "citation-author-mismatch", W,
         "An author-year citation's year matches an entry, but a name is spelled differently "
         "or a co-author differs.",
         "A misspelled or wrong author makes the citation point at no entry, or at another work.",
         "(Smyth & Jones, 2019) or (Smith & Brown, 2019) when the list has Smith, J., & Jones, B. (2019)."),
    Rule("C005", "ambiguous-citation", W,
         "An author-year citation fits several entries: two entries share authors and year "
         "without the a/b suffixes that tell them apart, or the citation lacks the suffix.",
         "The reader cannot tell which work is meant; APA, Harvard and Chicago add `2019a`, "
         "`2019b` to both the list and the citations. The citation is linked to every candidate.",
         "(Smith, 2019) with two entries Smith, J. (2019)."),
    Rule("C006", "et-al-usage", W,
         "An author-year citation breaks APA 7's et al. rule: one or two authors are named in "
         "full, three or more as `First et al.`.",
         "Style guides and copy-editors enforce it; a wrong form also hints that the citation "
         "and the entry disagree about the authors.",
         "(Smith et al., 2019) for a two-author work, or (Smith, Jones, & Lee, 2019) for three."),
    # --- the document's citation style ---------------------------------------------------
    Rule("C007", "uncertain-citation", W,
         "A marker in a form the document does not cite in (a parenthesised number in a "
         "document that cites as `[12]`) names an entry that no other citation names: it may "
         "be a citation, or a number that only looks like one.",
         "citecheck decides each document's citation style first and takes numbers in other "
         "forms for equations, counts or enumerations; when such a number is the only place an "
         "entry could be cited, it cannot tell, and says so with a warning rather than guess: "
         "the entry is not also reported uncited, and the number takes no part in the citation "
         "order. Write the citation in the document's style, or ignore the finding.",
         "A document citing [1]–[30] that writes `as shown (25)` and never cites entry 25 otherwise."),
    # --- JATS markup -----------------------------------------------------------------------
    Rule("C008", "xref-target-mismatch", W,
         "A JATS `<xref>` prints one entry (its number, or its first author and year) but its "
         "`rid` points at another entry that does not fit.",
         "Readers follow the print, but PubMed Central, citation indexes and text miners follow "
         "the `rid`: the citation is credited to the wrong work. citecheck links the citation "
         "to the entry the print names when exactly one fits, and reports the tag.",
         "`<xref ref-type=\"bibr\" rid=\"bib1\">Kupiec, 1997</xref>` where bib1 is Adler et al. 2009 "
         "and bib34 is Kupiec 1997."),
)

_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def rule(code_or_name: str) -> Rule:
    """The rule with this code (`R001`) or name (`uncited-reference`); KeyError otherwise."""
    key = code_or_name.strip()
    found = _BY_CODE.get(key.upper()) or _BY_NAME.get(key.lower())
    if found is None:
        raise KeyError(code_or_name)
    return found


def matching_rules(selector: str) -> list[Rule]:
    """Rules a selector names: a code (`R001`), a prefix (`R`, `M00`), a name, or `ALL`."""
    key = selector.strip()
    if key.upper() == "ALL":
        return list(RULES)
    if key.lower() in _BY_NAME:
        return [_BY_NAME[key.lower()]]
    return [r for r in RULES if r.code.startswith(key.upper())]
