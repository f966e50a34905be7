"""The PubMed source against recorded NCBI replies: records read (journal abbreviations, notices,
own identifiers only), ECitMatch and the PMC ID converter read, batching, NCBI's parameters and
limits, and every failure mode as SourceUnavailable.

Expected values are read from the recorded XML by the test's own reader (tests/ncbi_server.py).
"""

from __future__ import annotations

import pytest

from citecheck.model import Reference
from citecheck.references.normalize import same_journal
from citecheck.sources.base import Malformed, NotCovered, Refused, SourceUnavailable, WorkSource
from citecheck.sources.pacing import Limits, Pacer
from citecheck.sources.pubmed import NCBI_KEY_LIMITS, NCBI_LIMITS, PubMedSource
from citecheck.sources.pubmed_records import (
    RETRACTED_TYPES,
    UPDATE_TO,
    UPDATED_BY,
    CitationLine,
    citation_line,
    parse_article_set,
    parse_citation_matches,
    parse_id_conversions,
)
from tests.ncbi_server import FIXTURES, recorded_articles
from tests.registries import RegistryServer
from tests.replay_server import Fault
from tests.sources.fakes import FakeClock

ARTICLES = recorded_articles()
KEY = "synthetic-ncbi-key-0000"
MAILTO = "synthetic.user@example.org"


def make_source(server: RegistryServer, clock: FakeClock, *, api_key: str | None = KEY, timeout: float = 2.0,
                **options: object) -> PubMedSource:
    pacer = Pacer(Limits(10, 10, 3), clock=clock, sleep=clock.sleep, backoff_base=0.5)
    return PubMedSource(server.base_url, server.base_url, api_key=api_key, email=MAILTO, pacer=pacer,
                        timeout=timeout, **options)  # type: ignore[arg-type]


def reference(pmid: str, with_pmid: bool = False) -> Reference:
    """The recorded article as a parsed reference (fields from the recorded XML)."""
    article = ARTICLES[pmid]
    csl: dict = {"type": "article-journal", "container-title": article.abbreviation,
                 "issued": {"date-parts": [[int(article.year)]]}, "volume": article.volume, "page": article.pages,
                 "title": article.title, "author": [{"family": n.split(" ")[0], "given": n.split(" ")[-1]}
                                                    for n in article.names[:1]]}
    if with_pmid:
        csl["PMID"] = pmid
    return Reference(id=pmid, raw=article.reference(with_pmid), csl=csl)


# --- records -------------------------------------------------------------------------------------


@pytest.mark.parametrize("pmid", sorted(ARTICLES))
def test_every_recorded_article(pmid: str) -> None:
    article = ARTICLES[pmid]
    work = parse_article_set(article.source.read_bytes()).works[pmid]
    assert work.pmid == pmid and work.source == "pubmed" and work.type == "journal-article"
    assert work.doi == article.doi.lower()  # the article's own DOI, never one of its references'
    assert work.pmcid == article.pmcid
    assert article.title.startswith(work.title)  # MEDLINE's closing period dropped
    assert str(work.year) == article.year and work.volume == article.volume and work.page == article.pages
    assert [f"{a.family}" for a in work.authors][:3] == [n.rsplit(" ", 1)[0] for n in article.names[:3]]
    # MEDLINE's abbreviation is the same journal as the full title.
    assert article.abbreviation in work.short_container_titles
    assert same_journal(article.abbreviation, work.container_title, work.short_container_titles)
    assert [u.kind for u in work.updated_by] == (["correction"] if article.corrected else [])


def test_correction_notice_named_by_doi_and_pmid() -> None:
    work = parse_article_set((FIXTURES / "efetch_pubmed_35649368.xml").read_bytes()).works["35649368"]
    (notice,) = work.updated_by
    # From the record's CommentsCorrections: "Cell Rep. 2022 Jun 28;39(13):111044. doi: 10.1016/…", PMID 35767954.
    assert (notice.kind, notice.doi, notice.pmid, notice.source) == (
        "correction", "10.1016/j.celrep.2022.111044", "35767954", "pubmed")


