"""Resolving references against the sources: by DOI when the author gave one, by PMID or PMCID
when that is what the author gave, by search (or citation matching) otherwise.

Sources are asked in order (local snapshots first, then the network sources in the order the
user chose); the first confident answer wins. Before references are resolved one by one, the
network sources that can batch (Crossref's DOI filter, PubMed's citation matcher and EFetch)
fetch what they will be asked in as few requests as their services allow.

Each source's answer counts for what it is (see `sources.base`):

* a source that fails is recorded, never taken for "not found": a reference is could-not-verify
  when a source failed and no other source settled it;
* a source that does not cover the question (another agency's DOI, no such lookup, offline with
  nothing cached) is neither evidence for nor against the reference: when no source asked
  covers it, the reference is not checked (SKIPPED), never "may not exist";
* a reference is NOT_FOUND only when at least one source that covers it answered and none holds
  it, and none failed. `Resolution.decided_by` names the sources whose answers decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from citecheck.resolve.matching import MatchDecision, bibliographic_query, decide, same_work
from citecheck.model import Reference, Resolution, ResolutionStatus, Work
from citecheck.references.identifiers import reference_doi, reference_pubmed_id
from citecheck.sources.base import NotCovered, SourceUnavailable, WorkSource, is_remote

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as (done, total) after each reference is resolved."""


@dataclass
class _Answers:
    """What the sources said to one question, as they were asked (mutable scratch, never shared)."""

    asked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    """Sources that cover the question and answered that they hold nothing."""
    not_covered: list[str] = field(default_factory=list)


