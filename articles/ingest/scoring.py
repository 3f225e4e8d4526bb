"""Scoring the importer's article text on saved pages whose text is known.

Two kinds of sets:

- snippets (trafilatura's evaluation data, as in ``/work/shared/realpages``):
  an ``evaldata.json`` maps each page's URL to its file and to snippets that
  must (``with``) and must not (``without``) be in the extracted text; a found
  ``with`` snippet is a true positive, a missed one a false negative, a found
  ``without`` snippet a false positive, summed over the set;
- full text: a folder of ``NAME.html`` pages, each with ``NAME.txt`` holding
  the article's whole text; a page scores the precision and recall of the
  extracted text's 4-word shingles against the known text's, averaged over
  pages, and F1 of the two averages (the field's usual measure).

The same scoring serves the importer and trafilatura's own ``extract()``, on
the same pages in the same run.
"""

import gzip
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import decode_source
from .html import parse_html
from .parsed import ParsedArticle, RejectedInput
from .plaintext import parse_text

SHINGLE = 4
_WORDS = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


@dataclass
class Page:
    name: str
    html: str
    url: str = ""
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    text: str | None = None  # the article's whole text, when known
    kind: str = "html"  # the format an import takes it for (reading.sniff)


@dataclass
class Score:
    """One extractor's result on one page."""

    name: str
    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    precision: float | None = None  # shingles, when the text is known
    recall: float | None = None
    rejected: str = ""
    crashed: str = ""
    seconds: float = 0.0

    @property
    def f1(self) -> float:
        if self.precision is not None:
            return f1(self.precision, self.recall)
        found = self.true_positives
        return f1(
            found / (found + self.false_positives) if found else 0.0,
            found / (found + self.false_negatives) if found else 0.0,
        )


