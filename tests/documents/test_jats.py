"""The JATS reader: xrefs grouped and expanded as printed, entries read from their tags, spans in
the XML, mis-tagged xrefs, and untrusted XML refused or read safely (tables of cases).

The entries' texts and fields are real references from tests/fixtures/matching_glutton_*.jsonl
(biblio-glutton, Apache-2.0; see tests/fixtures/matching_README.md); the bodies around the
citations are made up and say nothing bibliographic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citecheck.documents.base import SourceText
from citecheck.documents.discovery import expand_documents
from citecheck.documents.jats import read_jats
from citecheck.documents.loading import InputError
from citecheck.documents.readers import guess_format, read_document
from citecheck.documents.xmltree import MAX_DEPTH
from citecheck.references.entries import references_from_entries
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
_REFS = [json.loads(line) for line in (FIXTURES / "matching_glutton_refs.jsonl").read_text().splitlines()]
_RECORDS = {json.loads(line)["DOI"]: json.loads(line) for line in
            (FIXTURES / "matching_glutton_records.jsonl").read_text().splitlines()}


def _mixed(index: int) -> str:
    """A `<mixed-citation>` holding the real string of fixture reference `index`, untagged."""
    text = " ".join(_REFS[index]["reference"].split())
    return f'<mixed-citation publication-type="journal">{text}</mixed-citation>'


def _article(body: str, refs: int = 9, back_extra: str = "", labels: bool = True) -> str:
    """A JATS article whose list has `refs` entries with ids r1..rN (labels 1..N)."""
    entries = "\n".join(
        f'<ref id="r{i}">{f"<label>{i}</label>" if labels else ""}{_mixed(i - 1)}</ref>' for i in range(1, refs + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.1 20151215//EN" '
        '"JATS-journalpublishing1.dtd">\n'
        '<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article" dtd-version="1.1">\n'
        f"<body>\n<sec><title>Intro</title>\n<p>{body}</p>\n</sec>\n</body>\n"
        f"<back>\n<ref-list><title>References</title>\n{entries}\n</ref-list>{back_extra}\n</back>\n</article>\n"
    )


def _x(rid: str, text: str = "") -> str:
    return f'<xref ref-type="bibr" rid="{rid}">{text}</xref>' if text else f'<xref ref-type="bibr" rid="{rid}"/>'


def _read(xml: str, path: str = "article.xml"):
    return read_jats(SourceText(path, xml))


def _citations(xml: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.text, c.targets) for c in _read(xml).citations]


GROUPS = [
    pytest.param(f"Shown [{_x('r1', '1')}].", [("[1]", ("r1",))], id="one"),
    pytest.param(f"Shown {_x('r1', '[1]')}, {_x('r2', '[2]')}.", [("[1], [2]", ("r1", "r2"))], id="comma-space"),
    pytest.param(f"Shown [{_x('r1', '1')},{_x('r3', '3')}].", [("[1,3]", ("r1", "r3"))], id="comma"),
    pytest.param(f"Shown {_x('r2', '[2]')}–{_x('r5', '[5]')}.", [("[2]–[5]", ("r2", "r3", "r4", "r5"))],
                 id="en-dash-range-by-list-order"),
    pytest.param(f"Shown [{_x('r2', '2')}-{_x('r4', '4')}].", [("[2-4]", ("r2", "r3", "r4"))], id="hyphen-range"),
    pytest.param(f"Shown [{_x('r1', '1')}, {_x('r3', '3')}–{_x('r5', '5')}].",
                 [("[1, 3–5]", ("r1", "r3", "r4", "r5"))], id="list-and-range"),
    pytest.param(f"Shown {_x('r1', '[1]')} {_x('r2', '[2]')}.", [("[1]", ("r1",)), ("[2]", ("r2",))],
                 id="space-is-two-citations"),
    pytest.param(f"Shown {_x('r1', '[1]')} and {_x('r2', '[2]')}.", [("[1]", ("r1",)), ("[2]", ("r2",))],
                 id="and-is-two-citations"),
    pytest.param(f"Shown [{_x('r1', '1')}], [{_x('r2', '2')}] and [{_x('r3', '3')}]–[{_x('r5', '5')}].",
                 [("[1], [2]", ("r1", "r2")), ("[3]–[5]", ("r3", "r4", "r5"))], id="brackets-outside-the-xrefs"),
    pytest.param(f"Shown {_x('r1', '[1]')},\n\t\t{_x('r2', '[2]')}.", [("[1], [2]", ("r1", "r2"))],
                 id="xml-indentation-is-one-space"),
    pytest.param(f"Shown [{_x('r3', '3')}{_x('r4')}-{_x('r5', '5')}].", [("[3-5]", ("r3", "r4", "r5"))],
                 id="empty-xrefs-inside-a-range"),
    pytest.param(f"Shown [{_x('r1', '1–3')}].", [("[1–3]", ("r1", "r2", "r3"))], id="range-inside-one-xref"),
    pytest.param(f"Shown<sup>{_x('r1', '1')}</sup><sup>,</sup><sup>{_x('r2', '2')}</sup>.",
                 [("1,2", ("r1", "r2"))], id="superscripts"),
    pytest.param('Shown <xref ref-type="bibr" rid="r1 r2">1,2</xref>.', [("1,2", ("r1", "r2"))], id="several-rids"),
    pytest.param(f"Shown [{_x('r12', '12')}].", [("[12]", ("r12",))], id="dangling-rid-kept"),
    pytest.param('Shown <xref ref-type="fig" rid="f1">Figure 1</xref>.', [], id="figure-xref-is-no-citation"),
    pytest.param('Shown [<xref rid="r2">2</xref>].', [("[2]", ("r2",))], id="no-ref-type-but-a-ref-id"),
    pytest.param('Shown [<xref rid="f1">2</xref>].', [], id="no-ref-type-and-no-ref-id"),
    pytest.param(f"Shown ({_x('r1', 'Classen and Demling, 1974')}; {_x('r2', 'Kawai et al., 1974')}).",
                 [("Classen and Demling, 1974", ("r1",)), ("Kawai et al., 1974", ("r2",))],
                 id="author-year-one-citation-each"),
    pytest.param(f"Shown ({_x('r1', 'Classen and Demling, 1974')}–{_x('r3', 'Ikeda et al., 1988')}).",
                 [("Classen and Demling, 1974", ("r1",)), ("Ikeda et al., 1988", ("r3",))],
                 id="author-year-never-a-range"),
]


@pytest.mark.parametrize(("body", "expected"), GROUPS)
def test_xrefs_are_grouped_and_expanded_as_printed(body: str, expected: list) -> None:
    assert _citations(_article(body)) == expected


def test_captions_footnotes_and_sub_articles_cite_but_the_reference_list_does_not() -> None:
    body = (f"Text [{_x('r1', '1')}].</p><fig id=\"f1\"><caption><p>Data from [{_x('r2', '2')}]."
            f"</p></caption></fig><table-wrap><table-wrap-foot><fn><p>After [{_x('r3', '3')}].</p></fn>"
            f"</table-wrap-foot></table-wrap><p>End.")
    back = f"<sub-article><body><p>A reviewer on [{_x('r4', '4')}].</p></body></sub-article>"
    xml = _article(body, back_extra="").replace("</back>", f"</back>{back}")
    xml = xml.replace('<ref id="r5"><label>5</label>', f'<ref id="r5"><label>5</label><note>see {_x("r6", "6")}</note>')
    assert [c.targets for c in _read(xml).citations] == [("r1",), ("r2",), ("r3",), ("r4",)]


MISTAGGED = [
    pytest.param(f"Shown [{_x('r3', '4')}].", ("r4",), ("r3",), id="number-printed-names-another-entry"),
    pytest.param(f"Shown ({_x('r1', 'Kawai et al., 1974')}).", ("r2",), ("r1",), id="author-year-names-another"),
    pytest.param(f"Shown ({_x('r1', 'Classen and Demling, 1974')}).", ("r1",), (), id="author-year-fits-its-rid"),
    pytest.param(f"Shown ({_x('r1', '1974')}).", ("r1",), (), id="year-only-continuation-kept"),
    pytest.param(f"Shown ({_x('r1', 'Someone, 1974')}).", ("r1",), (), id="nothing-fits-the-print-kept"),
    pytest.param(f"Shown [{_x('r3', '40')}].", ("r3",), (), id="printed-number-of-no-entry-kept"),
]


@pytest.mark.parametrize(("body", "targets", "tagged"), MISTAGGED)
def test_a_mistagged_xref_follows_the_print_when_one_entry_fits_it(body: str, targets: tuple, tagged: tuple) -> None:
    (citation,) = _read(_article(body)).citations
    assert (citation.targets, citation.tagged) == (targets, tagged)


def test_spans_point_at_the_tags_in_the_xml() -> None:
    xml = _article(f"Shown\n  here [{_x('r2', '2')}].")
    document = _read(xml)
    (citation,) = document.citations
    line = xml.splitlines()[citation.span.line - 1]
    assert line[citation.span.column - 1:].startswith('[<xref ref-type="bibr" rid="r2">')
    for entry in document.entries:
        assert xml.splitlines()[entry.span.line - 1][entry.span.column - 1:].startswith(f'<ref id="{entry.id}">')
    assert document.reference_list is not None
    assert xml[document.reference_list.start:].startswith("<ref-list>")
    assert len(document.prose) == len(xml) and "<" not in document.prose


def _record_citation(doi: str, element: str = "element-citation") -> str:
    """A citation element tagged with the fixture record's fields."""
    record = _RECORDS[doi]
    return (f'<{element} publication-type="journal"><person-group person-group-type="author"><name>'
            f"<surname>{record['author'][0]['family']}</surname><given-names>X</given-names></name><etal/>"
            f"</person-group><article-title>{record['title'][0]}</article-title>"
            f"<source>{record['container-title'][0]}</source><volume>{record['volume']}</volume>"
            f"<fpage>{record['page']}</fpage><pub-id pub-id-type=\"doi\">{doi}</pub-id></{element}>")


