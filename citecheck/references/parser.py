"""Parse one reference string (APA, Vancouver/NLM/AMA, Harvard, Chicago author-date, IEEE, ...)
into a CSL-JSON item.

A hybrid parser: a linear-chain CRF (python-crfsuite, trained on AnyStyle's labelled references,
see `citecheck/data/PARSER-MODEL-LICENSE.md`) labels each word, and rules in `parser_fields` and
`names` turn the labelled words into clean fields. The model is loaded once, lazily.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from citecheck.references.parser_fields import build_csl, group_segments, repair_labels
from citecheck.references.parser_tokens import features, tokenize

#: Work is capped: a reference longer than this is truncated before parsing (a 10 MB "reference"
#: is a pasted document, and its first 2000 characters say all a reference can say).
MAX_CHARS = 2000
#: At most this many tokens go to the CRF.
MAX_TOKENS = 300
_MODEL_NAME = "parser-model.crfsuite"
_LEADING_NUMBER = re.compile(r"^\s*(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]?(?=\s))\s*")
_WORDLIKE = re.compile(r"^[\W_]*(?:[^\W\d_]+(?:[-'’.&][^\W\d_]+)*|\d+(?:[-–—:;()/.,]+\d+)*[^\W\d_]*)[\W_]*$")
_LINKLIKE = re.compile(r"^\W*(?:https?://|www\.|doi:|10\.\d{4,9}/|arxiv:)", re.IGNORECASE)
_BROKEN_WORD = re.compile(r"([^\W\d_])-[ \t]*\r?\n\s*([a-z])")
_BROKEN_COMPOUND = re.compile(r"([^\W_])-[ \t]*\r?\n\s*([^\W_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class ParsedReference:
    """The outcome of parsing one reference string."""

    csl: dict[str, Any]
    """CSL-JSON item; only non-empty fields."""
    ok: bool
    """False when the string could not be parsed: no title, no author with a year, no journal with a
    volume or page."""
    et_al: bool = False
    """The author list ended in "et al." / "and others"."""
    problems: tuple[str, ...] = ()
    """One-line reasons when not ok."""


class _Model:
    """The CRF tagger, opened on first use and shared (crfsuite taggers are not thread-safe)."""

    def __init__(self, path: Path | None = None) -> None:
        """Use the model file at path, or the shipped one when None."""
        self._path = path
        self._tagger: Any = None
        self._error = ""
        self._lock = threading.Lock()

    def tag_many(self, sequences: list[list[str]]) -> list[list[str]] | None:
        """Labels for each token sequence, or None when the model cannot be loaded."""
        with self._lock:
            if self._tagger is None and not self._error:
                self._load()
            if self._tagger is None:
                return None
            return [self._tagger.tag(features(tokens)) if tokens else [] for tokens in sequences]

    @property
    def error(self) -> str:
        """Why the model could not be loaded ("" when it could)."""
        return self._error

    def _load(self) -> None:
        """Open the tagger; on any failure remember why instead of raising."""
        try:
            # Inside the try: a broken python-crfsuite install leaves the parser to its rules
            # (with the reason in `error`) instead of failing every run that imports it.
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            if self._path is not None:
                tagger.open(str(self._path))
            else:
                ref = resources.files("citecheck").joinpath("data", _MODEL_NAME)
                with resources.as_file(ref) as path:
                    tagger.open(str(Path(path)))
            self._tagger = tagger
        except Exception as exc:  # noqa: BLE001 - any failure means "no model": report, never raise
            self._error = f"parser model unavailable: {type(exc).__name__}: {exc}"


_MODEL = _Model()


def _prepare(text: object) -> str:
    """The string to parse: text only, capped, control characters removed, list number dropped."""
    if not isinstance(text, str):
        return ""
    text = text[:MAX_CHARS]
    # Lines broken inside a word (PDF extraction): "experi-\nence" → "experience",
    # "Placebo-\nControlled" → "Placebo-Controlled".
    text = _BROKEN_WORD.sub(r"\1\2", text)
    text = _BROKEN_COMPOUND.sub(r"\1-\2", text)
    text = _CONTROL.sub(" ", text)
    return _LEADING_NUMBER.sub("", " ".join(text.split()), count=1)


def _looks_like_text(tokens: list[str]) -> bool:
    """True when most tokens are words or numbers, as in any reference; random bytes are not."""
    # Bare punctuation (" , ( ) ") says nothing either way; URLs and DOIs count as words.
    counted = [tok for tok in tokens if any(ch.isalnum() for ch in tok)]
    wordlike = sum(1 for tok in counted if _WORDLIKE.match(tok) or _LINKLIKE.match(tok))
    return wordlike >= 0.6 * len(counted)


def _finish(tokens: list[str], labels: list[str], text: str) -> ParsedReference:
    """Turn labels into a ParsedReference, deciding ok and the problems."""
    csl, et_al = build_csl(group_segments(tokens, repair_labels(tokens, labels)), text)
    if not _looks_like_text(tokens):
        csl = {k: v for k, v in csl.items() if k in ("DOI", "URL", "ISBN", "PMID")}
    # A title alone can be a reference (anonymous, undated works), and so can a journal with its
    # volume or page (physics style); a year or a name alone cannot.
    if ("title" in csl or ("author" in csl and "issued" in csl)
            or ("container-title" in csl and ("volume" in csl or "page" in csl))):
        return ParsedReference(csl=csl, ok=True, et_al=et_al)
    identifiers = {k: csl[k] for k in ("DOI", "URL", "ISBN", "PMID") if k in csl}
    if identifiers:
        # A bare DOI or URL is still something a reader (or the resolver) can follow: keep it,
        # but say that it is not a parsed reference.
        kind = "webpage" if set(identifiers) == {"URL"} else "document"
        return ParsedReference(csl={**identifiers, "type": kind}, ok=False, et_al=et_al,
                               problems=(f"only {', '.join(identifiers)}: no title, author or year found",))
    return ParsedReference(csl={}, ok=False, problems=("no title, author or year found",))


class ReferenceParser:
    """A parser bound to one CRF model file (the benchmark uses this to test held-out models)."""

    def __init__(self, model_path: Path | None = None) -> None:
        """Use the model at model_path, or the shipped one when None; it is opened on first use."""
        self._model = _Model(model_path)

    def parse_many(self, texts: list[str]) -> list[ParsedReference]:
        """Parse many reference strings; never raises."""
        return _parse_batch(texts, self._model)


def _parse_batch(texts: list[str], model: _Model) -> list[ParsedReference]:
    """Parse a batch with one model: prepare, tag all, then post-process each."""
    try:
        prepared = [_prepare(t) for t in texts]
        token_lists = [tokenize(t)[:MAX_TOKENS] for t in prepared]
        labelled = model.tag_many(token_lists)
        if labelled is None:
            return [ParsedReference(csl={}, ok=False, problems=(model.error,)) for _ in texts]
        results: list[ParsedReference] = []
        for text, tokens, labels in zip(prepared, token_lists, labelled):
            if not tokens:
                results.append(ParsedReference(csl={}, ok=False, problems=("empty reference",)))
                continue
            try:
                results.append(_finish(tokens, labels, text))
            except Exception as exc:  # noqa: BLE001 - one odd string must not sink the batch
                results.append(ParsedReference(csl={}, ok=False,
                                               problems=(f"parser error: {type(exc).__name__}",)))
        return results
    except Exception as exc:  # noqa: BLE001 - the public entry point never raises on user input
        return [ParsedReference(csl={}, ok=False, problems=(f"parser error: {type(exc).__name__}",))
                for _ in texts]


def parse_references(texts: list[str]) -> list[ParsedReference]:
    """Parse many reference strings; the same results as `parse_reference` one by one."""
    if not isinstance(texts, (list, tuple)):
        return []
    return _parse_batch(list(texts), _MODEL)


def parse_reference(text: str) -> ParsedReference:
    """Parse one reference string into a CSL-JSON item; never raises."""
    return parse_references([text])[0]
