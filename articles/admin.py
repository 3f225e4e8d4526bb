import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, TextField
from django.forms.models import BaseInlineFormSet
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language_info, ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import merging, review, search, services, workflow
from .forms import ImportForm
from .ingest.parsed import RejectedInput
from .ingest.reading import too_large
from .models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    CandidatePerson,
    ConcurrentEdit,
    ImportBatch,
    LinkState,
    MergeRecord,
    Outlet,
    Person,
    Quote,
    Story,
    Topic,
)
from .pagination import EstimatedCountPaginator
from .rendering import text_diff
from .review import QUEUES, SuggestionAdmin

can_publish = workflow.can_publish


class NameListField(forms.CharField):
    """Edit a JSON list of names as one name per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class OutletForm(forms.ModelForm):
    domains = NameListField(
        required=False, help_text="One domain a line, e.g. tass.com. No https://."
    )

    class Meta:
        model = Outlet
        fields = "__all__"  # noqa: DJ007 (an admin form edits every field)


class PersonForm(forms.ModelForm):
    aliases = NameListField(
        required=False,
        help_text="One spelling a line: other transliterations, scripts, "
        "spellings without diacritics.",
    )

    class Meta:
        model = Person
        fields = "__all__"  # noqa: DJ007 (an admin form edits every field)


class TopicForm(forms.ModelForm):
    keywords = NameListField(required=False, help_text="One keyword or alias a line.")

    class Meta:
        model = Topic
        fields = "__all__"  # noqa: DJ007 (an admin form edits every field)


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (an admin form edits every field)
        widgets = {
            "title": forms.TextInput(attrs={"size": 90}),
            "url": forms.URLInput(attrs={"size": 90}),
            "lead": forms.Textarea(attrs={"rows": 3, "cols": 100}),
            "body": forms.Textarea(attrs={"rows": 16, "cols": 100}),
            "notes": forms.Textarea(attrs={"rows": 2, "cols": 100}),
        }

    # The version the curator loaded, sent back with the form: if the article
    # has been saved since, this save is refused instead of overwriting it.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        current = self.stored_status()
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        status = self.fields.get("status")
        if status is not None and user is not None:
            allowed = workflow.choices_for(user, current)
            status.choices = [(v, lbl) for v, lbl in status.choices if v in allowed]
            if not can_publish(user):
                status.help_text = "Editors publish and withdraw articles."
        self.name_date_and_time()

    def name_date_and_time(self):
        """Name the published date's two boxes for screen readers (the admin
        labels them visibly, but not for assistive technology)."""
        published = self.fields.get("published_at")
        parts = getattr(getattr(published, "widget", None), "widgets", [])
        names = ("Published on (date)", "Published at (time)")
        for part, name in zip(parts, names, strict=False):
            part.attrs["aria-label"] = name

    def stored_status(self):
        """Return the status in the database (a version being reverted to may
        carry another)."""
        if not self.instance.pk:
            return None
        return getattr(self.instance, "_stored_status", self.instance.status)

    def clean(self):
        cleaned = super().clean()
        current = self.stored_status()
        status = cleaned.get("status")
        if status and self.user is not None and current is not None:
            # A missing outlet is for Article.clean to report, on the outlet.
            message = workflow.refusal(
                self.user,
                current,
                status,
                reason=cleaned.get("withdrawal_reason") or "",
            )
            if message:
                field = "withdrawal_reason" if "reason" in message else "status"
                self.add_error(field, message)
        if self.instance.pk:
            loaded = cleaned.get("loaded_version")
            stored = (
                Article.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if loaded is not None and stored is not None and loaded != stored:
                raise forms.ValidationError(
                    ConcurrentEdit(self.instance).message, code="conflict"
                )
            self.instance.expected_version = loaded
        return cleaned


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, its chosen option named from labels read once
    for the whole formset rather than by a query per row."""

    def __init__(self, field, admin_site, *, labels, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.labels = labels

    def optgroups(self, name, value, attr=None):
        chosen = [
            str(v) for v in value if str(v) not in self.choices.field.empty_values
        ]
        if not all(v in self.labels for v in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for v in chosen:
            options.append(
                self.create_option(name, v, self.labels[v], True, len(options))
            )
        return [(None, options, 0)]


class ArticleRowsFormSet(BaseInlineFormSet):
    """Rows of an article checked against all of its rows in the database.

    Django checks an inline row's unique constraints (one topic once per
    article…) only against the other rows of the form, and the form leaves out
    the article's suggestions: a row repeating one would be a crash at save
    rather than a message."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            if form.errors:
                continue
            unchecked = {
                f.name
                for f in self.model._meta.fields
                if f.name not in form.fields and f.name != self.fk.name
            }
            try:
                form.instance.validate_constraints(exclude=unchecked)
            except ValidationError as error:
                form.add_error(None, error)


class ArticleRowsInline:
    """An inline of an article's page whose rows name the article and their
    people or topics without a query per row: the rows come with their article
    (its long text left out), and the autocompletes' chosen names are read in one
    query for the formset."""

    formset = ArticleRowsFormSet

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article")
            .defer(
                "article__body", "article__raw_text", "article__notes", "article__lead"
            )
        )

    def get_formset(self, request, obj=None, **kwargs):
        self.labels = {}
        for field_name in self.autocomplete_fields:
            related = self.model._meta.get_field(field_name).related_model
            rows = (
                self.model.objects.filter(article=obj)
                if obj
                else self.model.objects.none()
            )
            self.labels[field_name] = {
                str(o.pk): str(o)
                for o in related.objects.filter(pk__in=rows.values(field_name))
            }
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in getattr(self, "labels", {}):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field,
                self.admin_site,
                labels=self.labels[db_field.name],
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConfirmedLinksInline(ArticleRowsInline):
    """An article's confirmed links, in the "People, topics and quotes" section;
    its suggestions are decided in the review panel above, not edited here (a
    save of the form would otherwise write back what the panel decided)."""

    section = "links"
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state=LinkState.SUGGESTED)


class ArticlePersonInline(ConfirmedLinksInline, admin.TabularInline):
    model = ArticlePerson
    template = "admin/articles/article/tabular.html"
    autocomplete_fields = ["person"]
    fields = ["person", "role"]
    verbose_name = "person"
    verbose_name_plural = "people (author, quoted, mentioned)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class ArticleTopicInline(ConfirmedLinksInline, admin.TabularInline):
    model = ArticleTopic
    template = "admin/articles/article/tabular.html"
    autocomplete_fields = ["topic"]
    fields = ["topic"]
    verbose_name = "topic"
    verbose_name_plural = "topics"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic")


class QuoteInline(ConfirmedLinksInline, admin.StackedInline):
    model = Quote
    autocomplete_fields = ["speaker"]
    fields = ["speaker", "text", ("start", "end")]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


class AnnotationInline(ArticleRowsInline, admin.StackedInline):
    model = Annotation
    fields = ["note", "exact", ("start", "end"), "visibility", "author"]
    readonly_fields = ["author"]
    extra = 0
    section = "annotations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class TextDiffHelper(HistoricalRecordContextHelper):
    """Show a change to long text as a word diff (deleted words struck through,
    added ones underlined) rather than both texts cut at 100 characters."""

    MAX_DIFFED_CHARS = 50_000

    def word_diff(self, change):
        field = self.model._meta.get_field(change.field)
        old, new = change.old or "", change.new or ""
        if (
            isinstance(field, TextField)
            and isinstance(old, str)
            and isinstance(new, str)
            and len(old) + len(new) <= self.MAX_DIFFED_CHARS
        ):
            return text_diff(old, new)
        return None

    def context_for_delta_changes(self, delta):
        return [
            {
                "field": formatted.field,
                "old": formatted.old,
                "new": formatted.new,
                "diff": self.word_diff(change),
            }
            for change, formatted in (
                (change, self.format_delta_change(change)) for change in delta.changes
            )
        ]


class HistoryAdmin(SimpleHistoryAdmin):
    """The history page lists each version's changed fields, before → after;
    a version can be reverted to by whoever may change the record."""

    object_history_list_template = "admin/articles/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return TextDiffHelper(self.model, historical_record)


class MergeAdmin(HistoryAdmin):
    """History, and merging two duplicates into one (editors: it deletes one)."""

    actions = ["merge_two"]

    @admin.action(description="Merge the two selected into one", permissions=["delete"])
    def merge_two(self, request, queryset):
        chosen = list(queryset.order_by("pk"))
        if len(chosen) != 2:
            self.message_user(
                request, "Select exactly two to merge; nothing changed.", messages.ERROR
            )
            return None
        if request.POST.get("post") == "yes" and request.POST.get("survivor"):
            survivor = next(
                (o for o in chosen if str(o.pk) == request.POST["survivor"]), None
            )
            if survivor is None:
                raise PermissionDenied
            absorbed = next(o for o in chosen if o.pk != survivor.pk)
            try:
                record = merging.merge(
                    survivor=survivor, absorbed=absorbed, user=request.user
                )
            except ValidationError as error:
                self.message_user(
                    request,
                    "Not merged: " + " ".join(error.messages),
                    messages.ERROR,
                )
                return None
            self.message_user(request, f"{record}.", messages.SUCCESS)
            return None
        kind = merging.kind_of(self.model)
        choices = [
            (
                obj,
                sum(
                    link.model.objects.filter(**{link.field: obj}).count()
                    for link in merging.LINKS[kind]
                ),
            )
            for obj in chosen
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Merge two {self.model._meta.verbose_name_plural}",
            "choices": choices,
            "names_label": self.model._meta.get_field(
                merging.NAME_LISTS[kind]
            ).verbose_name,
        }
        return TemplateResponse(request, "admin/articles/merge_confirm.html", context)


@admin.register(Outlet)
class OutletAdmin(MergeAdmin):
    form = OutletForm
    list_display = ["name", "country", "language", "ownership", "homepage"]
    list_filter = ["ownership", "country", "language"]
    search_fields = ["name", "slug", "domains"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(MergeAdmin):
    form = PersonForm
    list_display = ["name", "description", "country", "wikidata_id", "article_count"]
    list_filter = ["country"]
    search_fields = ["name", "aliases", "description", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    # Counted with GROUP BY, which drops Meta.ordering: the autocomplete boxes
    # would list people in no order.
    ordering = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_articles=Count("article_links__article", distinct=True))
        )

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Topic)
class TopicAdmin(MergeAdmin):
    form = TopicForm
    list_display = ["name", "parent", "article_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "keywords", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]  # as PersonAdmin's

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("article_links"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


class HasSuggestionsFilter(admin.SimpleListFilter):
    """Articles with a suggested person, topic, quote or candidate person.

    One EXISTS over a UNION ALL of the four, not four EXISTS joined by OR:
    PostgreSQL answers ORed EXISTS by hashing every suggestion of the four
    tables first (a second at a million articles), but looks one UNION up
    article by article in the partial indexes of suggestions, which is what a
    page of fifty needs.
    """

    title = "suggestions"
    parameter_name = "suggestions"

    def lookups(self, request, model_admin):
        return [("pending", "Awaiting review")]

    def queryset(self, request, queryset):
        if self.value() != "pending":
            return queryset
        pending = [
            model.objects.filter(article=OuterRef("pk"), state=state)
            .order_by()
            .values("article_id")
            for model, state in (
                (ArticlePerson, LinkState.SUGGESTED),
                (ArticleTopic, LinkState.SUGGESTED),
                (Quote, LinkState.SUGGESTED),
                (CandidatePerson, CandidatePerson.State.SUGGESTED),
            )
        ]
        return queryset.filter(Exists(pending[0].union(*pending[1:], all=True)))


class LanguageFilter(admin.SimpleListFilter):
    """Articles in one language. The choices are the outlets' main languages (a
    table of a few hundred rows) and the one chosen, not a SELECT DISTINCT over
    every article; any other tag still filters when given in the address."""

    title = "language"
    parameter_name = "language__exact"

    def lookups(self, request, model_admin):
        codes = set(
            Outlet.objects.exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        if self.value():
            codes.add(self.value())
        return [(code, language_label(code)) for code in sorted(codes)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(language=self.value())
        return queryset


def language_label(code: str) -> str:
    """Return "Russian (ru)" for "ru", or the tag alone when Django has no name."""
    try:
        return f"{get_language_info(code)['name']} ({code})"
    except KeyError:
        return code


class SpeakerAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete of quote speakers, with each person's slug: the
    annotation panel names the speaker by slug when it writes through the API."""

    def get_queryset(self):
        return super().get_queryset().order_by("name", "pk")

    def serialize_result(self, obj, to_field_name):
        return {**super().serialize_result(obj, to_field_name), "slug": obj.slug}


class ReadOnlyAdmin:
    """For records the archive writes itself (merges, import batches): shown,
    never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown for context on another object's page, changed elsewhere."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ArticleVersionInline(ReadOnlyInline):
    model = ArticleVersion
    template = "admin/articles/article/tabular.html"
    section = "provenance"
    fields = ["captured_at", "title", "source", "changes"]
    readonly_fields = fields
    verbose_name_plural = "later versions captured from the outlet"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description="changes from the archived text")
    def changes(self, version):
        return text_diff(version.article.body, version.body)


class ImportBatchFilter(admin.SimpleListFilter):
    """Articles by when they were imported: recently, or by one import (its
    batch number: the report of an import and its page in the admin link to
    its articles).

    The choices are fixed rather than read from the articles, which would read
    every row's import time: the list stays as fast at a million articles."""

    title = "import"
    parameter_name = "imported"
    RECENT = {"hour": 1, "day": 24, "week": 24 * 7}

    def lookups(self, request, model_admin):
        choices = [
            ("hour", "In the last hour"),
            ("day", "In the last 24 hours"),
            ("week", "In the last 7 days"),
            ("any", "Imported at any time"),
        ]
        batch = self.chosen_batch
        if batch is not None:
            started = timezone.localtime(batch.started_at)
            choices.append(
                (self.value(), f"Import batch {batch.pk} ({started:%Y-%m-%d %H:%M})")
            )
        return choices

    @cached_property
    def chosen_batch(self):
        """The import batch chosen, or None (read once: the choices and the
        filter both ask)."""
        value = self.value() or ""
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            return None
        return ImportBatch.objects.filter(pk=int(value)).first()

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "any":
            return queryset.filter(imported_at__isnull=False)
        if value in self.RECENT:
            since = timezone.now() - dt.timedelta(hours=self.RECENT[value])
            return queryset.filter(imported_at__gte=since)
        batch = self.chosen_batch
        if batch is None:
            raise IncorrectLookupParameters(
                "An import is chosen by its batch number (see Import batches), "
                "or as hour, day, week or any."
            )
        return queryset.filter(import_batch=batch)


def batch_articles_url(batch) -> str:
    """Return the address of the article list showing one import's articles."""
    return (
        reverse("admin:articles_article_changelist")
        + "?"
        + urlencode({"imported": batch.pk})
    )


class ArticleChangeList(ChangeList):
    """The changelist, with each row's waiting suggestions and latest change
    read for the page's rows at once (two queries, whatever the page size)."""

    def get_results(self, request):
        super().get_results(request)
        ids = [article.pk for article in self.result_list]
        waiting = review.waiting_counts(ids)
        changes = review.last_changes(ids)
        for article in self.result_list:
            article.waiting = waiting.get(article.pk, 0)
            article.last_change = changes.get(article.pk)


STATUS_MOVES = {
    Article.Status.DRAFT: ("Back to draft", "b"),
    Article.Status.REVIEW: ("Send to review", "r"),
    Article.Status.PUBLISHED: ("Publish", "p"),
}


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    form = ArticleAdminForm
    list_display = [
        "short_title",
        "status",
        "outlet_name",
        "date",
        "last_change",
        "suggestions",
    ]
    list_filter = [
        "status",
        HasSuggestionsFilter,
        ImportBatchFilter,
        LanguageFilter,
        "date_inferred",
        "outlet",
    ]
    list_select_related = ["outlet"]
    list_per_page = 50
    # Shown for the search box; the search itself is get_search_results().
    search_fields = ["title"]
    search_help_text = (
        "Finds articles whose title or text has every word (drafts too), or the "
        "exact canonical URL or slug (paste it whole)."
    )
    # The text search reads at most this many matches, newest first.
    SEARCH_LIMIT = 1000
    date_hierarchy = "published_at"
    autocomplete_fields = ["outlet"]
    prepopulated_fields = {"slug": ["title"]}
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [
        ArticlePersonInline,
        ArticleTopicInline,
        QuoteInline,
        AnnotationInline,
        ArticleVersionInline,
    ]
    actions = [
        "send_to_draft",
        "send_to_review",
        "publish",
        "withdraw",
        "confirm_suggestions",
        "reject_suggestions",
        "add_topic",
        "remove_topic",
        "add_person",
        "remove_person",
    ]
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"
    readonly_fields = [
        "word_count",
        "content_hash",
        "imported_at",
        "created_at",
        "updated_at",
        "raw_source",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    ("status", "outlet"),
                    "withdrawal_reason",
                    "loaded_version",
                    ("published_at", "date_inferred"),
                    ("language", "dateline"),
                    "url",
                    "slug",
                ]
            },
        ),
        (
            "Text",
            {"classes": ["collapse", "open"], "fields": ["lead", "body", "notes"]},
        ),
        (
            "Provenance and raw source",
            {
                "classes": ["collapse", "after-inlines"],
                "fields": [
                    "source",
                    ("imported_at", "word_count"),
                    "content_hash",
                    ("created_at", "updated_at"),
                    "raw_source",
                ],
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """The withdrawal reason only where it matters: on a withdrawn article,
        and on a published one an editor may withdraw (shown when "withdrawn"
        is chosen)."""
        if self.shows_withdrawal_reason(request, obj):
            return self.fieldsets
        main, *rest = self.fieldsets
        fields = [f for f in main[1]["fields"] if f != "withdrawal_reason"]
        return [(main[0], {**main[1], "fields": fields}), *rest]

    def shows_withdrawal_reason(self, request, obj) -> bool:
        if obj is None:
            return False
        status = getattr(obj, "_stored_status", obj.status)
        return status == Article.Status.WITHDRAWN or (
            status == Article.Status.PUBLISHED and can_publish(request.user)
        )

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def changelist_view(self, request, extra_context=None):
        # The list's columns need the width the navigation sidebar would take.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="title", ordering="title")
    def short_title(self, article):
        # Cut to one line by the stylesheet; the whole title on hover.
        return format_html('<span title="{}">{}</span>', article.title, article.title)

    @admin.display(description="outlet", ordering="outlet__name")
    def outlet_name(self, article):
        if article.outlet is None:  # a draft waiting for its outlet
            return format_html('<span class="no-outlet">{}</span>', "choose one")
        name = article.outlet.name
        return format_html('<span title="{}">{}</span>', name, name)

    @admin.display(description="published", ordering="published_at")
    def date(self, article):
        if article.published_at is None:
            return "undated"
        return f"{timezone.localtime(article.published_at):%Y-%m-%d}"

    @admin.display(description="last change", ordering="updated_at")
    def last_change(self, article):
        when = f"{timezone.localtime(article.updated_at):%Y-%m-%d %H:%M}"
        recorded = getattr(article, "last_change", None)
        if recorded and recorded[1]:
            return format_html("{} <small>by {}</small>", when, recorded[1])
        return when

    @admin.display(description="waiting")
    def suggestions(self, article):
        return getattr(article, "waiting", 0) or ""

    def get_search_results(self, request, queryset, search_term):
        """Search the text through the search door (drafts included, within the
        list's status, outlet and language), and the exact URL or slug. Without
        the index, say so and match the URL or slug only."""
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = Q(url=term) | Q(slug=term)
        if "://" in term:
            return queryset.filter(exact), False
        try:
            found = self.text_matches(request, term)
        except search.SearchUnavailable:
            self.message_user(
                request,
                "The text search is unavailable for a moment (its index is being "
                "rebuilt); only exact URLs and slugs were matched.",
                messages.WARNING,
            )
            return queryset.filter(exact), False
        if len(found) >= self.SEARCH_LIMIT:
            self.message_user(
                request,
                f"The text search lists the {self.SEARCH_LIMIT:,} newest matches; "
                "add words or filters to narrow it.",
                messages.INFO,
            )
        return queryset.filter(exact | Q(pk__in=found)), False

    def text_matches(self, request, term: str) -> list[int]:
        """Return the ids of the newest articles (at most SEARCH_LIMIT) whose
        text matches, asking the search door with the list's filters."""
        params = request.GET

        def chosen(name):
            return params.get(name) or None

        statuses = None
        if not workflow.sees_drafts(request.user):
            statuses = search.PUBLISHED
        elif chosen("status__exact") in Article.Status.values:
            statuses = frozenset([params["status__exact"]])
        outlet = chosen("outlet__id__exact")
        question = search.Question(
            text=search.parse(term),
            statuses=statuses,
            outlets=frozenset([int(outlet)]) if outlet and outlet.isdigit() else None,
            languages=frozenset([chosen("language__exact")])
            if chosen("language__exact")
            else frozenset(),
        )
        return next(search.ids(question, chunk=self.SEARCH_LIMIT), [])

    def get_queryset(self, request):
        # The changelist never shows the long text columns; don't fetch them.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith(
            "changelist"
        ):
            queryset = queryset.defer("body", "raw_text", "notes", "lead")
        return queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.pk and not hasattr(obj, "_stored_body"):
            # A version from the history, about to be reverted to: validate it
            # against the stored article, so a revert that drops quoted passages
            # or changes the status without the right is refused like an edit.
            obj.remember_stored()
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestArticleForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return RequestArticleForm

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "link_history": link_history(object_id),
        }
        return super().history_view(request, object_id, extra_context)

    @admin.display(description="raw source as received")
    def raw_source(self, obj):
        if not obj.raw_text:
            return "—"
        return format_html('<pre class="raw-source">{}</pre>', obj.raw_text)

    def save_formset(self, request, form, formset, change):
        if formset.model is Annotation:
            for annotation_form in formset.forms:
                annotation = annotation_form.instance
                if annotation_form.has_changed() and annotation.author_id is None:
                    annotation.author = request.user
        super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None:
            extra_context = {
                **(extra_context or {}),
                **self.annotate_context(request, article),
                **self.review_context(request, article),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def queue_of(self, request, article) -> str | None:
        """Return the queue the article's page belongs to: the one it was
        opened from (?queue=), else its status's, if it has one."""
        chosen = request.GET.get("queue")
        if chosen in QUEUES:
            return chosen
        status = getattr(article, "_stored_status", article.status)
        return status if status in QUEUES else None

    def review_context(self, request, article) -> dict:
        """Return what the review panel and the queue bar need: the article's
        waiting suggestions with their passages, the queue and its neighbours'
        addresses, the status moves the user may make, the latest changes."""
        may_change = self.has_change_permission(request, article)
        status = getattr(article, "_stored_status", article.status)
        queue = self.queue_of(request, article)
        queue_url = reverse("admin:articles_article_queue")
        context = {
            "waiting": review.waiting_suggestions(article) if may_change else [],
            "recent_history": article.history.select_related("history_user").order_by(
                "-history_date", "-history_id"
            )[:5],
            "history_url": reverse("admin:articles_article_history", args=[article.pk]),
            "moves": [
                {"status": to, "label": STATUS_MOVES[to][0], "key": STATUS_MOVES[to][1]}
                for to in workflow.choices_for(request.user, status)
                if to != status and to in STATUS_MOVES
            ]
            if may_change
            else [],
        }
        if queue:
            context["queue"] = {
                "status": queue,
                "name": QUEUES[queue],
                "count": review.in_queue(queue).count(),
                "next": f"{queue_url}?queue={queue}&after={article.pk}",
                "previous": f"{queue_url}?queue={queue}&before={article.pk}",
                "list": reverse("admin:articles_article_changelist")
                + f"?status__exact={queue}",
            }
        return context

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        move = request.POST.get("_move") if request.method == "POST" else None
        if move:
            # "Send to review", "Publish"…: the form saved with that status; the
            # form refuses a move the user may not make, as if chosen in the list.
            request.POST = request.POST.copy()
            request.POST["status"] = move
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEdit as conflict:
            # Someone saved between this form's check and its save: nothing of
            # this save was kept (the view runs in a transaction).
            self.message_user(request, conflict.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_change(self, request, obj):
        if "_move" not in request.POST:
            return super().response_change(request, obj)
        self.message_user(
            request,
            f"“{obj.title}” is now {workflow.label(obj.status)}.",
            messages.SUCCESS,
        )
        queue = request.GET.get("queue")
        if queue not in QUEUES:
            queue = getattr(obj, "_status_before_save", None)
        return self.open_in_queue(request, queue, after=obj)

    def save_model(self, request, obj, form, change):
        # A move leads on to the next article of the queue it left.
        obj._status_before_save = getattr(obj, "_stored_status", None)
        super().save_model(request, obj, form, change)

    def open_in_queue(self, request, queue, *, after=None, before=None):
        """Redirect to the queue's article after (or before) this one, or its
        first; at the end of the queue, to its list, saying so."""
        if queue not in QUEUES:
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        if after is not None:
            found = review.next_in_queue(queue, after)
        elif before is not None:
            found = review.previous_in_queue(queue, before)
        else:
            found = review.first_in_queue(queue)
        if found is None:
            where = "first" if before is not None else "last"
            self.message_user(
                request,
                f"That was the {where} of the {QUEUES[queue]}."
                if after or before
                else f"No {QUEUES[queue]} wait.",
                messages.INFO,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_changelist") + f"?status__exact={queue}"
            )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[found.pk])
            + f"?queue={queue}"
        )

    def queue_view(self, request):
        """Open the queue's oldest article, or the one after (?after=) or
        before (?before=) an article."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        queue = request.GET.get("queue", Article.Status.DRAFT)
        if queue not in QUEUES:
            raise Http404("No such queue.")
        around = {}
        for side in ("after", "before"):
            value = request.GET.get(side, "")
            if value:
                if not value.isdigit():
                    raise Http404("No such article.")
                around[side] = get_object_or_404(
                    Article.objects.only("pk", "published_at"), pk=int(value)
                )
        return self.open_in_queue(request, queue, **around)

    def suggestion_view(self, request, pk, kind, link, decision):
        """Confirm or reject one suggestion (POST). Asked by the review panel's
        script, answer JSON; asked by a form, go back to the article."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if kind not in services.SUGGESTIONS or decision not in {"confirm", "reject"}:
            raise Http404("No such suggestion.")
        article = get_object_or_404(Article, pk=pk)
        model = services.SUGGESTIONS[kind][0]
        right = "delete" if decision == "reject" and kind != "candidate" else "change"
        if not request.user.has_perm(f"articles.{right}_{model._meta.model_name}"):
            raise PermissionDenied
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            message = services.decide_suggestion(
                article=article,
                kind=kind,
                pk=link,
                confirm=decision == "confirm",
                user=request.user,
            )
            level, status = messages.SUCCESS, 200
        except services.AlreadyDecided as error:
            message, level, status = error.message, messages.WARNING, 409
        if wants_json:
            waiting = review.waiting_counts([article.pk]).get(article.pk, 0)
            return JsonResponse({"message": message, "waiting": waiting}, status=status)
        self.message_user(request, message, level)
        return self.back_to_article(request, article.pk)

    def back_to_article(self, request, pk):
        url = reverse("admin:articles_article_change", args=[pk])
        queue = request.POST.get("queue") or request.GET.get("queue")
        return HttpResponseRedirect(
            url + (f"?queue={queue}" if queue in QUEUES else "")
        )

    def annotate_context(self, request, article) -> dict:
        """Return what the "Annotate the body" panel needs: which actions the
        user may take, and the article's passages so far."""
        can_note = request.user.has_perm("articles.add_annotation")
        can_quote = request.user.has_perm("articles.add_quote")
        if not (can_note or can_quote):
            return {}
        passages = [
            passage_item(passage)
            for passage in [
                *article.quotes.select_related("speaker"),
                *article.annotations.filter(start__isnull=False),
            ]
        ]
        return {
            "annotate": {
                "body": article.body,
                "config": {
                    "article": article.pk,
                    "canNote": can_note,
                    "canQuote": can_quote,
                    "annotationsUrl": reverse("api:annotation-list"),
                    "quotesUrl": reverse("api:quote-list"),
                    "speakersUrl": reverse("admin:articles_article_speakers"),
                    "passages": sorted(passages, key=lambda p: (p["start"], p["id"])),
                },
            }
        }

    def speakers_view(self, request):
        return SpeakerAutocompleteJsonView.as_view(admin_site=self.admin_site)(request)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_import_permission(self, request):
        return request.user.has_perms(["articles.add_import", "articles.add_article"])

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="articles_article_import"),
            path(
                "annotate/speakers/",
                wrap(self.speakers_view),
                name="articles_article_speakers",
            ),
            path(
                "<int:pk>/suggestions/<str:decision>/",
                wrap(self.suggestions_view),
                name="articles_article_suggestions",
            ),
            path(
                "<int:pk>/suggestions/<str:kind>/<int:link>/<str:decision>/",
                wrap(self.suggestion_view),
                name="articles_article_suggestion",
            ),
            path("queue/", wrap(self.queue_view), name="articles_article_queue"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload files and import them, showing the per-file report; an import
        that writes is kept (ImportBatch) and shows in "Recent actions"."""
        from .ingest.service import Importer, Report, finish_batch, start_batch

        if not self.has_import_permission(request):
            raise PermissionDenied
        report = batch = review_url = None
        form = ImportForm(
            request.POST or None,
            request.FILES or None,
            can_publish=can_publish(request.user),
        )
        if request.method == "POST" and form.is_valid():
            if not form.cleaned_data["dry_run"]:
                batch = start_batch(
                    origin=ImportBatch.Origin.ADMIN,
                    sources=[f.name for f in form.cleaned_data["files"]],
                    status=form.cleaned_data["status"],
                    user=request.user,
                )
            importer = Importer(
                default_outlet=form.cleaned_data["outlet"],
                status=form.cleaned_data["status"],
                dry_run=form.cleaned_data["dry_run"],
                batch=batch,
            )
            report = Report(items=list(importer.run(uploaded_sources(form, importer))))
            if batch is not None:
                finish_batch(batch, report)
                self.log_addition(request, batch, [{"added": {}}])
                review_url = batch_articles_url(batch)
            level = messages.WARNING if report.rejected else messages.SUCCESS
            summary = ", ".join(
                f"{n} {status}" for status, n in report.summary().items()
            )
            self.message_user(request, f"Import finished: {summary}.", level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import articles from files",
            "form": form,
            "report": report,
            "batch": batch,
            "review_url": review_url,
            "max_megabytes": importer_limit_mb(),
            "upload_megabytes": settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        }
        return TemplateResponse(request, "admin/articles/article/import.html", context)

    def suggestions_view(self, request, pk, decision):
        """Confirm or reject all of one article's suggestions (POST only)."""
        article = get_object_or_404(Article, pk=pk)
        if request.method != "POST" or decision not in {"confirm", "reject"}:
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[pk])
            )
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        articles = Article.objects.filter(pk=pk)
        if decision == "confirm":
            message = f"Confirmed {services.confirm_suggestions(articles=articles)}."
        else:
            message = f"Rejected {services.reject_suggestions(articles=articles)}."
        if "application/json" in request.headers.get("Accept", ""):
            waiting = review.waiting_counts([pk]).get(pk, 0)
            return JsonResponse({"message": message, "waiting": waiting})
        self.message_user(request, message, messages.SUCCESS)
        return self.back_to_article(request, pk)

    @admin.action(
        description="Confirm the selected articles' suggestions", permissions=["change"]
    )
    def confirm_suggestions(self, request, queryset):
        outcome = services.confirm_suggestions(articles=queryset)
        self.message_user(request, f"Confirmed {outcome}.", messages.SUCCESS)

    @admin.action(
        description="Reject the selected articles' suggestions", permissions=["change"]
    )
    def reject_suggestions(self, request, queryset):
        outcome = services.reject_suggestions(articles=queryset)
        self.message_user(request, f"Rejected {outcome}.", messages.SUCCESS)

    def _set_status(self, request, queryset, status, *, reason=""):
        """Move every article whose move is allowed; report what moved and why
        the others did not."""
        refusals, movable = {}, []
        rows = queryset.exclude(status=status).values_list("pk", "status", "outlet")
        for pk, old, outlet in rows:
            message = workflow.refusal(
                request.user, old, status, reason=reason, has_outlet=outlet is not None
            )
            if message:
                refusals.setdefault(message, []).append(pk)
            else:
                movable.append(pk)
        updated = Article.objects.filter(pk__in=movable).set_status(
            status, reason=reason
        )
        if updated:
            LogEntry.objects.log_actions(
                request.user.pk,
                list(Article.objects.filter(pk__in=movable).only("pk", "title")),
                CHANGE,
                change_message=f"Status set to {workflow.label(status)} (bulk action)."
                + (f" Reason: {reason}" if reason else ""),
                single_object=False,
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d article marked as %(label)s.",
                "%(count)d articles marked as %(label)s.",
                updated,
            )
            % {"count": updated, "label": workflow.label(status)},
            messages.SUCCESS if updated else messages.WARNING,
        )
        for message, pks in refusals.items():
            self.message_user(
                request,
                f"{len(pks)} not changed: {message}",
                messages.ERROR,
            )

    @admin.action(
        description="Move selected articles back to draft", permissions=["change"]
    )
    def send_to_draft(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT)

    @admin.action(
        description="Send selected articles to review", permissions=["change"]
    )
    def send_to_review(self, request, queryset):
        self._set_status(request, queryset, Article.Status.REVIEW)

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="Withdraw selected articles…", permissions=["publish"])
    def withdraw(self, request, queryset):
        return self.ask_then_apply(
            request,
            queryset,
            WithdrawForm,
            title="Withdraw articles",
            apply=lambda form: self._set_status(
                request,
                queryset,
                Article.Status.WITHDRAWN,
                reason=form.cleaned_data["reason"],
            ),
        )

    @admin.action(
        description="Add a topic to the selected articles…", permissions=["change"]
    )
    def add_topic(self, request, queryset):
        return self.bulk_links(
            request, queryset, TopicChoiceForm, "Add a topic", services.add_topic
        )

    @admin.action(
        description="Remove a topic from the selected articles…", permissions=["change"]
    )
    def remove_topic(self, request, queryset):
        return self.bulk_links(
            request, queryset, TopicChoiceForm, "Remove a topic", services.remove_topic
        )

    @admin.action(
        description="Add a person to the selected articles…", permissions=["change"]
    )
    def add_person(self, request, queryset):
        return self.bulk_links(
            request, queryset, PersonRoleForm, "Add a person", services.add_person
        )

    @admin.action(
        description="Remove a person from the selected articles…",
        permissions=["change"],
    )
    def remove_person(self, request, queryset):
        return self.bulk_links(
            request, queryset, PersonRoleForm, "Remove a person", services.remove_person
        )

    def bulk_links(self, request, queryset, form_class, title, service):
        """Ask for the topic or person (and role), then apply the service to the
        selected articles and say what it changed."""
        return self.ask_then_apply(
            request,
            queryset,
            form_class,
            title=title,
            apply=lambda form: self.report(
                request,
                service(articles=queryset, user=request.user, **form.cleaned_data),
            ),
        )

    def report(self, request, message):
        self.message_user(request, message, messages.SUCCESS)

    def ask_then_apply(self, request, queryset, form_class, *, title, apply):
        """An intermediate page asking what a bulk action needs, like the delete
        confirmation: shown first, applied when submitted with "apply"."""
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                apply(form)
                return None
        else:
            form = form_class()
        return TemplateResponse(
            request,
            "admin/articles/article/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "titles": queryset.values_list("title", flat=True)[:50],
                "count": queryset.count(),
                "selected": queryset.values_list("pk", flat=True),
                "action": request.POST.get("action"),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class TopicChoiceForm(forms.Form):
    topic = forms.ModelChoiceField(Topic.objects.order_by("name"))


class PersonRoleForm(forms.Form):
    person = forms.ModelChoiceField(Person.objects.order_by("name"))
    role = forms.ChoiceField(choices=ArticlePerson.Role.choices)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text="Readers see this in place of the text.",
    )