def test_an_element_citation_is_read_from_its_tags_without_parsing() -> None:
    doi = _REFS[1]["doi"]
    xml = _article(f"Shown [{_x('r1', '1')}].", refs=1).replace(_mixed(0), _record_citation(doi))
    (entry,) = _read(xml).entries
    (reference,) = references_from_entries([entry])
    record = _RECORDS[doi]
    assert entry.structured and reference.id == "r1" and reference.number == 1 and reference.et_al
    assert reference.csl == {
        "author": [{"family": record["author"][0]["family"], "given": "X"}],
        "title": record["title"][0], "container-title": record["container-title"][0], "type": "article-journal",
        "volume": record["volume"], "page": record["page"], "DOI": doi,
    }
    assert record["title"][0] in reference.raw and reference.raw.endswith(f"doi:{doi}")


def test_citation_alternatives_are_read_from_their_structured_form() -> None:
    doi = _REFS[1]["doi"]
    alternatives = (f"<citation-alternatives>{_mixed(1)}{_record_citation(doi)}</citation-alternatives>")
    xml = _article(f"Shown [{_x('r1', '1')}].", refs=1).replace(_mixed(0), alternatives)
    (entry,) = _read(xml).entries
    assert entry.structured and (entry.fields or {})["DOI"] == doi
    assert _RECORDS[doi]["title"][0] in entry.text and entry.text.count("doi:") == 1


