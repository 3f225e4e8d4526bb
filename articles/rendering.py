"""The article body as HTML: paragraphs with anchors, quotes and public
annotations marked in place. Every piece of text is escaped here; the only
markup is what this module writes."""

from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # "quote" or "annotation"
    ref: str  # the id of the note or quote it points to
    label: str  # the speaker's name, or "Curators' note"


def _open(marks: list[Mark], starting: list[Mark]) -> str:
    """Open a <mark> for the marks covering a piece. A quote that starts here
    takes its own id (quote-N) on the mark, so that a link to the quote lands
    on its words in the text; a second one starting at the same place gets an
    empty anchor of its own."""
    classes = " ".join(sorted({f"mark-{m.kind}" for m in marks}))
    title = "; ".join(m.label for m in marks)
    targets = [m.ref for m in starting if m.kind == "quote"]
    extra = "".join(format_html('<span id="{}"></span>', ref) for ref in targets[1:])
    if not targets:
        return format_html('<mark class="{}" title="{}">', classes, title)
    return extra + format_html(
        '<mark class="{}" id="{}" title="{}">', classes, targets[0], title
    )


def _refs(marks: list[Mark]) -> str:
    """Links after a mark's last piece: a quote's to its entry in the list of
    quotes beside the text (quote-N-listed), a note's to the note."""
    return "".join(
        format_html(
            '<a class="mark-ref" href="#{}" aria-label="{}">{}</a>',
            f"{m.ref}-listed" if m.kind == "quote" else m.ref,
            f"{m.label} (see {'quote' if m.kind == 'quote' else 'note'})",
            "❝" if m.kind == "quote" else "✎",
        )
        for m in marks
    )


def render_body(body: str, marks: list[Mark], dateline: str = "") -> list[SafeString]:
    """Return one HTML string per paragraph of the body."""
    html, offset = [], 0
    for index, paragraph in enumerate(body.split("\n\n")):
        start, end = offset, offset + len(paragraph)
        offset = end + 2
        inside = [m for m in marks if m.start < end and m.end > start]
        cuts = sorted(
            {start, end}
            | {max(m.start, start) for m in inside}
            | {min(m.end, end) for m in inside}
        )
        pieces = []
        if index == 0 and dateline:
            pieces.append(format_html('<span class="dateline">{}</span> — ', dateline))
        for a, b in pairwise(cuts):
            text = escape(body[a:b]).replace("\n", "<br>")
            covering = [m for m in inside if m.start <= a and m.end >= b]
            if covering:
                closing = [m for m in covering if min(m.end, end) == b]
                starting = [m for m in covering if m.start == a]
                opened = _open(covering, starting)
                pieces.append(f"{opened}{text}</mark>{_refs(closing)}")
            else:
                pieces.append(text)
        html.append(mark_safe("".join(pieces)))  # built from escaped pieces only
    return html


def paragraph_of(body: str, offset: int) -> int:
    """Return the number (from 1) of the body's paragraph holding offset, as in
    the paragraphs' anchors (#p1, #p2...)."""
    return body.count("\n\n", 0, offset) + 1


def text_diff(before: str, after: str) -> SafeString:
    """Return a readable word-level diff: deletions in <del>, insertions in <ins>."""
    import difflib
    import re

    split = re.compile(r"(\s+)")
    old, new = split.split(before), split.split(after)
    pieces = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(escape("".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(format_html("<del>{}</del>", "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(format_html("<ins>{}</ins>", "".join(new[b1:b2])))
    html = "".join(pieces).replace("\n\n", "<br><br>")
    return mark_safe(html)  # built from escaped pieces only
