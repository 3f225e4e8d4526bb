"""Multi-step writes that curators trigger: reviewing the importer's suggestions."""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from .ingest.suggest import NameIndex
from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    LinkState,
    Person,
    Quote,
)


@dataclass
class Outcome:
    people: int = 0
    topics: int = 0
    quotes: int = 0
    candidates: int = 0

    def __str__(self):
        parts = [
            f"{n} {label}"
            for n, label in [
                (self.people, "people links"),
                (self.topics, "topic links"),
                (self.quotes, "quotes"),
                (self.candidates, "candidate people"),
            ]
            if n
        ]
        return ", ".join(parts) if parts else "nothing"


def _suggested(model, articles) -> QuerySet:
    return model.objects.filter(article__in=articles, state=LinkState.SUGGESTED)


def _confirm(model, articles) -> int:
    """Confirm the suggested rows in one update, recording it in their history
    (update() alone would bypass it)."""
    rows = list(_suggested(model, articles))
    model.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=LinkState.CONFIRMED
    )
    for row in rows:
        row.state = LinkState.CONFIRMED
    model.history.bulk_history_create(rows, update=True)
    return len(rows)


@transaction.atomic
def confirm_suggestions(*, articles: QuerySet[Article]) -> Outcome:
    """Confirm every suggested link and quote of the articles.

    Candidate people are not confirmed here: each needs a curator's decision
    on whether it is a new person (see confirm_candidates).
    """
    outcome = Outcome(
        people=_confirm(ArticlePerson, articles),
        topics=_confirm(ArticleTopic, articles),
        quotes=_confirm(Quote, articles),
    )
    articles.touch()
    return outcome


@transaction.atomic
def reject_suggestions(*, articles: QuerySet[Article]) -> Outcome:
    """Remove every suggested link and quote, and reject pending candidates."""
    return Outcome(
        people=_suggested(ArticlePerson, articles).delete()[0],
        topics=_suggested(ArticleTopic, articles).delete()[0],
        quotes=_suggested(Quote, articles).delete()[0],
        candidates=CandidatePerson.objects.filter(
            article__in=articles, state=CandidatePerson.State.SUGGESTED
        ).update(state=CandidatePerson.State.REJECTED),
    )


@transaction.atomic
def confirm_candidates(*, candidates: QuerySet[CandidatePerson]) -> tuple[int, int]:
    """Turn candidates into people linked to their articles.

    A candidate whose name (or an alias) already belongs to one person is
    linked to that person; otherwise a new person is created, described by the
    title the text gave. Return (people created, links made).
    """
    created = linked = 0
    people = NameIndex.of_people()
    pending = candidates.filter(state=CandidatePerson.State.SUGGESTED)
    for candidate in pending.select_related("article"):
        known = people.lookup(candidate.name)
        if len(known) == 1:
            person = Person.objects.get(pk=next(iter(known)))
        else:
            person = Person(name=candidate.name, description=candidate.title)
            person.full_clean()
            person.save()
            people.add(candidate.name, person.pk)
            created += 1
        _, made = ArticlePerson.objects.get_or_create(
            article=candidate.article,
            person=person,
            role=candidate.role,
            defaults={"state": LinkState.CONFIRMED},
        )
        linked += made
        candidate.state = CandidatePerson.State.CONFIRMED
        candidate.person = person
        candidate.save(update_fields=["state", "person"])
    return created, linked


def reject_candidates(*, candidates: QuerySet[CandidatePerson]) -> int:
    return candidates.filter(state=CandidatePerson.State.SUGGESTED).update(
        state=CandidatePerson.State.REJECTED
    )


# Bulk tagging: one topic or person on many articles at once. Each reports what
# it changed, touches the articles (API consumers see the change) and logs a
# change on each article's admin history.


def _log(user, articles, message):
    if user is None or not articles:
        return
    LogEntry.objects.log_actions(
        user.pk, articles, CHANGE, change_message=message, single_object=False
    )


def _confirm_with_history(suggested, user) -> set[int]:
    """Confirm the suggested links, recording it in their history; return the
    ids of their articles."""
    rows = list(suggested)
    suggested.model.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=LinkState.CONFIRMED
    )
    for row in rows:
        row.state = LinkState.CONFIRMED
    suggested.model.history.bulk_history_create(rows, update=True, default_user=user)
    return {row.article_id for row in rows}


def _targets(articles) -> list[Article]:
    return list(
        Article.objects.filter(pk__in=articles.values("pk")).only("pk", "title")
    )