@admin.register(Quote)
class QuoteAdmin(SuggestionAdmin, HistoryAdmin):
    list_display = ["__str__", "speaker", "article", "state"]
    list_filter = ["state"]
    list_select_related = ["speaker", "article"]
    search_fields = ["text", "speaker__name", "article__title"]
    autocomplete_fields = ["article", "speaker"]
    show_full_result_count = False


@admin.register(Annotation)
class AnnotationAdmin(HistoryAdmin):
    list_display = ["__str__", "article", "visibility", "author", "updated_at"]
    list_filter = ["visibility"]
    list_select_related = ["article", "author"]
    search_fields = ["note", "exact", "article__title"]
    autocomplete_fields = ["article"]
    readonly_fields = ["author", "prefix", "suffix", "created_at", "updated_at"]
    fields = [
        "article",
        "note",
        "exact",
        ("start", "end"),
        ("prefix", "suffix"),
        "visibility",
        "author",
        ("created_at", "updated_at"),
    ]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


def passage_item(passage) -> dict:
    """Return a quote or an annotation as the annotation panel lists it."""
    if isinstance(passage, Quote):
        return {
            "kind": "quote",
            "id": passage.pk,
            "start": passage.start,
            "end": passage.end,
            "text": passage.text,
            "speaker": passage.speaker.name,
        }
    return {
        "kind": "note",
        "id": passage.pk,
        "start": passage.start,
        "end": passage.end,
        "text": passage.exact,
        "note": passage.note,
        "visibility": passage.visibility,
    }


