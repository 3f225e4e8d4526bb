"""The review workflow: which status changes exist and who may make them.

    draft ⇄ review → published → withdrawn → draft
                     published → draft (unpublish)

Curators move articles between draft and review; editors (who may publish)
publish, withdraw, unpublish and send withdrawn articles back to draft. A
withdrawal needs a reason, which the public sees in place of the text. The
admin form, the admin's bulk actions and the API all ask this module.
"""

from django.core.exceptions import ValidationError

from .models import OUTLET_NEEDED, Article, control_character_message
from .text import CONTROL_CHARACTER

DRAFT, REVIEW, PUBLISHED, WITHDRAWN = (
    Article.Status.DRAFT,
    Article.Status.REVIEW,
    Article.Status.PUBLISHED,
    Article.Status.WITHDRAWN,
)
CURATOR, EDITOR = "curator", "editor"

# (from, to): who may make the change.
TRANSITIONS = {
    (DRAFT, REVIEW): CURATOR,
    (REVIEW, DRAFT): CURATOR,
    (REVIEW, PUBLISHED): EDITOR,
    (PUBLISHED, WITHDRAWN): EDITOR,
    (PUBLISHED, DRAFT): EDITOR,
    (WITHDRAWN, DRAFT): EDITOR,
}


def can_publish(user) -> bool:
    return bool(
        user and user.is_authenticated and user.has_perm("articles.publish_article")
    )


def label(status) -> str:
    return Article.Status(status).label.lower()


def refusal(user, old, new, *, reason: str = "", has_outlet: bool = True) -> str | None:
    """Return why user may not move an article from old to new, or None. An
    article without an outlet (a draft imported from a page that names none)
    stays a draft until a curator chooses one."""
    if old == new:
        return None
    if not has_outlet and new != DRAFT:
        return OUTLET_NEEDED
    who = TRANSITIONS.get((old, new))
    if who is None:
        allowed = [label(to) for (since, to) in TRANSITIONS if since == old]
        return (
            f"An article cannot go from {label(old)} to {label(new)}; from "
            f"{label(old)} it can go to {' or '.join(allowed)}."
        )
    if who == EDITOR and not can_publish(user):
        return (
            "Only editors can publish, withdraw or unpublish articles. Send the "
            "article to review instead."
        )
    if new == WITHDRAWN and not reason.strip():
        return "Give the reason for withdrawing; readers see it instead of the text."
    control = CONTROL_CHARACTER.search(reason)
    if control:
        return f"In the reason: {control_character_message(control.group())}"
    return None


def check(user, old, new, *, reason: str = "", has_outlet: bool = True):
    message = refusal(user, old, new, reason=reason, has_outlet=has_outlet)
    if message:
        raise ValidationError({"status": message})


def choices_for(user, current) -> list[str]:
    """The statuses the user may choose for an article now in `current`
    (a new article: draft, review, or for editors published)."""
    if current is None:
        return [DRAFT, REVIEW, *([PUBLISHED] if can_publish(user) else [])]
    return [current] + [
        to
        for (since, to), who in TRANSITIONS.items()
        if since == current and (who == CURATOR or can_publish(user))
    ]


def sees_drafts(user) -> bool:
    """Return whether user sees every article, whatever its status, and what
    belongs to unpublished ones: curators and editors do; the public sees what
    the models' published() and public() return."""
    return bool(
        user and user.is_authenticated and user.has_perm("articles.view_article")
    )
