"""Resolving references against the sources: by DOI when the author gave one, by search otherwise.

Sources are asked in order (cache-wrapped network sources come after local snapshots); the
first confident answer wins. A source that fails is recorded, never taken for "not found": a
reference ends NOT_FOUND only when every source answered and one of them holds the whole
registry (`Coverage.complete`); when only partial sources were asked it ends NOT_CHECKED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from citecheck.resolve.matching import MatchDecision, bibliographic_query, decide, same_work
from citecheck.model import CslItem, Reference, Resolution, ResolutionStatus, Work
from citecheck.references.doi import is_valid_doi, normalize_doi
from citecheck.sources.base import SourceUnavailable, WorkSource, coverage_of

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as (done, total) after each reference is resolved."""


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

    def resolve_all(self, references: Sequence[Reference], progress: Progress | None = None) -> list[Resolution]:
        """One resolution per reference, in the same order. Threads only wait on the network."""
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

    def resolve(self, reference: Reference) -> Resolution:
        """Resolve one reference: its DOI first when it has a valid one, then a bibliographic search."""
        if not reference.parsed and not reference.raw.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED)
        doi = normalize_doi(str(reference.csl.get("DOI", ""))) if reference.csl.get("DOI") else ""
        if doi and is_valid_doi(doi):
            return self._resolve_by_doi(reference, doi)
        return self._resolve_by_search(reference)

    def _resolve_by_doi(self, reference: Reference, doi: str) -> Resolution:
        asked: list[str] = []
        failures: list[str] = []
        found: Work | None = None
        for source in self.sources:
            asked.append(source.name)
            try:
                found = source.lookup_doi(doi)
            except SourceUnavailable as error:
                self._failed(source, error, failures)
                continue
            if found is not None:
                break
        if found is None:
            if not failures and not self._any_complete():
                # Only partial sources were asked: the DOI may well be registered.
                searched = self._resolve_by_search(reference)
                if searched.status is ResolutionStatus.MATCHED:
                    return searched
                return Resolution(reference.id, ResolutionStatus.NOT_CHECKED, method="doi",
                                  sources=tuple(dict.fromkeys([*asked, *searched.sources])))
            if failures:
                # The DOI may well exist: a failed source cannot say it does not.
                searched = self._resolve_by_search(reference)
                if searched.status is ResolutionStatus.MATCHED:
                    return searched
                return Resolution(
                    reference.id, ResolutionStatus.UNVERIFIED, method="doi",
                    sources=tuple(asked), failures=tuple(failures) + searched.failures,
                )
            # Every source answered and none knows the DOI: try to find the work itself.
            return _searched_instead(
                self._resolve_by_search(reference), "doi-unknown", f"DOI {doi} is registered nowhere", asked
            )
        if same_work(reference.csl, reference.raw, found):
            return Resolution(
                reference.id, ResolutionStatus.MATCHED, work=found, confidence=1.0, method="doi",
                evidence=(f"DOI {doi} found in {found.source}", "record agrees with the reference"),
                sources=tuple(asked),
            )
        # The DOI belongs to another work: find the one the reference describes, if any.
        return _searched_instead(
            self._resolve_by_search(reference), "doi-mismatch",
            f"DOI {doi} belongs to another work: {found.title[:80]}", asked, doi_work=found,
        )

    def _resolve_by_search(self, reference: Reference) -> Resolution:
        query = bibliographic_query(reference.csl, reference.raw)
        asked: list[str] = []
        failures: list[str] = []
        best: MatchDecision | None = None
        if not query.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED, method="search")
        for source in self.sources:
            asked.append(source.name)
            try:
                decision = match_in(source, reference.csl, reference.raw, query)
            except SourceUnavailable as error:
                self._failed(source, error, failures)
                continue
            if decision.status == "matched":
                return Resolution(
                    reference.id, ResolutionStatus.MATCHED, work=decision.work,
                    confidence=decision.confidence, method="search", evidence=decision.evidence,
                    candidates=tuple(c for c in decision.candidates if decision.work is None or c.doi != decision.work.doi),
                    sources=tuple(asked), failures=tuple(failures),
                )
            if decision.status == "ambiguous" and (best is None or decision.confidence > best.confidence):
                best = decision
        if best is not None:
            return Resolution(
                reference.id, ResolutionStatus.AMBIGUOUS, work=None, confidence=best.confidence,
                method="search", evidence=best.evidence, candidates=best.candidates,
                sources=tuple(asked), failures=tuple(failures),
            )
        if failures:
            return Resolution(reference.id, ResolutionStatus.UNVERIFIED, method="search", sources=tuple(asked),
                              failures=tuple(failures))
        if not self._any_complete():
            return Resolution(reference.id, ResolutionStatus.NOT_CHECKED, method="search", sources=tuple(asked))
        return Resolution(reference.id, ResolutionStatus.NOT_FOUND, method="search", sources=tuple(asked),
                          absent_as_of=self._absent_as_of())


def match_in(
    source: WorkSource, csl: CslItem, raw: str, query: str | None = None, examined: list[Work] | None = None
) -> MatchDecision:
    """The matcher's decision on a reference's candidates from one source.

    A source with blocking keys (`candidates(csl, raw)`, see `citecheck.references.blocking`)
    is asked for those first; only when none of them is a match is it searched as well
    (`search(query, rows=5)`), and the decision is made over both. `decide` judges every
    candidate either way. Every candidate judged is appended to `examined` when given.
    Raises SourceUnavailable when the source cannot answer.
    """
    query = bibliographic_query(csl, raw) if query is None else query
    keyed: list[Work] = []
    by_keys = getattr(source, "candidates", None)
    if callable(by_keys):
        keyed = by_keys(csl, raw)
        if keyed:
            decision = decide(csl, raw, keyed)
            if decision.status == "matched":
                if examined is not None:
                    examined.extend(keyed)
                return decision
    candidates = [*keyed, *source.search(query, rows=5)]
    if examined is not None:
        examined.extend(candidates)
    return decide(csl, raw, candidates)


def _searched_instead(
    searched: Resolution, method: str, reason: str, asked: list[str], doi_work: Work | None = None
) -> Resolution:
    """The outcome of searching for a reference whose DOI did not settle it (unknown, or another
    work's): the search's verdict, with why the DOI was set aside first in the evidence."""
    return Resolution(
        searched.reference_id,
        searched.status,
        work=searched.work,
        confidence=searched.confidence,
        method=method,
        evidence=(reason,) + searched.evidence,
        candidates=searched.candidates,
        doi_work=doi_work,
        sources=tuple(dict.fromkeys([*asked, *searched.sources])),
        failures=searched.failures,
    )