def link_history(article_id) -> list:
    """Return the recorded changes to an article's people, topics, quotes and
    notes, newest first, each with its changed fields (before, after)."""
    records = []
    for model in (ArticlePerson, ArticleTopic, Quote, Annotation):
        rows = list(
            model.history.filter(article_id=article_id)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous = None
        for row in rows:
            row.link_kind = model._meta.verbose_name
            row.changes = []
            if previous is not None and previous.id == row.id:
                delta = row.diff_against(previous, foreign_keys_are_objs=False)
                row.changes = [
                    (model._meta.get_field(c.field).verbose_name, c.old, c.new)
                    for c in delta.changes
                ]
            previous = row
        records.extend(rows)
    people = Person.objects.in_bulk(
        {r.person_id for r in records if isinstance(r, ArticlePerson.history.model)}
        | {r.speaker_id for r in records if isinstance(r, Quote.history.model)}
    )
    topics = Topic.objects.in_bulk(
        {r.topic_id for r in records if isinstance(r, ArticleTopic.history.model)}
    )

    def name(objects, pk):
        return objects[pk].name if pk in objects else f"#{pk} (deleted)"

    for r in records:
        if isinstance(r, ArticlePerson.history.model):
            r.label = f"{name(people, r.person_id)} ({r.role})"
        elif isinstance(r, ArticleTopic.history.model):
            r.label = name(topics, r.topic_id)
        elif isinstance(r, Quote.history.model):
            r.label = f"{name(people, r.speaker_id)}: “{r.text[:60]}”"
        else:
            r.label = r.note[:60]
    return sorted(records, key=lambda r: r.history_date, reverse=True)


def importer_limit_mb() -> float:
    from django.conf import settings

    return settings.IMPORT_MAX_BYTES / 1024 / 1024


def uploaded_sources(form, importer):
    """Yield (file name, bytes) for each uploaded file, refusing oversize ones
    before reading them."""
    for upload in form.cleaned_data["files"]:
        if upload.size > importer.max_bytes:
            yield upload.name, RejectedInput(too_large(upload.size, importer.max_bytes))
        else:
            yield upload.name, upload.read()


@admin.register(CandidatePerson)
class CandidatePersonAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "role", "article", "state", "person"]
    list_filter = ["state", "role"]
    list_select_related = ["article", "person"]
    search_fields = ["name", "title", "article__title"]
    readonly_fields = ["article", "context", "person"]
    actions = ["confirm", "reject"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__body", "article__raw_text")

    @admin.action(
        description="Confirm: add as people (or link existing) to their articles",
        permissions=["change"],
    )
    def confirm(self, request, queryset):
        created, linked = services.confirm_candidates(candidates=queryset)
        self.message_user(
            request,
            f"{created} people created, {linked} article links made.",
            messages.SUCCESS,
        )

    @admin.action(description="Reject the selected candidates", permissions=["change"])
    def reject(self, request, queryset):
        rejected = services.reject_candidates(candidates=queryset)
        self.message_user(request, f"{rejected} candidates rejected.", messages.SUCCESS)


def earliest_first(queryset):
    return queryset.order_by(F("published_at").asc(nulls_last=True), "pk")


class StoryArticleInline(ReadOnlyInline):
    model = Article
    fields = ["title", "outlet", "published_at", "status"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "copies, earliest published first"

    def get_queryset(self, request):
        return earliest_first(super().get_queryset(request).select_related("outlet"))


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["pk", "first_title", "size", "created_at"]
    inlines = [StoryArticleInline]

    def get_queryset(self, request):
        first = earliest_first(Article.objects.filter(story=OuterRef("pk")))
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_articles=Count("articles"),
                first_title=Subquery(first.values("title")[:1]),
            )
        )

    @admin.display(description="first published copy")
    def first_title(self, story):
        return story.first_title

    @admin.display(description="articles", ordering="n_articles")
    def size(self, story):
        return story.n_articles


