"""Outlet signatures, kept as data in outlets.json so that adding an outlet is an
edit to a list, not a new branch of code."""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

DATA = Path(__file__).with_name("outlets.json")


@dataclass(frozen=True)
class Signature:
    name: str
    domains: tuple[str, ...] = ()
    country: str = ""
    language: str = ""
    ownership: str = "unknown"
    patterns: tuple[re.Pattern, ...] = field(default=(), compare=False)


@cache
def signatures() -> tuple[Signature, ...]:
    entries = json.loads(DATA.read_text(encoding="utf-8"))["outlets"]
    return tuple(
        Signature(
            name=entry["name"],
            domains=tuple(entry.get("domains", ())),
            country=entry.get("country", ""),
            language=entry.get("language", ""),
            ownership=entry.get("ownership", "unknown"),
            patterns=tuple(
                re.compile(p, re.MULTILINE | re.IGNORECASE)
                for p in entry.get("patterns", ())
            ),
        )
        for entry in entries
    )


def domain_of(url: str) -> str:
    """Return the host of a URL without "www.", lower case; "" if there is none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def for_domain(domain: str) -> Signature | None:
    """Return the signature whose domains include domain or a parent of it."""
    domain = domain.lower().removeprefix("www.")
    for signature in signatures():
        for known in signature.domains:
            if domain == known or domain.endswith("." + known):
                return signature
    return None


def for_name(name: str) -> Signature | None:
    wanted = name.strip().casefold()
    for signature in signatures():
        if signature.name.casefold() == wanted:
            return signature
    return None


def in_text(text: str) -> Signature | None:
    """Return the outlet whose signature patterns match the text most often."""
    best, best_hits = None, 0
    for signature in signatures():
        hits = sum(len(p.findall(text)) for p in signature.patterns)
        if hits > best_hits:
            best, best_hits = signature, hits
    return best