def test_a_mixed_citation_is_parsed_and_its_tags_win() -> None:
    text = " ".join(_REFS[4]["reference"].split())  # Gerke H, Baillie J. To cut or stretch? …
    tagged = text.replace("To cut or stretch?", "<article-title>To cut or stretch?</article-title>")
    xml = _article(f"Shown [{_x('r1', '1')}].", refs=1).replace(_mixed(0), f"<mixed-citation>{tagged}</mixed-citation>")
    (reference,) = references_from_entries(_read(xml).entries)
    assert reference.raw == text
    assert reference.csl["title"] == "To cut or stretch?"
    assert reference.csl["container-title"] == "Am J Gastroenterol" and reference.csl["volume"] == "99"
    assert reference.csl["author"][0]["family"] == "Gerke"


IDENTIFIERS = [
    pytest.param('<pub-id pub-id-type="doi">10.1055/S-2007-1018117</pub-id>', {"DOI": "10.1055/s-2007-1018117"},
                 id="pub-id-doi"),
    pytest.param('<pub-id pub-id-type="pmid">3371414</pub-id>', {"PMID": "3371414"}, id="pub-id-pmid"),
    pytest.param('<comment>doi:<ext-link ext-link-type="uri" xlink:href="http://dx.doi.org/10.1055/s-2007-1018117">'
                 "10.1055/s-2007-1018117</ext-link></comment>", {"DOI": "10.1055/s-2007-1018117"}, id="doi-link"),
    pytest.param('<pub-id pub-id-type="doi">10.1055/s-2007- 1018117</pub-id>', {"DOI": "10.1055/s-2007-1018117"},
                 id="space-inside-a-doi"),
]


