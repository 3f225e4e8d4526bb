"""The review queue: what awaits a curator's decision, counted for the admin
index, and changelists of suggested links to confirm or reject one by one or in
bulk."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils.translation import ngettext

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
        shown.append(
            {"label": label, "count": pending.count(), "url": f"{url}?{query}"}
        )
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