@dataclass
class Metadata:
    """How often the importer found each piece of metadata."""

    pages: int = 0
    headline: int = 0
    date: int = 0
    date_with_time: int = 0
    authors: int = 0
    language: int = 0
    outlet: int = 0

    def add(self, parsed: ParsedArticle):
        self.pages += 1
        self.headline += bool(parsed.title) and _norm(parsed.title) != _norm(
            parsed.outlet
        )
        self.date += parsed.published_at is not None
        # A date without its time is stored as 00:00 UTC, and says so.
        self.date_with_time += parsed.published_at is not None and not any(
            "00:00 UTC" in warning for warning in parsed.warnings
        )
        self.authors += bool(parsed.authors)
        self.language += bool(parsed.language)
        self.outlet += bool(parsed.outlet or parsed.outlet_domains)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def shingles(text: str) -> set[tuple[str, ...]]:
    """Return the text's runs of SHINGLE words, lower case (its words, for a
    text shorter than that)."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def score_text(score: Score, page: Page, extracted: str):
    """Score extracted text against what the page is known to hold."""
    if page.text is not None:
        found, known = shingles(extracted), shingles(page.text)
        common = len(found & known)
        score.precision = common / len(found) if found else 0.0
        score.recall = common / len(known) if known else 1.0
        return
    text = _norm(extracted)
    for snippet in page.with_:
        if _norm(snippet) in text:
            score.true_positives += 1
        else:
            score.false_negatives += 1
    score.false_positives += sum(_norm(s) in text for s in page.without)


def score_missing(score: Score, page: Page):
    """Score a page the extractor gave no text for."""
    if page.text is not None:
        score.precision, score.recall = 0.0, 0.0
    score.false_negatives += len(page.with_)


def load_pages(path: Path) -> Iterator[Page]:
    """Yield the pages of a set: a folder with evaldata.json (snippets), or a
    folder of NAME.html pages with NAME.txt texts; .gz files are read too."""
    evaldata = path / "evaldata.json"
    if evaldata.exists():
        folder = path / "pages" if (path / "pages").is_dir() else path
        entries = json.loads(evaldata.read_text(encoding="utf-8"))
        for url, entry in sorted(entries.items(), key=lambda item: item[1]["file"]):
            read = _read(folder / entry["file"])
            if read is None:
                continue
            yield Page(
                name=entry["file"],
                html=read[0],
                kind=read[1],
                url=url,
                with_=list(entry.get("with", [])),
                without=list(entry.get("without", [])),
            )
        return
    files = sorted(path.glob("*.html*")) if path.is_dir() else [path]
    for file in files:
        stem = file.name.removesuffix(".gz").removesuffix(".html")
        known = file.with_name(stem + ".txt")
        read = _read(file)
        if read is None:
            continue
        yield Page(
            name=file.name,
            html=read[0],
            kind=read[1],
            text=known.read_text(encoding="utf-8") if known.exists() else None,
        )


def _read(path: Path) -> tuple[str, str] | None:
    """Return a page's text decoded as an import decodes it, and the format
    an import takes it for; None when there is no such file."""
    for candidate in (path, path.with_name(path.name + ".gz")):
        if candidate.exists():
            data = candidate.read_bytes()
            if candidate.suffix == ".gz":
                data = gzip.decompress(data)
            decoded = decode_source(candidate.name, data, len(data) + 1)
            return ("", "text") if isinstance(decoded, RejectedInput) else decoded
    return None


def run_importer(page: Page, metadata: Metadata) -> Score:
    """Score the importer's body for one page, read as an import reads it (a
    page that does not look like HTML goes to the plain-text parser, as in an
    import)."""
    score = Score(page.name)
    started = time.process_time()
    parse = parse_html if page.kind == "html" else parse_text
    try:
        parsed = parse(page.html, source=page.name)
    except RejectedInput as error:
        score.rejected = str(error)
        score_missing(score, page)
    except Exception as error:  # a crash is what the benchmark is for
        score.crashed = f"{type(error).__name__}: {error}"
        score_missing(score, page)
    else:
        score_text(score, page, parsed.body)
        metadata.add(parsed)
    score.seconds = time.process_time() - started
    return score


def run_trafilatura(page: Page) -> Score:
    """Score trafilatura's own extract(), with its default settings."""
    import trafilatura

    score = Score(page.name)
    started = time.process_time()
    try:
        text = trafilatura.extract(page.html, url=page.url or None)
    except Exception as error:
        score.crashed = f"{type(error).__name__}: {error}"
        text = None
    if text:
        score_text(score, page, text)
    else:
        score.rejected = score.rejected or "no text"
        score_missing(score, page)
    score.seconds = time.process_time() - started
    return score


@dataclass
class Summary:
    pages: int
    precision: float
    recall: float
    f1: float
    rejected: int
    crashed: int
    seconds: float


def summarise(scores: list[Score]) -> Summary:
    """Return the set's precision, recall and F1: over snippets summed, or over
    shingles averaged by page, as the set is scored."""
    if not scores:
        return Summary(0, 0.0, 0.0, 0.0, 0, 0, 0.0)
    shingled = [s for s in scores if s.precision is not None]
    if shingled:
        precision = sum(s.precision for s in shingled) / len(shingled)
        recall = sum(s.recall for s in shingled) / len(shingled)
    else:
        tp = sum(s.true_positives for s in scores)
        precision = tp / (tp + sum(s.false_positives for s in scores)) if tp else 0.0
        recall = tp / (tp + sum(s.false_negatives for s in scores)) if tp else 0.0
    return Summary(
        pages=len(scores),
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
        rejected=sum(bool(s.rejected) for s in scores),
        crashed=sum(bool(s.crashed) for s in scores),
        seconds=sum(s.seconds for s in scores),
    )


def worst(scores: list[Score], count: int) -> list[Score]:
    """Return the count pages the extractor did worst on."""
    return sorted(scores, key=lambda s: (s.f1, s.name))[:count]


Runner = Callable[[Page], Score]
