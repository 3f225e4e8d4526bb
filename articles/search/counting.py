"""Counting over every match, from whichever side is smaller.

Facets and counts over time are sums over the matching articles, and the
matches of a search are what its filters allow less what its text does not
find. A word in nine articles of ten is counted faster as the whole that the
filters allow (the same for every search with those filters, so counted once
and kept while the index does not change) less the tenth the word is not in.
The answer is the same exact count either way; only the work differs. Which
side to count is chosen from an estimate of the share the text finds (the
index's document frequencies): a wrong guess costs time, never accuracy.

What is kept is named by the state of the index it was counted from (a commit
makes a new state) and is read only with a searcher of that same state, so
that the whole and the part always come from one view of the index. Each
process keeps a few of them (KEPT): the filters of the searches asked most.
"""

import bisect
import dataclasses
import datetime as dt
import hashlib
import json
import os
import threading
from collections import OrderedDict

from .question import NO_TEXT, Question

# Count from the other side when the text finds more than this share of the
# index (by estimate): below it, counting the matches is the smaller job.
SHARE = 0.6
# Wholes each process keeps, the least recently used forgotten first.
KEPT = 8
# A terms aggregation asked for every value (what a whole and a part need to
# be subtracted value by value).
EVERY = 1_000_000

_kept: OrderedDict = OrderedDict()
_keeping = threading.Lock()


def _lock_of_its_own():
    """A forked process gets a lock no thread of its parent can be holding."""
    global _keeping
    _keeping = threading.Lock()


os.register_at_fork(after_in_child=_lock_of_its_own)


def aggregate(engine, question: Question, aggregations: dict) -> dict:
    """engine.aggregate(question, aggregations), counted from the smaller
    side (the archive's whole, when the question asks for nothing but
    statuses: it is kept). Aggregations other than flat terms (by count),
    histograms and value counts are counted directly."""
    every = _every(aggregations)
    whole_only = not question.text and question.by_status_only
    if every is None or not (question.text or whole_only):
        return engine.aggregate(question, aggregations)
    # The estimate from any searcher; a view of the index to name and keep
    # only for counting from the other side (reloading one costs each time).
    if question.text and engine.share(question.text, engine.searcher()) < SHARE:
        return engine.aggregate(question, aggregations)
    searcher, version = engine.snapshot()
    if version is None:
        return engine.aggregate(question, aggregations, searcher=searcher)
    allowed = question.narrowed(text=NO_TEXT)
    name = key(repr(version), allowed, every)
    with _keeping:
        whole = _kept.get(name)
        if whole is not None:
            _kept.move_to_end(name)
    if whole is None:
        whole = engine.aggregate(allowed, every, searcher=searcher)
        whole = _values(whole, ordered=True)
        with _keeping:
            _kept[name] = whole
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    if whole_only:
        return _difference(aggregations, whole, {})
    unfound = _values(engine.aggregate_unfound(question, every, searcher=searcher))
    return _difference(aggregations, whole, unfound)


def forget() -> None:
    with _keeping:
        _kept.clear()


def _every(aggregations: dict) -> dict | None:
    """The aggregations with every terms one asking for every value, or None
    if any is not one that a difference can answer."""
    every = {}
    for name, aggregation in aggregations.items():
        kind = next(iter(aggregation)) if len(aggregation) == 1 else None
        if kind in ("histogram", "value_count"):
            every[name] = aggregation
        elif kind == "terms" and set(aggregation["terms"]) <= {
            "field",
            "size",
            "segment_size",
        }:
            field = aggregation["terms"]["field"]
            every[name] = {
                "terms": {"field": field, "size": EVERY, "segment_size": EVERY}
            }
        else:
            return None
    return every


def _values(result: dict, *, ordered: bool = False) -> dict[str, dict]:
    """Each aggregation's counts by value (most first, if `ordered`)."""
    values = {}
    for name, answer in result.items():
        if "value" in answer:
            values[name] = int(answer["value"])
            continue
        counts = [(b["key"], int(b["doc_count"])) for b in answer["buckets"]]
        if ordered:
            counts.sort(key=lambda pair: (-pair[1], pair[0]))
        values[name] = dict(counts)
    return values


def _difference(aggregations: dict, whole: dict, unfound: dict) -> dict:
    """The answer to `aggregations` over what is in the whole and not in
    the unfound: terms the `size` most frequent (ties by value), histograms
    by key, each a list of buckets as the engine gives them."""
    result = {}
    for name, aggregation in aggregations.items():
        if "value_count" in aggregation:
            result[name] = {"value": whole[name] - unfound.get(name, 0)}
            continue
        left = unfound.get(name, {})
        if "terms" in aggregation:
            counts = _most(whole[name], left, aggregation["terms"].get("size", 10))
        else:
            counts = sorted((k, n - left.get(k, 0)) for k, n in whole[name].items())
        result[name] = {
            "buckets": [{"key": k, "doc_count": n} for k, n in counts if n > 0]
        }
    return result


def _most(whole: dict, left: dict, size: int) -> list[tuple]:
    """The `size` values with the most articles in the whole less those
    left out, most first (ties by value). The whole is kept most first: no
    value can have more than it had in the whole, so the walk stops at the
    first whose whole count is below the last of those chosen so far."""
    chosen = []
    for k, n in whole.items():
        if len(chosen) == size and n < chosen[-1][1]:
            break
        n -= left.get(k, 0)
        if n > 0 and (len(chosen) < size or (-n, k) < (-chosen[-1][1], chosen[-1][0])):
            bisect.insort(chosen, (k, n), key=lambda pair: (-pair[1], pair[0]))
            del chosen[size:]
    return chosen


def key(token: str, question: Question, aggregations: dict) -> str:
    """The same key for the same question and aggregations in every process
    (sets sorted, not in their hash order, which differs between processes)."""

    def plain(value):
        if dataclasses.is_dataclass(value):
            return {
                f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
        if isinstance(value, frozenset | set):
            return sorted(plain(v) for v in value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return value

    asked = json.dumps([plain(question), aggregations], sort_keys=True)
    return f"archive:aggregation:{token}:{hashlib.sha256(asked.encode()).hexdigest()}"
