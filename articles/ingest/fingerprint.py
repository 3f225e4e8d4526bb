"""Near-duplicate detection: MinHash signatures split into LSH bands.

Each article stores BANDS band keys. Two texts whose word 5-gram sets overlap
well share at least one key with high probability (at Jaccard 0.5, 0.9992;
at 0.2, 0.15), so one indexed lookup finds candidates, and comparing the
shingle sets themselves confirms them.
"""

import hashlib
import re
import zlib
from itertools import accumulate

import numpy as np

from .suggest import fold_word

SHINGLE = 5
BANDS = 20
ROWS = 3
_PRIME = np.uint64(4_294_967_311)
_rng = np.random.default_rng(20_161_124)
_A = _rng.integers(1, 2**32 - 1, size=BANDS * ROWS, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=BANDS * ROWS, dtype=np.uint64)
_WORD = re.compile(r"\w+")

# Confirmed when this share of the shorter text's shingles is in the other:
# a reprint that trims or adds a paragraph still counts.
CONTAINMENT = 0.5
# Candidates must share this many band keys (expected 20·J³ of 20 at Jaccard J,
# so 2 keeps pairs from J ≈ 0.45 up), and only the best few are compared in full.
MIN_SHARED_BANDS = 2
MAX_COMPARED = 3


def shingles(text: str) -> np.ndarray:
    """Return the set of CRC-32s of the text's folded word 5-grams, each joined
    by single spaces, as a sorted array of unique values: compact to send from
    an import's workers, and quick to intersect."""
    words = list(map(fold_word, _WORD.findall(text)))
    if len(words) < SHINGLE:
        return np.empty(0, dtype=np.uint32)
    joined = " ".join(words)
    if not joined.isascii():  # folding leaves ASCII; this is only a guard
        crcs = [
            zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
            for i in range(len(words) - SHINGLE + 1)
        ]
    else:
        # Slices of the joined bytes rather than a join for each 5-gram: where
        # word k starts, the 5-gram from word i ends a space before word i + 5.
        data = joined.encode()
        starts = accumulate(map(len, words), lambda at, n: at + n + 1, initial=0)
        starts = list(starts)
        crcs = [
            zlib.crc32(data[a : b - 1])
            for a, b in zip(starts, starts[SHINGLE:], strict=False)
        ]
    return np.unique(np.array(crcs, dtype=np.uint32))


def band_keys(shingle_set: np.ndarray) -> list[int]:
    """Return the LSH band keys of a shingle set, as signed 64-bit integers."""
    if not len(shingle_set):
        return []
    values = shingle_set.astype(np.uint64)
    signature = ((np.outer(_A, values) + _B[:, None]) % _PRIME).min(axis=1)
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(
            band.to_bytes(2, "big") + rows.tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def containment(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True)
    return len(shared) / min(len(a), len(b))