@admin.register(MergeRecord)
class MergeRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Merges, for editors to review and undo. Nobody edits them by hand."""

    list_display = ["__str__", "kind", "merged_by", "merged_at", "undone_at"]
    list_filter = ["kind", ("undone_at", admin.EmptyFieldListFilter)]
    list_select_related = ["merged_by"]
    actions = ["undo"]

    def may_merge(self, request, kind=None) -> bool:
        kinds = [kind] if kind else list(MergeRecord.Kind)
        return any(request.user.has_perm(f"articles.delete_{k}") for k in kinds)

    def has_module_permission(self, request):
        return self.may_merge(request)

    def has_view_permission(self, request, obj=None):
        return self.may_merge(request, obj.kind if obj else None)

    def has_undo_permission(self, request):
        return self.may_merge(request)

    @admin.action(description="Undo the selected merges", permissions=["undo"])
    def undo(self, request, queryset):
        undone = 0
        for record in queryset.filter(undone_at__isnull=True):
            if not self.may_merge(request, record.kind):
                raise PermissionDenied
            try:
                merging.undo_merge(record=record)
            except ValidationError as error:
                self.message_user(
                    request, f"{record}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                undone += 1
        self.message_user(request, f"{undone} merges undone.", messages.SUCCESS)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Import batches and their reports, for whoever may import. Nobody edits
    them."""

    list_display = ["__str__", "started_at", "started_by", "origin", "outcome"]
    list_filter = ["origin", "status"]
    fields = [
        "origin",
        "started_by",
        "sources",
        "status",
        "started_at",
        "finished_at",
        "articles",
    ]
    readonly_fields = fields
    change_form_template = "admin/articles/importbatch/change_form.html"

    def may_import(self, request) -> bool:
        return request.user.has_perms(["articles.add_import", "articles.add_article"])

    def has_module_permission(self, request):
        return self.may_import(request)

    def has_view_permission(self, request, obj=None):
        return self.may_import(request)

    @admin.display(description="articles")
    def articles(self, batch):
        count = batch.articles.count()
        if not count:
            return "None in the archive (none written, or all deleted since)"
        return format_html(
            '<a href="{}">{} article{} of this import</a>',
            batch_articles_url(batch),
            count,
            pluralize(count),
        )

    @admin.display(description="result")
    def outcome(self, batch):
        if batch.finished_at is None:
            return "unfinished"
        return batch.outcome()
