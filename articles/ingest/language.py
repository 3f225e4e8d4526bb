"""The language of an article: the one its input declares, or py3langid's guess."""

import re
import threading
from itertools import islice

MIN_LETTERS = 20
# Enough text to tell the language; more only costs time.
SAMPLE_CHARS = 1000
# Below this probability the guess is no better than none.
MIN_CONFIDENCE = 0.5

# py3langid's languages minus dead, constructed and regional ones it reports for
# short news text in another language (Latin, Esperanto, Volapük, Occitan ...)
# and minus dialects folded into their standard language (Egyptian Arabic, Cantonese).
LANGUAGES = frozenset(
    {
        "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da",
        "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu",
        "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "km",
        "kn", "ko", "ku", "ky", "lo", "lt", "lv", "mk", "ml", "mn", "mr", "ms",
        "my", "ne", "nl", "no", "pa", "pl", "ps", "pt", "ro", "ru", "si", "sk",
        "sl", "so", "sq", "sr", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
        "tr", "tt", "ug", "uk", "ur", "uz", "vi", "zh",
    }
)  # fmt: skip

# Tags that BCP 47 replaced, and ISO 639-2 codes that have a two-letter form.
_REPLACED = {
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "eng": "en",
    "rus": "ru",
    "tur": "tr",
    "aze": "az",
    "ukr": "uk",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "ara": "ar",
    "kaz": "kk",
    "geo": "ka",
    "kat": "ka",
    "arm": "hy",
    "hye": "hy",
    "bel": "be",
    "per": "fa",
    "fas": "fa",
    "ita": "it",
    "zho": "zh",
    "chi": "zh",
}
# Not languages: undetermined, multiple, no linguistic content, x-default.
_NOT_LANGUAGES = {"und", "mul", "zxx", "mis", "x", "i"}
_TAG = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")

_identifier = None
_lock = threading.Lock()


def primary_tag(value: str) -> str:
    """Return the primary language subtag of a BCP 47 tag, lower case: "tr-TR",
    "tr_TR" and "TR" give "tr", "rus" gives "ru"; "" for anything that is no
    language tag."""
    value = value.strip()
    if not _TAG.fullmatch(value):
        return ""
    primary = re.split(r"[-_]", value, maxsplit=1)[0].lower()
    primary = _REPLACED.get(primary, primary)
    return "" if primary in _NOT_LANGUAGES else primary


def detect_language(text: str, *, hint: str = "") -> str:
    """Return the BCP 47 primary tag of text's language ("en", "tr", "ru", "az"),
    the hint's own when it is a valid tag, or "" when the text is too short or
    too mixed to tell."""
    declared = primary_tag(hint) if hint else ""
    if declared:
        return declared
    sample = text[:SAMPLE_CHARS]
    if sum(1 for _ in islice(_LETTER.finditer(sample), MIN_LETTERS)) < MIN_LETTERS:
        return ""
    language, confidence = _model().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else ""


def load_model():
    """Load the language model now rather than on first use."""
    _model()


def _model():
    """Return py3langid's identifier, loaded on first use (half a second)."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(
                    MODEL_FILE, norm_probs=True
                )
                identifier.set_languages(LANGUAGES)
                _identifier = identifier
    return _identifier