@pytest.mark.parametrize(("tags", "expected"), IDENTIFIERS)
def test_identifiers_are_read_from_pub_ids_links_and_comments(tags: str, expected: dict) -> None:
    citation = ("<element-citation publication-type=\"journal\"><article-title>Endoscopic sphincterotomy: "
                f"Long-term results in 408 patients with complete follow-up</article-title>{tags}</element-citation>")
    xml = _article(f"Shown [{_x('r1', '1')}].", refs=1).replace(_mixed(0), citation)
    (entry,) = _read(xml).entries
    assert {k: v for k, v in (entry.fields or {}).items() if k in ("DOI", "PMID")} == expected


REFUSED = [
    pytest.param('<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "x">]><article>&a;</article>', "declares entities",
                 id="entity-declaration"),
    pytest.param('<?xml version="1.0"?><!DOCTYPE article [<!ENTITY e SYSTEM "file:///etc/passwd">]><article>&e;'
                 "</article>", "declares entities", id="external-entity"),
    pytest.param('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                 "<article>&lol2;</article>", "declares entities", id="billion-laughs"),
    pytest.param("<article>" + "<sec>" * (MAX_DEPTH + 5) + "</sec>" * (MAX_DEPTH + 5) + "</article>",
                 "deeper than", id="deep-nesting"),
    pytest.param("<article><body><p>unclosed</body></article>", "not well-formed XML", id="malformed"),
    pytest.param('<?xml version="1.0"?><TEI><text/></TEI>', "not a JATS article (its root element is <TEI>)",
                 id="not-an-article"),
]


@pytest.mark.parametrize(("xml", "message"), REFUSED)
def test_untrusted_xml_is_refused_in_one_line(xml: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        _read(xml)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_an_unread_dtd_is_never_fetched_and_its_entities_are_dropped() -> None:
    xml = ('<?xml version="1.0"?><!DOCTYPE article PUBLIC "-//x//EN" "http://127.0.0.1:9/never.dtd">'
           f"<article><body><p>A&nbsp;claim [{_x('r1', '1')}].</p></body><back><ref-list>"
           f'<ref id="r1"><label>1</label>{_mixed(0)}</ref></ref-list></back></article>')
    assert [c.targets for c in _read(xml).citations] == [("r1",)]


FORMATS = [
    pytest.param("paper.xml", _article("x"), "jats", id="xml-extension"),
    pytest.param("paper.nxml", _article("x"), "jats", id="pmc-nxml"),
    pytest.param("paper", _article("x"), "jats", id="by-content"),
    pytest.param("paper", _article("<tex-math>\\documentclass{minimal}</tex-math>"), "jats",
                 id="tex-math-is-not-latex"),
]


@pytest.mark.parametrize(("name", "text", "expected"), FORMATS)
def test_jats_is_picked_by_extension_and_content(name: str, text: str, expected: str) -> None:
    assert guess_format(Path(name), text) == expected


def test_directories_pick_up_jats_xml_but_not_other_xml(tmp_path: Path) -> None:
    (tmp_path / "article.xml").write_text(_article("x"), encoding="utf-8")
    (tmp_path / "pom.xml").write_text('<?xml version="1.0"?><project><modelVersion/></project>', encoding="utf-8")
    assert [p.name for p in expand_documents((str(tmp_path),))] == ["article.xml"]


def test_other_xml_named_on_the_command_line_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "pom.xml"
    path.write_text('<?xml version="1.0"?><project><modelVersion/></project>', encoding="utf-8")
    with pytest.raises(InputError, match="not a JATS article"):
        read_document(path, str(path))