def test_erratum_record_is_itself_a_notice() -> None:
    work = parse_article_set((FIXTURES / "efetch_pubmed_38833988.xml").read_bytes()).works["38833988"]
    assert work.updated_by == () and [(u.kind, u.pmid) for u in work.update_to] == [("correction", "33279609")]


@pytest.mark.parametrize(
    ("ref_type", "table", "kind"),
    [
        pytest.param("RetractionIn", UPDATED_BY, "retraction", id="retraction-in"),
        pytest.param("ErratumIn", UPDATED_BY, "correction", id="erratum-in"),
        pytest.param("ExpressionOfConcernIn", UPDATED_BY, "expression_of_concern", id="concern-in"),
        pytest.param("RetractionOf", UPDATE_TO, "retraction", id="retraction-of"),
        pytest.param("ErratumFor", UPDATE_TO, "correction", id="erratum-for"),
    ],
)
def test_notice_types_map_to_the_update_rules(ref_type: str, table: dict, kind: str) -> None:
    """NLM's CommentsCorrections types → the update kinds U001–U004 report. (No retracted record's
    full EFetch reply is recorded; see tests/fixtures/ncbi/README.md.)"""
    assert table[ref_type] == kind
    assert "Retracted Publication" in RETRACTED_TYPES


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param(b"<html><body>Service unavailable</body></html>", "not a PubmedArticleSet", id="html"),
        pytest.param((FIXTURES / "efetch_pubmed_22351513.xml").read_bytes()[:3000], "not XML", id="truncated"),
        pytest.param(b"", "not XML", id="empty"),
    ],
)
def test_unreadable_efetch_reply_is_malformed(body: bytes, problem: str) -> None:
    with pytest.raises(Malformed, match=problem):
        parse_article_set(body)


# --- ECitMatch and the ID converter ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("ecitmatch_single_pnas1991.txt", {"citation_1": "2014248"}, id="single"),
        pytest.param("ecitmatch_two_found.txt", {"Art1": "2014248", "Art2": "3026048"}, id="two-found"),
        pytest.param("ecitmatch_mixed_not-found-invalid-journal.txt",
                     {"Art1": "2014248", "ref2": "NOT_FOUND;INVALID_JOURNAL", "Art4": "31978945"}, id="mixed"),
    ],
)
def test_recorded_citation_matches(name: str, expected: dict[str, str]) -> None:
    assert parse_citation_matches((FIXTURES / name).read_bytes()) == expected


def test_recorded_batch_of_citations_through_the_source() -> None:
    """The recorded three-line request, sent as the source sends it, is answered as recorded."""
    lines = [CitationLine("proc natl acad sci u s a", "1991", "88", "3248", "mann bj", "Art1"),
             CitationLine("fake journal", "2000", "1", "1", "nobody", "ref2"),
             CitationLine("n engl j med", "2020", "382", "727", "zhu n", "Art4")]
    with RegistryServer() as server:
        found = make_source(server, FakeClock()).match_citations(lines)
        (request,) = server.requests
    assert found == {"Art1": "2014248", "ref2": "NOT_FOUND;INVALID_JOURNAL", "Art4": "31978945"}
    assert request.query["bdata"] == ["\r".join(line.text() for line in lines)]


def test_id_converter_replies() -> None:
    assert parse_id_conversions((FIXTURES / "idconv_doi_10.1038_ng.590.json").read_bytes()) == {"PMC2883744": "20495566"}
    with pytest.raises(Refused, match="mismatch"):
        parse_id_conversions((FIXTURES / "idconv_error_bad-idtype.json").read_bytes())


