"""The review queue: what awaits a curator's decision, counted for the admin
index; the queues of drafts and of articles in review, walked article by article
from their pages; each article's waiting suggestions with the passages that
triggered them; and changelists of suggested links to confirm or reject in bulk."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Count, Max, Subquery
from django.urls import reverse
from django.utils.translation import ngettext

from .ingest.suggest import NameIndex
from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    LinkState,
    Quote,
)

SUGGESTED = LinkState.SUGGESTED


def queue(user) -> list[dict]:
    """Rows of the review queue the user may act on: label, count and link."""
    rows = [
        (
            "articles",
            "Drafts",
            Article.objects.filter(status=Article.Status.DRAFT),
            "status__exact=draft",
        ),
        (
            "articles",
            "Articles in review",
            Article.objects.filter(status=Article.Status.REVIEW),
            "status__exact=review",
        ),
        (
            "articleperson",
            "Suggested people links",
            ArticlePerson.objects.filter(state=SUGGESTED),
            "state__exact=suggested",
        ),
        (
            "articletopic",
            "Suggested topic links",
            ArticleTopic.objects.filter(state=SUGGESTED),
            "state__exact=suggested",
        ),
        (
            "quote",
            "Suggested quotes",
            Quote.objects.filter(state=SUGGESTED),
            "state__exact=suggested",
        ),
        (
            "candidateperson",
            "Candidate new people",
            CandidatePerson.objects.filter(state=CandidatePerson.State.SUGGESTED),
            "state__exact=suggested",
        ),
    ]
    shown = []
    for model, label, pending, query in rows:
        model_name = "article" if model == "articles" else model
        if not user.has_perm(f"articles.change_{model_name}"):
            continue
        url = reverse(f"admin:articles_{model_name}_changelist")
        row = {"label": label, "count": pending.count(), "url": f"{url}?{query}"}
        if model == "articles" and row["count"]:
            status = query.split("=")[1]
            row["open"] = reverse("admin:articles_article_queue") + f"?queue={status}"
            row["open_label"] = f"Open the oldest of the {QUEUES[status]}"
        shown.append(row)
    return shown


class SuggestionAdmin(admin.ModelAdmin):
    """A changelist of links the importer suggested, with confirm and reject."""

    list_filter = ["state"]
    list_select_related = ["article"]
    actions = ["confirm", "reject"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("article__body", "article__raw_text", "article__notes")
        )

    def log(self, request, links, verb):
        LogEntry.objects.log_actions(
            request.user.pk,
            [link.article for link in links],
            CHANGE,
            change_message=f"{verb}: " + "; ".join(str(link) for link in links)[:900],
            single_object=False,
        )

    @admin.action(
        description="Confirm the selected suggestions", permissions=["change"]
    )
    def confirm(self, request, queryset):
        with transaction.atomic():
            links = list(queryset.filter(state=SUGGESTED))
            done = queryset.filter(pk__in=[link.pk for link in links]).update(
                state=LinkState.CONFIRMED
            )
            for link in links:
                link.state = LinkState.CONFIRMED
            # update() bypasses the links' history; record it.
            queryset.model.history.bulk_history_create(
                links, update=True, default_user=request.user
            )
            Article.objects.filter(pk__in={link.article_id for link in links}).touch()
            if links:
                self.log(request, links, "Confirmed")
        self.message_user(
            request,
            ngettext("%d suggestion confirmed.", "%d suggestions confirmed.", done)
            % done,
            messages.SUCCESS,
        )

    @admin.action(
        description="Reject (remove) the selected suggestions", permissions=["delete"]
    )
    def reject(self, request, queryset):
        with transaction.atomic():
            links = list(queryset.filter(state=SUGGESTED).select_related("article"))
            if links:
                self.log(request, links, "Rejected")
            done, _ = queryset.filter(pk__in=[link.pk for link in links]).delete()
        self.message_user(
            request,
            ngettext("%d suggestion rejected.", "%d suggestions rejected.", done)
            % done,
            messages.SUCCESS,
        )


@admin.register(ArticlePerson)
class ArticlePersonAdmin(SuggestionAdmin):
    list_display = ["person", "role", "article", "state"]
    list_filter = ["state", "role"]
    list_select_related = ["article", "person"]
    search_fields = ["person__name", "article__title"]
    autocomplete_fields = ["article", "person"]


@admin.register(ArticleTopic)
class ArticleTopicAdmin(SuggestionAdmin):
    list_display = ["topic", "article", "state"]
    list_select_related = ["article", "topic"]
    search_fields = ["topic__name", "article__title"]
    autocomplete_fields = ["article", "topic"]


# The queue as a workflow: an article's page leads to the next one waiting.

# The queues a curator or an editor works through, by status, and their names.
QUEUES = {
    Article.Status.DRAFT: "drafts",
    Article.Status.REVIEW: "articles in review",
}


def in_queue(status: str):
    """Return the queue's articles, oldest first (by publication date, undated
    last, then by id): the order of the status index, read backwards."""
    return Article.objects.filter(status=status).oldest_first()


def first_in_queue(status: str) -> Article | None:
    return in_queue(status).only("pk").first()


def next_in_queue(status: str, article: Article) -> Article | None:
    """Return the article after this one in the queue (which it may have left).

    Each step is a range of the status index, so finding the next article costs
    the same wherever it is in a queue of any length."""
    queue = in_queue(status).only("pk")
    if article.published_at is None:
        return queue.filter(published_at__isnull=True, pk__gt=article.pk).first()
    return (
        queue.filter(published_at=article.published_at, pk__gt=article.pk).first()
        or queue.filter(published_at__gt=article.published_at).first()
        or queue.filter(published_at__isnull=True).first()
    )


def previous_in_queue(status: str, article: Article) -> Article | None:
    """Return the article before this one in the queue."""
    queue = in_queue(status).only("pk").reverse()
    if article.published_at is None:
        return (
            queue.filter(published_at__isnull=True, pk__lt=article.pk).first()
            or queue.filter(published_at__isnull=False).first()
        )
    return (
        queue.filter(published_at=article.published_at, pk__lt=article.pk).first()
        or queue.filter(published_at__lt=article.published_at).first()
    )


# One article's waiting suggestions, each with the passage that triggered it.


@dataclass(frozen=True)
class Passage:
    """Where a suggestion comes from: the words that triggered it, with some
    text on either side."""

    before: str
    words: str
    after: str


@dataclass(frozen=True)
class Waiting:
    """A suggestion awaiting a curator's decision."""

    kind: str  # person, topic, quote or candidate (articles.services.SUGGESTIONS)
    pk: int
    label: str
    detail: str
    passage: Passage | None
    note: str = ""