class Resolver:
    """Resolves references against an ordered list of sources."""

    def __init__(
        self, sources: Sequence[WorkSource], jobs: int = 1, note: Callable[[str], None] | None = None
    ) -> None:
        self.sources = list(sources)
        self.jobs = max(1, jobs)
        self._note = note
        self._unreachable_noted: set[str] = set()

    def _any_complete(self) -> bool:
        """True when some source holds the whole registry, so that its silence is evidence."""
        return any(coverage_of(s).complete for s in self.sources)

    def _absent_as_of(self) -> str:
        """The date absence is known as of: "" (now) when a live complete source was asked,
        else the newest date of the complete snapshots."""
        complete = [coverage_of(s) for s in self.sources if coverage_of(s).complete]
        if any(not c.as_of for c in complete):
            return ""
        return max(c.as_of for c in complete)

    def _failed(self, source: WorkSource, error: SourceUnavailable, failures: list[str]) -> None:
        """Record a failure; say once per run when a source turned out to be unreachable."""
        failures.append(str(error))
        if getattr(source, "unreachable", False) and source.name not in self._unreachable_noted:
            self._unreachable_noted.add(source.name)
            if self._note:
                reason = str(error).split(" (", 1)[0]  # the cause, without the request that met it
                self._note(f"{source.name} could not be reached ({reason}); carrying on with the cache and snapshots")

    # --- many references ----------------------------------------------------------------------

    def prefetch(self, references: Sequence[Reference]) -> None:
        """Let each batching source fetch what resolving `references` will ask of it.

        References whose DOI a local source (snapshot) ahead of it already holds are left out, so
        no batch carries what need not leave the machine. The registries are asked at the same
        time (each keeps its own limits), so a bibliography of DOIs and of PubMed references
        waits for the slower of the two, not for both. A failed batch is no failure here: the
        one-by-one resolution asks again and reports honestly.
        """
        pending = [r for r in references if r.parsed or r.raw.strip()]
        batches: list[tuple[WorkSource, Callable[..., None], list[Reference]]] = []
        for source in self.sources:
            prefetch = getattr(source, "prefetch", None)
            if prefetch is not None:
                batches.append((source, prefetch, pending))
            elif not is_remote(source):
                pending = [r for r in pending if not _holds_doi(source, r)]
        batches = [b for b in batches if b[2]]
        if len(batches) == 1:
            self._prefetch_one(*batches[0])
            return
        pool = ThreadPoolExecutor(max_workers=max(1, len(batches)))
        try:
            for future in [pool.submit(self._prefetch_one, *batch) for batch in batches]:
                future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # interrupted: do not wait for the rest
            raise
        pool.shutdown(wait=True)

    @staticmethod
    def _prefetch_one(source: WorkSource, prefetch: Callable[..., None], references: list[Reference]) -> None:
        try:
            prefetch(references, lambda key: False, lambda key, answer: None)
        except (SourceUnavailable, NotCovered) as error:
            log.debug("%s: prefetch gave up (%s); references are asked one by one", source.name, error)

    def resolve_all(self, references: Sequence[Reference], progress: Progress | None = None) -> list[Resolution]:
        """One resolution per reference, in the same order. Threads only wait on the network."""
        self.prefetch(references)
        if self.jobs == 1 or len(references) < 2:
            results = []
            for index, reference in enumerate(references, 1):
                results.append(self.resolve(reference))
                if progress:
                    progress(index, len(references))
            return results
        done = 0
        results_by_index: dict[int, Resolution] = {}
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(self.resolve, ref): i for i, ref in enumerate(references)}
            for future in as_completed(futures):
                results_by_index[futures[future]] = future.result()
                done += 1
                if progress:
                    progress(done, len(references))
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or failed: drop the references not yet started.
            # `with ThreadPoolExecutor` would wait for every queued one to be resolved first.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return [results_by_index[i] for i in range(len(references))]

    # --- one reference ------------------------------------------------------------------------

    def resolve(self, reference: Reference) -> Resolution:
        """Resolve one reference: its DOI first when it has a valid one, else its PMID or PMCID,
        then a bibliographic search."""
        if not reference.parsed and not reference.raw.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED)
        doi = reference_doi(reference)
        if doi:
            return self._resolve_by_doi(reference, doi)
        kind, identifier = reference_pubmed_id(reference)
        if kind and any(_offers(s, f"lookup_{kind}") for s in self.sources):
            return self._resolve_by_pubmed_id(reference, kind, identifier)
        return self._resolve_by_search(reference)

    def _ask(self, answers: _Answers, source: WorkSource, ask: Callable[[], Work | None]) -> Work | None:
        answers.asked.append(source.name)
        try:
            found = ask()
        except NotCovered as why:
            answers.not_covered.append(str(why))
            return None
        except SourceUnavailable as error:
            self._failed(source, error, answers.failures)
            return None
        if found is None:
            answers.absent.append(source.name)
        return found

    def _resolve_by_doi(self, reference: Reference, doi: str) -> Resolution:
        answers = _Answers()
        found: Work | None = None
        decider = ""
        for source in self.sources:
            found = self._ask(answers, source, lambda s=source: s.lookup_doi(doi))  # type: ignore[misc]
            if found is not None:
                decider = source.name
                break
        if found is not None:
            if same_work(reference.csl, reference.raw, found):
                return Resolution(
                    reference.id, ResolutionStatus.MATCHED, work=found, confidence=1.0, method="doi",
                    evidence=(f"DOI {doi} found in {decider}", "record agrees with the reference"),
                    sources=tuple(answers.asked), decided_by=decider, not_covered=tuple(answers.not_covered),
                )
            # The DOI belongs to another work: find the one the reference describes, if any.
            return _searched_instead(
                self._resolve_by_search(reference), "doi-mismatch",
                f"DOI {doi} belongs to another work: {found.title[:80]}", answers, decider, doi_work=found,
            )
        if answers.failures:
            # The DOI may well exist: a failed source cannot say it does not.
            searched = self._resolve_by_search(reference)
            if searched.status is ResolutionStatus.MATCHED:
                return searched
            return Resolution(
                reference.id, ResolutionStatus.UNVERIFIED, method="doi",
                sources=tuple(answers.asked), failures=tuple(answers.failures) + searched.failures,
                not_covered=tuple(answers.not_covered),
            )
        if not answers.absent:
            # No source asked covers this DOI (another agency's, or nothing cached offline).
            return Resolution(
                reference.id, ResolutionStatus.SKIPPED, method="doi",
                evidence=(f"no source asked can verify DOI {doi}", *answers.not_covered),
                sources=tuple(answers.asked), not_covered=tuple(answers.not_covered),
            )
        # The sources that cover the DOI answered that it is not registered: find the work itself.
        deciders = ", ".join(answers.absent)
        return _searched_instead(
            self._resolve_by_search(reference), "doi-unknown",
            f"DOI {doi} is registered nowhere ({deciders}: not found)", answers, deciders,
        )

    def _resolve_by_pubmed_id(self, reference: Reference, kind: str, identifier: str) -> Resolution:
        label = kind.upper()
        answers = _Answers()
        found: Work | None = None
        decider = ""
        for source in self.sources:
            if not _offers(source, f"lookup_{kind}"):
                continue
            look = getattr(source, f"lookup_{kind}")
            found = self._ask(answers, source, lambda look=look: look(identifier))  # type: ignore[misc]
            if found is not None:
                decider = source.name
                break
        if found is not None and same_work(reference.csl, reference.raw, found):
            return Resolution(
                reference.id, ResolutionStatus.MATCHED, work=found, confidence=1.0, method=kind,
                evidence=(f"{label} {identifier} found in {decider}", "record agrees with the reference"),
                sources=tuple(answers.asked), decided_by=decider, not_covered=tuple(answers.not_covered),
            )
        if found is not None:
            reason, method = f"{label} {identifier} belongs to another work: {found.title[:80]}", f"{kind}-mismatch"
        elif answers.failures:
            reason, method = f"{label} {identifier} could not be looked up", kind
        elif answers.absent:
            reason, method = f"{label} {identifier} is not in {', '.join(answers.absent)}", f"{kind}-unknown"
        else:
            reason, method = f"no source asked can look up {label} {identifier}", kind
        searched = _searched_instead(self._resolve_by_search(reference), method, reason, answers, decider)
        if answers.failures and searched.status is not ResolutionStatus.MATCHED:
            return replace(searched, status=ResolutionStatus.UNVERIFIED, work=None, decided_by="")
        return searched

    def _resolve_by_search(self, reference: Reference) -> Resolution:
        query = bibliographic_query(reference.csl, reference.raw)
        answers = _Answers()
        best: tuple[MatchDecision, str] | None = None
        if not query.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED, method="search")
        for source in self.sources:
            answers.asked.append(source.name)
            try:
                candidates = _candidates(source, reference, query)
            except NotCovered as why:
                answers.not_covered.append(str(why))
                continue
            except SourceUnavailable as error:
                self._failed(source, error, answers.failures)
                continue
            if decision.status == "matched":
                return Resolution(
                    reference.id, ResolutionStatus.MATCHED, work=decision.work,
                    confidence=decision.confidence, method="search", evidence=decision.evidence,
                    candidates=tuple(c for c in decision.candidates if decision.work is None or c.doi != decision.work.doi),
                    sources=tuple(answers.asked), failures=tuple(answers.failures), decided_by=source.name,
                    not_covered=tuple(answers.not_covered),
                )
            if decision.status == "ambiguous":
                if best is None or decision.confidence > best[0].confidence:
                    best = (decision, source.name)
            else:
                answers.absent.append(source.name)
        if best is not None:
            decision, decider = best
            return Resolution(
                reference.id, ResolutionStatus.AMBIGUOUS, work=None, confidence=decision.confidence,
                method="search", evidence=decision.evidence, candidates=decision.candidates,
                sources=tuple(answers.asked), failures=tuple(answers.failures), decided_by=decider,
                not_covered=tuple(answers.not_covered),
            )
        if answers.failures:
            status = ResolutionStatus.UNVERIFIED
        elif answers.absent:
            status = ResolutionStatus.NOT_FOUND
        else:  # every source asked declined: nothing is known either way
            return Resolution(
                reference.id, ResolutionStatus.SKIPPED, method="search",
                evidence=("no source asked can search for this reference", *answers.not_covered),
                sources=tuple(answers.asked), not_covered=tuple(answers.not_covered),
            )
        return Resolution(
            reference.id, status, method="search", sources=tuple(answers.asked), failures=tuple(answers.failures),
            decided_by=", ".join(answers.absent) if status is ResolutionStatus.NOT_FOUND else "",
            not_covered=tuple(answers.not_covered),
        )