@pytest.mark.parametrize(
    ("csl", "line"),
    [
        pytest.param({"type": "article-journal", "container-title": "Proc. Natl. Acad. Sci. U.S.A.",
                      "issued": {"date-parts": [[1991]]}, "volume": "88", "page": "3248-52",
                      "author": [{"family": "Mann", "given": "B. J."}]},
                     "proc natl acad sci u s a|1991|88|3248|mann bj", id="punctuation-and-range"),
        pytest.param({"container-title": "Science", "issued": {"date-parts": [[1987]]}, "volume": "235",
                      "page": "182"}, "science|1987|235|182|", id="untyped-no-author"),
        pytest.param({"type": "book", "container-title": "X", "issued": {"date-parts": [[2000]]}, "volume": "1",
                      "page": "1"}, None, id="book-not-asked"),
        pytest.param({"type": "article-journal", "container-title": "Science", "volume": "235", "page": "182"},
                     None, id="no-year-not-asked"),
        pytest.param({"type": "article-journal", "container-title": "A|B\r\nC", "issued": {"date-parts": [[2000]]},
                      "volume": "1", "page": "2"}, "a b c|2000|1|2|", id="separators-removed"),
    ],
)
def test_citation_lines(csl: dict, line: str | None) -> None:
    made = citation_line(Reference(id="1", raw="", csl=csl))
    assert (made.question() if made else None) == line


# --- the source ------------------------------------------------------------------------------------


def test_lookups_by_pmid_and_pmcid() -> None:
    with RegistryServer() as server:
        source = make_source(server, FakeClock())
        assert isinstance(source, WorkSource)
        with_pmc = next(a for a in ARTICLES.values() if a.pmcid)
        assert source.lookup_pmid("35649368").pmid == "35649368"  # type: ignore[union-attr]
        assert source.lookup_pmcid(with_pmc.pmcid.lower()).pmid == with_pmc.pmid  # type: ignore[union-attr]
        assert source.lookup_pmid("1") is None  # no recording holds it: not in the set EFetch returns
        for request in server.requests:  # NCBI's rules: tool and email always, the key to E-utilities only
            assert request.query["tool"] == ["citecheck"] and request.query["email"] == [MAILTO]
            assert ("api_key" in request.query) == request.path.startswith("/entrez/")


def test_dois_and_free_text_are_not_pubmeds_questions() -> None:
    with RegistryServer() as server:
        source = make_source(server, FakeClock())
        with pytest.raises(NotCovered):
            source.lookup_doi("10.1016/j.celrep.2022.110870")
        with pytest.raises(NotCovered):
            source.search("fatty acid oxidation")
        assert server.requests == []


def test_prefetch_batches_and_keeps_every_answer() -> None:
    refs = [reference(p, with_pmid=i % 2 == 0) for i, p in enumerate(sorted(ARTICLES))]
    kept: dict = {}
    with RegistryServer() as server:
        source = make_source(server, FakeClock())
        source.prefetch(refs, lambda key: False, lambda key, answer: kept.__setitem__(key, answer))
        asked = len(server.requests)
        candidates = {r.id: source.candidates_for(r) for r in refs if "PMID" not in r.csl}
        assert len(server.requests) == asked  # answered from what the prefetch fetched
    assert [r.path.rsplit("/", 1)[1] for r in server.requests] == ["ecitmatch.cgi", "efetch.fcgi"]
    assert all([w.pmid for w in works] == [pmid] for pmid, works in candidates.items())
    assert {key[0] for key in kept} == {"pmid", "citation"} and len(kept) == len(refs) + len(candidates)


@pytest.mark.parametrize(
    ("csl_change", "expected"),
    [
        pytest.param({}, "found", id="found"),
        pytest.param({"page": "1"}, [], id="not-found-in-a-known-journal"),
        pytest.param({"container-title": "Journal of Obviously Synthetic Results"}, NotCovered,
                     id="journal-pubmed-does-not-know"),
        pytest.param({"volume": ""}, NotCovered, id="not-enough-to-ask"),
    ],
)
def test_citation_matcher_outcomes(csl_change: dict, expected: object) -> None:
    base = reference("22351513")
    ref = Reference(id="1", raw=base.raw, csl={**base.csl, **csl_change})
    with RegistryServer() as server:
        source = make_source(server, FakeClock())
        if expected is NotCovered:
            with pytest.raises(NotCovered):
                source.candidates_for(ref)
        elif expected == "found":
            assert [w.pmid for w in source.candidates_for(ref)] == ["22351513"]
        else:
            assert source.candidates_for(ref) == expected