CONTEXT_CHARS = 90


def excerpt(text: str, start: int, end: int) -> Passage:
    """Return the words at start–end with up to CONTEXT_CHARS characters on
    either side, cut at a space."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return Passage(before, text[start:end], after)


def find_names(text: str, names: list[str]) -> Passage | None:
    """Return the first place one of these names (any case or accents) is
    written in the text, as the importer found it."""
    index = NameIndex({})
    for name in names:
        if NameIndex.key(name):
            index.add(name, 0)
    spans = index.find(text).get(0)
    if not spans:
        return None
    return excerpt(text, spans[0].start, spans[0].end)


def waiting_suggestions(article: Article) -> list[Waiting]:
    """Return the article's suggestions awaiting review, in four queries: people,
    topics, quotes and candidate people, each with its passage in the text the
    importer read (title, lead and body)."""
    text = "\n\n".join(p for p in (article.title, article.lead, article.body) if p)
    waiting = []
    people = article.person_links.filter(state=SUGGESTED).select_related("person")
    for link in people.order_by("person__name", "role"):
        waiting.append(
            Waiting(
                "person",
                link.pk,
                link.person.name,
                link.get_role_display().lower(),
                find_names(text, link.person.names()),
                note="" if link.role != "author" else "from the byline",
            )
        )
    topics = article.topic_links.filter(state=SUGGESTED).select_related("topic")
    for link in topics.order_by("topic__name"):
        waiting.append(
            Waiting(
                "topic",
                link.pk,
                link.topic.name,
                "topic",
                find_names(text, [link.topic.name, *link.topic.keywords]),
            )
        )
    quotes = article.quotes.filter(state=SUGGESTED).select_related("speaker")
    for quote in quotes.order_by("start", "pk"):
        located = quote.start is not None and quote.end is not None
        waiting.append(
            Waiting(
                "quote",
                quote.pk,
                quote.speaker.name,
                "quote",
                excerpt(article.body, quote.start, quote.end) if located else None,
                note="" if located else f"“{quote.text}”",
            )
        )
    candidates = article.candidate_people.filter(state=CandidatePerson.State.SUGGESTED)
    for candidate in candidates.order_by("name", "role"):
        waiting.append(
            Waiting(
                "candidate",
                candidate.pk,
                str(candidate),
                f"new person? ({candidate.get_role_display().lower()})",
                find_names(text, [candidate.name]),
                note=f"from the {candidate.context}"
                if candidate.context in ("byline", "listed")
                else "",
            )
        )
    return waiting


def waiting_counts(article_ids: list[int]) -> dict[int, int]:
    """Return how many suggestions await review on each of these articles, in
    one query (a UNION ALL of the four kinds, each through its partial index)."""
    if not article_ids:
        return {}
    parts = [
        model.objects.filter(article_id__in=article_ids, state=state)
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
        for model, state in (
            (ArticlePerson, SUGGESTED),
            (ArticleTopic, SUGGESTED),
            (Quote, SUGGESTED),
            (CandidatePerson, CandidatePerson.State.SUGGESTED),
        )
    ]
    counts: dict[int, int] = {}
    for article_id, n in parts[0].union(*parts[1:], all=True):
        counts[article_id] = counts.get(article_id, 0) + n
    return counts


def last_changes(article_ids: list[int]) -> dict[int, tuple]:
    """Return (when, by whom) of each article's latest recorded version, in one
    query; articles with no recorded version are left out."""
    if not article_ids:
        return {}
    history = Article.history.model.objects
    latest = (
        history.filter(id__in=article_ids)
        .order_by()
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    rows = history.filter(history_id__in=Subquery(latest)).values_list(
        "id", "history_date", "history_user__username"
    )
    return {pk: (when, who or "") for pk, when, who in rows}