def _add_links(model, articles, user, what, **link) -> tuple[int, int, int]:
    """Link every article to `link` (a topic, or a person in a role), confirming
    suggestions of it rather than adding a second link; return how many links
    were added and confirmed, and how many articles there were."""
    targets = _targets(articles)
    ids = [a.pk for a in targets]
    existing = model.objects.filter(article__in=ids, **link)
    was_suggested = _confirm_with_history(
        existing.filter(state=LinkState.SUGGESTED), user
    )
    have = set(existing.values_list("article_id", flat=True))
    new = [
        model(article_id=pk, state=LinkState.CONFIRMED, **link)
        for pk in ids
        if pk not in have
    ]
    bulk_create_with_history(new, model, default_user=user)
    changed = {link.article_id for link in new} | was_suggested
    Article.objects.filter(pk__in=changed).touch()
    _log(user, [a for a in targets if a.pk in changed], f"Added {what}.")
    return len(new), len(was_suggested), len(ids)


def _remove_links(model, articles, user, what, **link) -> int:
    """Remove the articles' links to `link`; deleting them records their history
    and touches their articles (signals)."""
    targets = _targets(articles)
    links = model.objects.filter(article__in=[a.pk for a in targets], **link)
    changed = set(links.values_list("article_id", flat=True))
    removed, _ = links.delete()
    _log(user, [a for a in targets if a.pk in changed], f"Removed {what}.")
    return removed


@transaction.atomic
def add_topic(*, articles, topic, user=None) -> str:
    added, confirmed, total = _add_links(
        ArticleTopic, articles, user, f"topic “{topic}”", topic=topic
    )
    return (
        f"Topic “{topic}” added to {added} articles"
        + (f", confirmed on {confirmed}" if confirmed else "")
        + f"; {total - added - confirmed} already had it."
    )


@transaction.atomic
def remove_topic(*, articles, topic, user=None) -> str:
    removed = _remove_links(
        ArticleTopic, articles, user, f"topic “{topic}”", topic=topic
    )
    return f"Topic “{topic}” removed from {removed} articles."


@transaction.atomic
def add_person(*, articles, person, role, user=None) -> str:
    label = ArticlePerson.Role(role).label.lower()
    added, confirmed, _ = _add_links(
        ArticlePerson, articles, user, f"{person} as {label}", person=person, role=role
    )
    return (
        f"{person} added as {label} to {added} articles"
        + (f", confirmed on {confirmed}" if confirmed else "")
        + "."
    )


@transaction.atomic
def remove_person(*, articles, person, role, user=None) -> str:
    label = ArticlePerson.Role(role).label.lower()
    removed = _remove_links(
        ArticlePerson, articles, user, f"{person} as {label}", person=person, role=role
    )
    return f"{person} removed as {label} from {removed} articles."


# One suggestion at a time, decided on the article's page.

# kind: (model, what a curator calls it)
SUGGESTIONS = {
    "person": (ArticlePerson, "person"),
    "topic": (ArticleTopic, "topic"),
    "quote": (Quote, "quote"),
    "candidate": (CandidatePerson, "new person"),
}


class AlreadyDecided(Exception):
    """The suggestion was confirmed, rejected or removed meanwhile."""

    message = "This suggestion was already decided by someone else; nothing changed."


@transaction.atomic
def decide_suggestion(*, article: Article, kind: str, pk: int, confirm: bool, user):
    """Confirm or reject one suggestion of the article; return what was done, in
    words for the curator. A person, topic or quote confirmed is kept, rejected
    removed; a candidate confirmed becomes a person (or links the one already
    known by the name), rejected is marked so. Raise AlreadyDecided when it no
    longer awaits a decision."""
    model, name = SUGGESTIONS[kind]
    link = (
        model.objects.select_for_update()
        .filter(article=article, pk=pk, state=LinkState.SUGGESTED)
        .first()
    )
    if link is None:
        raise AlreadyDecided
    if kind == "candidate":
        candidates = CandidatePerson.objects.filter(pk=link.pk)
        if confirm:
            confirm_candidates(candidates=candidates)
        else:
            reject_candidates(candidates=candidates)
    elif confirm:
        link.state = LinkState.CONFIRMED
        link.save(update_fields=["state"])
    else:
        link.delete()
    verb = "Confirmed" if confirm else "Rejected"
    message = f"{verb} the suggested {name}: {_named(link)}."
    Article.objects.filter(pk=article.pk).touch()
    _log(user, [article], message)
    return message


def _named(link) -> str:
    if isinstance(link, ArticlePerson):
        return f"{link.person} ({link.get_role_display().lower()})"
    if isinstance(link, ArticleTopic):
        return str(link.topic)
    return str(link)