@pytest.mark.parametrize(("api_key", "limits"), [pytest.param(None, NCBI_LIMITS, id="3/s-without-key"),
                                                  pytest.param(KEY, NCBI_KEY_LIMITS, id="10/s-with-key")])
def test_pacing_follows_ncbi_rules(api_key: str | None, limits: Limits) -> None:
    assert (limits.lookups_per_second, limits.concurrency) == ((10, 3) if api_key else (3, 3))
    assert PubMedSource(api_key=api_key).pacer.limits == limits


@pytest.mark.parametrize(("pacing", "trips"), [pytest.param(Limits(2.4, 2.4, 1), False, id="paced-below-3/s"),
                                               pytest.param(Limits(1000, 1000, 1), True, id="unpaced")])
def test_the_replay_server_holds_clients_to_ncbis_limit(pacing: Limits, trips: bool) -> None:
    """Real clock: a client paced below 3/s earns no 429 from the NCBI service; one unpaced does
    (so the benchmarks' "0 x 429" means something)."""
    with RegistryServer() as server:
        source = PubMedSource(server.base_url, server.base_url, pacer=Pacer(pacing, backoff_base=0.01))
        for pmid in sorted(ARTICLES)[:8]:
            try:
                source.lookup_pmid(pmid)
            except SourceUnavailable:  # the unpaced client may be refused until it gives up: fine
                break
        assert (server.violations > 0) is trips


FAULTS = [
    pytest.param([Fault.delay(2.0)] * 4, id="timeouts"),
    pytest.param([Fault.rate_limited(retry_after=1)] * 4, id="429-retry-after"),
    pytest.param([Fault.http(500), Fault.http(502), Fault.http(503), Fault.http(504)], id="5xx"),
    pytest.param([Fault.malformed_json()] * 4, id="malformed-body"),
    pytest.param([Fault.html_page()] * 4, id="html-200"),
    pytest.param([Fault.reset()] * 4, id="connection-reset"),
    pytest.param([Fault.not_found()], id="404-is-a-failure"),
    pytest.param([Fault.http(400)], id="400-not-retried"),
]


@pytest.mark.parametrize("faults", FAULTS)
@pytest.mark.parametrize(
    ("where", "ask"),
    [
        pytest.param(r"efetch", lambda s: s.lookup_pmid("35649368"), id="efetch"),
        pytest.param(r"ecitmatch", lambda s: s.candidates_for(reference("22351513")), id="ecitmatch"),
        pytest.param(r"idconv", lambda s: s.lookup_pmcid("PMC10769841"), id="idconv"),
    ],
)
def test_failures_are_source_unavailable(faults: list[Fault], where: str, ask) -> None:
    with RegistryServer() as server:
        server.add_faults(where, *faults)
        with pytest.raises(SourceUnavailable) as failure:
            ask(make_source(server, FakeClock(), timeout=0.3))
    message = str(failure.value)
    assert message.startswith("pubmed: ") and KEY not in message and MAILTO not in message and "\n" not in message


def test_transient_failure_recovers() -> None:
    with RegistryServer() as server:
        server.add_faults(r"efetch", Fault.http(503), Fault.rate_limited(retry_after=1))
        clock = FakeClock()
        assert make_source(server, clock).lookup_pmid("35649368") is not None
        assert len(server.requests) == 3 and clock.sleeps[1] == pytest.approx(1.0, abs=0.5)


def test_refused_connection_is_unreachable() -> None:
    clock = FakeClock()
    with RegistryServer() as gone:
        url = gone.base_url
    source = PubMedSource(url, url, pacer=Pacer(Limits(3, 3, 3), clock=clock, sleep=clock.sleep))
    with pytest.raises(SourceUnavailable, match="cannot connect"):
        source.lookup_pmid("35649368")
    assert source.unreachable and clock.sleeps == []
    with pytest.raises(SourceUnavailable, match="unreachable"):
        source.lookup_pmid("22351513")