def _offers(source: WorkSource, method: str) -> bool:
    """True when a source offers a kind of lookup (a cache wrapper offers what its source does)."""
    offers = getattr(source, "offers", None)
    return bool(offers(method)) if callable(offers) else hasattr(source, method)


def _candidates(source: WorkSource, reference: Reference, query: str) -> list[Work]:
    """A source's candidates: from its citation matcher when it has one, else its search."""
    if _offers(source, "candidates_for"):
        return list(source.candidates_for(reference))  # type: ignore[attr-defined]
    return source.search(query, rows=5)


def _holds_doi(source: WorkSource, reference: Reference) -> bool:
    """True when a (local) source holds the reference's DOI; any failure counts as not held."""
    doi = reference_doi(reference)
    if not doi:
        return False
    try:
        return source.lookup_doi(doi) is not None
    except Exception:  # a local source failing is the one-by-one pass's business, not the batch's
        return False


def _searched_instead(
    searched: Resolution, method: str, reason: str, answers: _Answers, decider: str, doi_work: Work | None = None
) -> Resolution:
    """The outcome of searching for a reference whose identifier did not settle it (unknown, or
    another work's): the search's verdict, with why the identifier was set aside first in the
    evidence. Who decided: the search's source for a match, else the identifier's and the
    search's deciders together."""
    if searched.status is ResolutionStatus.MATCHED:
        decided_by = searched.decided_by
    else:
        names = [n.strip() for part in (decider, searched.decided_by) for n in part.split(",") if n.strip()]
        decided_by = ", ".join(dict.fromkeys(names))
    return Resolution(
        searched.reference_id,
        searched.status,
        work=searched.work,
        confidence=searched.confidence,
        method=method,
        evidence=(reason,) + searched.evidence,
        candidates=searched.candidates,
        doi_work=doi_work,
        sources=tuple(dict.fromkeys([*answers.asked, *searched.sources])),
        failures=tuple(answers.failures) + searched.failures,
        decided_by=decided_by,
        not_covered=tuple(dict.fromkeys([*answers.not_covered, *searched.not_covered])),
    )
