import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .history import short_name
from .text import (
    CONTROL_CHARACTER,
    ascii_slug,
    content_hash,
    count_words,
    fold,
    has_visible_character,
    normalise_body,
)

validate_language = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    "Enter a BCP 47 language tag such as “en”, “tr” or “pt-BR”.",
)
validate_wikidata_id = RegexValidator(
    r"^Q[1-9][0-9]*$",
    "Enter a Wikidata item ID: the letter Q followed by digits, e.g. Q7747.",
)
validate_domain = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "Enter a bare domain such as “tass.com” (no scheme, path or capitals).",
)


class URLField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def clean_name_list(values, *, field: str, validator=None) -> list[str]:
    """Return a list of stripped, unique, non-empty strings, or raise a field error."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: "Enter a list of text values."})
    cleaned, seen = [], set()
    for value in values:
        value = value.strip()
        if not value or value.casefold() in seen:
            continue
        if validator is not None:
            try:
                validator(value)
            except ValidationError as error:
                raise ValidationError(
                    {field: f"“{value}”: {error.messages[0]}"}
                ) from None
        seen.add(value.casefold())
        cleaned.append(value)
    return cleaned


def refuse_control_characters(obj, *names: str):
    """Raise a field error for each named text field (or list of texts) holding
    a control character other than tab and line breaks: such characters are
    invisible on the page, illegal in XML feeds, and PostgreSQL cannot store NUL."""
    errors = {}
    for name in names:
        value = getattr(obj, name)
        for text in value if isinstance(value, list) else [value]:
            found = CONTROL_CHARACTER.search(text) if isinstance(text, str) else None
            if found:
                errors[name] = control_character_message(found.group())
                break
    if errors:
        raise ValidationError(errors)


def refuse_invisible_names(obj, *names: str):
    """Raise a field error for each named text field (a name, a title) that is
    not empty but shows nothing: only spaces and invisible format characters (a
    zero-width space, a joiner, a direction mark). Such a name cannot be read,
    picked or linked to."""
    errors = {
        name: "Enter at least one visible character: this is only spaces or "
        "invisible characters."
        for name in names
        if getattr(obj, name) and not has_visible_character(getattr(obj, name))
    }
    if errors:
        raise ValidationError(errors)


def control_character_message(char: str) -> str:
    return (
        f"Remove the invisible control character U+{ord(char):04X}: "
        "only tabs and line breaks are allowed."
    )


# How alike two names must be (pg_trgm's word similarity, 0–1) for one to be
# found by the other on PostgreSQL: "Lavorv" finds Lavrov (0.43).
WORD_SIMILARITY = 0.3


class EntityQuerySet(models.QuerySet):
    """Reads shared by outlets, people and topics."""

    def public(self):
        """Return the entities the public may see: those with a published
        article (a confirmed link to one, for people and topics). Every public
        surface asks this; someone named only in drafts has no public page,
        feed, index entry or API record. See docs/design.md#what-the-public-sees.
        """
        return self.filter(models.Exists(self.public_articles()))

    def public_articles(self):
        """Return the published articles of the outer row's entity, as the
        subquery of public()."""
        raise NotImplementedError

    def with_published_counts(self):
        """Annotate n_articles: how many published articles the public sees (kept
        in published_count by articles.counts)."""
        return self.annotate(n_articles=models.F("published_count"))

    def named_like(self, name: str):
        """Return entities whose name resembles name, best first.

        On PostgreSQL, trigram word similarity forgives typos ("Erdgan",
        "Lavorv"); elsewhere, a case-insensitive substring of the name.
        """
        from django.db import connections

        name = name.strip()[:100]
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import TrigramWordSimilarity

            return (
                self.annotate(similarity=TrigramWordSimilarity(name, "name"))
                .filter(Q(similarity__gte=WORD_SIMILARITY) | Q(name__icontains=name))
                .order_by("-similarity", "name")
            )
        return self.filter(name__icontains=name).order_by("name")

    def resembling(self, name: str, limit: int) -> list:
        """Return up to limit entities whose names resemble name, best first,
        as named_like() finds them, but read through the names' trigram index
        on PostgreSQL (person_name_trgm_idx and its siblings): a picker asks
        this at every keystroke, and named_like()'s similarity, computed for
        every row, took half a second over 20,000 people.

        The index answers the `%>` operator, whose threshold is a setting of
        the session: it is set to WORD_SIMILARITY for this one transaction.
        The candidates are found by name alone, then kept if in this queryset
        (public(), say): its subqueries then run for a few rows, not all."""
        from django.db import connections

        name = name.strip()[:100]
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return list(self.named_like(name)[:limit])
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import TrigramWordSimilarity

        everyone = self.model._default_manager.using(self.db)
        with transaction.atomic(using=self.db), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(WORD_SIMILARITY)],
            )
            candidates = list(
                everyone.filter(
                    Q(TrigramWordSimilar(models.F("name"), models.Value(name)))
                    | Q(name__iregex=re.escape(name))
                )
                .annotate(similarity=TrigramWordSimilarity(name, "name"))
                .order_by("-similarity", "name")
                .values_list("pk", flat=True)[: limit * 5]
            )
        order = {pk: n for n, pk in enumerate(candidates)}
        found = self.filter(pk__in=candidates)
        return sorted(found, key=lambda entity: order[entity.pk])[:limit]


class OutletQuerySet(EntityQuerySet):
    def public_articles(self):
        # The outlet's articles from article_outlet_date_idx, until a published
        # one.
        return Article.objects.published().filter(outlet=models.OuterRef("pk"))


class LinkedEntityQuerySet(EntityQuerySet):
    def public_articles(self):
        # The entity's confirmed links from their (entity, state, article)
        # index, each article's status by its primary key, until a published
        # one (Article.objects.published()'s condition).
        link = self.model._meta.get_field("article_links").related_model
        return link.objects.filter(
            published_condition("article__"),
            **{self.model._meta.model_name: models.OuterRef("pk")},
            state=LinkState.CONFIRMED,
        )


class PersonQuerySet(LinkedEntityQuerySet):
    def public(self):
        """Return the people the public may see: named by a confirmed link to
        a published article, or speaking in one of its public quotes."""
        quoted = Quote.objects.public().filter(speaker=models.OuterRef("pk"))
        return self.filter(
            models.Exists(self.public_articles()) | models.Exists(quoted)
        )


class TopicQuerySet(LinkedEntityQuerySet):
    pass


def unique_slug(model, text: str, *, exclude_pk=None, fallback: str) -> str:
    base = ascii_slug(text, max_length=180) or fallback
    others = model._default_manager.exclude(pk=exclude_pk)
    # The common case, a free slug, is one indexed lookup; only a clash pays for
    # the prefix scan (SQLite cannot serve LIKE 'x%' from an index).
    if not others.filter(slug=base).exists():
        return base
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class Entity(models.Model):
    """What outlets, people and topics share: a slug made from the name when
    none is given, and the number of published articles of theirs the public
    sees, which only articles.counts writes."""

    published_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Published articles the public sees; kept by articles.counts.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                type(self),
                self.name,
                exclude_pk=self.pk,
                fallback=self._meta.model_name,
            )
        updating = not (self._state.adding or kwargs.get("force_insert"))
        if updating and kwargs.get("update_fields") is None:
            # The count is the database's: a copy loaded before articles.counts
            # last changed it (a merge moving links, an edit while an import
            # publishes) must not write the old number back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "published_count"
            ]
        super().save(*args, **kwargs)


class Outlet(Entity):
    class Ownership(models.TextChoices):
        STATE = "state", "State-owned"
        PUBLIC = "public", "Public broadcaster"
        PRIVATE = "private", "Private"
        UNKNOWN = "unknown", "Unknown"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Left empty, made from the name.",
    )
    homepage = URLField(blank=True)
    domains = models.JSONField(
        default=list,
        blank=True,
        help_text="Web domains the outlet publishes on, e.g. “tass.com”, "
        "“tass.ru”. Used to recognise the outlet from an article's URL.",
    )
    country = CountryField(blank=True)
    language = models.CharField(
        "main language",
        max_length=35,
        blank=True,
        validators=[validate_language],
        help_text="BCP 47 tag, e.g. “en”, “tr”, “ru”.",
    )
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN
    )
    description = models.TextField(blank=True)

    objects = OutletQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["published_count"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ownership__in=["state", "public", "private", "unknown"]),
                name="outlet_ownership_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-published_count", "name"], name="outlet_count_idx")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:outlet-detail", kwargs={"slug": self.slug})

    def clean(self):
        refuse_control_characters(self, "name", "description")
        refuse_invisible_names(self, "name")
        self.domains = clean_name_list(
            [d.strip().lower().removeprefix("www.") for d in self.domains]
            if isinstance(self.domains, list)
            else self.domains,
            field="domains",
            validator=validate_domain,
        )
        others = Outlet.objects.exclude(pk=self.pk).only("name", "domains")
        for other in others:
            shared = set(self.domains) & set(other.domains)
            if shared:
                raise ValidationError(
                    {
                        "domains": f"{', '.join(sorted(shared))} already belongs to "
                        f"{other.name}."
                    }
                )


class Person(Entity):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Left empty, made from the name.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other spellings and scripts, e.g. “Sergei Lavrov”, “Сергей Лавров”.",
    )
    description = models.CharField(
        max_length=255, blank=True, help_text="e.g. “Foreign Minister of Russia”."
    )
    country = CountryField(blank=True)
    wikidata_id = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[validate_wikidata_id]
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["published_count"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="person_unique_wikidata_id",
                violation_error_message="Another person already has this Wikidata ID.",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="person_wikidata_id_format",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            # The people index, most published first: read in this order, it
            # asks public() of the first hundred rows only.
            models.Index(fields=["-published_count", "name"], name="person_count_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:person-detail", kwargs={"slug": self.slug})

    def clean(self):
        refuse_control_characters(self, "name", "aliases", "description")
        refuse_invisible_names(self, "name")
        self.aliases = clean_name_list(self.aliases, field="aliases")

    def names(self) -> list[str]:
        """Return the name followed by every alias."""
        return [self.name, *self.aliases]

    def folded_names(self) -> set[str]:
        return {fold(name) for name in self.names()}


class Topic(Entity):
    MAX_DEPTH = 3

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Left empty, made from the name.",
    )
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="A broader topic, e.g. Syria for Idlib.",
    )
    keywords = models.JSONField(
        "keywords and aliases",
        default=list,
        blank=True,
        help_text="Other names and words that signal this topic.",
    )

    objects = TopicQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["published_count"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="topic_unique_name_per_parent",
                violation_error_message="This parent has a topic with this name.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="topic_unique_root_name",
                violation_error_message="A top-level topic has this name already.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="topic_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["-published_count", "name"], name="topic_count_idx")
        ]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def get_absolute_url(self):
        return reverse("articles:topic-detail", kwargs={"slug": self.slug})

    def clean(self):
        refuse_control_characters(self, "name", "description", "keywords")
        refuse_invisible_names(self, "name")
        self.keywords = clean_name_list(self.keywords, field="keywords")
        depth, ancestor, seen = 1, self.parent, {id(self)}
        while ancestor is not None:
            if id(ancestor) in seen or (
                ancestor.pk is not None and ancestor.pk == self.pk
            ):
                raise ValidationError({"parent": "A topic cannot be its own ancestor."})
            seen.add(id(ancestor))
            depth += 1
            ancestor = ancestor.parent
        if depth > self.MAX_DEPTH:
            raise ValidationError(
                {"parent": f"Topics nest at most {self.MAX_DEPTH} levels deep."}
            )


class ConcurrentEdit(ValidationError):
    """Someone else saved the article after this edit began."""

    def __init__(self, article):
        self.article = article
        super().__init__(
            "Someone else saved this article after you opened it, so your changes "
            "were not saved (they would have overwritten theirs). See what they "
            "changed in the article's history, then make your edit again.",
            code="conflict",
        )


def published_condition(path: str = "") -> Q:
    """Return the condition an article the public may see meets, for the
    article at path ("article__" from a quote): published() and the public()
    of quotes and notes share this one rule."""
    return Q(**{f"{path}status": Article.Status.PUBLISHED})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Return the articles the public may see. Every public surface uses this."""
        return self.filter(published_condition())

    def newest_first(self):
        return self.order_by(models.F("published_at").desc(nulls_last=True), "-pk")

    def oldest_first(self):
        return self.order_by(models.F("published_at").asc(nulls_last=True), "pk")

    def for_listing(self):
        """Return rows ready for a list: outlet joined, heavy text columns deferred."""
        return self.select_related("outlet").defer("body", "raw_text", "notes")

    def set_status(self, status, *, reason: str = "") -> int:
        """Move the articles to status, leaving tombstones for those that leave
        the public archive; return how many changed."""
        with transaction.atomic(using=self.db):
            rows = list(self.exclude(status=status).values_list("pk", "slug", "status"))
            now = timezone.now()
            changed = Article.objects.filter(pk__in=[pk for pk, _, _ in rows])
            changed.update(
                status=status,
                updated_at=now,
                version=models.F("version") + 1,
                **({"withdrawal_reason": reason} if reason else {}),
            )
            # update() bypasses history; the corrections list needs to know
            # when each article was published, so record the change here.
            loaded = list(changed)
            Article.history.bulk_history_create(loaded, update=True, default_date=now)
            Tombstone.record(rows, status, now)
            if rows:
                articles_changed.send(
                    Article, ids=[a.pk for a in loaded], using=self.db
                )
        return len(rows)

    def touch(self):
        """Mark the articles changed now, for API consumers syncing by time
        (and for the page cache: the articles' pages changed)."""
        ids = list(self.values_list("pk", flat=True))
        articles_changed.send(Article, ids=ids, using=self.db)
        return Article.objects.filter(pk__in=ids).update(updated_at=timezone.now())


# Sent by the bulk writes that send no model signals (set_status, touch), with
# the ids of the articles they changed: articles.signals recounts what the
# public sees and forgets cached pages.
articles_changed = Signal()


@dataclass(frozen=True)
class Correction:
    """A change readers can see, made while the article was published."""

    date: datetime
    changed: list[str]


OUTLET_NEEDED = "Choose the article's outlet: only a draft may be without one."


class Article(models.Model):
    # Fields whose later changes the public page lists as corrections, named as
    # readers would name them. The body is compared by its hash, which is short.
    CORRECTED_FIELDS = {
        "title": "title",
        "lead": "lead",
        "content_hash": "body",
        "published_at": "published date",
        "dateline": "dateline",
        "url": "original address",
        "outlet": "outlet",
        "language": "language",
    }

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Empty only on a draft: an imported page that names no outlet waits for a
    # curator to choose one (article_outlet_unless_draft).
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
        help_text="Who published the article. A draft may wait for one; an "
        "article in review or published needs it.",
    )
    title = models.CharField(max_length=500)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="Left empty, made from the title.",
    )
    url = URLField(
        "canonical URL",
        max_length=2000,
        blank=True,
        help_text="The article's canonical address at the outlet.",
    )
    published_at = models.DateTimeField(
        "published",
        null=True,
        blank=True,
        help_text="Leave empty when the source does not say.",
    )
    date_inferred = models.BooleanField(
        "date inferred",
        default=False,
        help_text="The source does not state this date in full; a curator inferred "
        "it from the content (explain how in an annotation).",
    )
    dateline = models.CharField(
        max_length=200, blank=True, help_text="Where the story was filed, e.g. MOSCOW."
    )
    lead = models.TextField(blank=True)
    body = models.TextField(
        help_text="Plain text; separate paragraphs with a blank line."
    )
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language],
        help_text="BCP 47 tag, e.g. “en”, “tr”, “ru”.",
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=False
    )
    withdrawal_reason = models.TextField(
        blank=True,
        help_text="Why the article was withdrawn; shown to readers in place of the "
        "text. Required to withdraw.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Counts saves, so that two curators editing at once cannot "
        "overwrite each other.",
    )
    notes = models.TextField(
        "internal notes",
        blank=True,
        help_text="For curators only; never shown publicly.",
    )
    raw_text = models.TextField(
        "raw source", blank=True, help_text="The input exactly as it was received."
    )
    source = models.CharField(
        max_length=2000, blank=True, help_text="File name or URL the input came from."
    )
    content_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="SHA-256 of the normalised body, used to find duplicates.",
    )
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    import_batch = models.ForeignKey(
        "ImportBatch",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="articles",
        db_index=False,  # a partial index below: most articles have none
        help_text="The import that brought the article in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    story = models.ForeignKey(
        "Story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="Copies of the same story in other outlets (wire reprints, "
        "light rewrites), linked by the importer.",
    )

    people = models.ManyToManyField(
        Person, through="ArticlePerson", related_name="articles", blank=True
    )
    topics = models.ManyToManyField(
        Topic, through="ArticleTopic", related_name="articles", blank=True
    )

    objects = ArticleQuerySet.as_manager()
    # The version only counts saves; every save would show it as a change.
    # History is read by article (id) and date; indexes on its other columns
    # would only slow every save and a generated corpus's load.
    history = HistoricalRecords(
        excluded_fields=["version"],
        no_db_index=["slug", "content_hash", "outlet", "story", "import_batch"],
    )

    UNDATED_VIEWS = {
        "article-detail": "article-undated",
        "article-raw": "article-undated-raw",
        "article-citation": "article-undated-citation",
    }

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish and withdraw articles"),
            ("add_import", "Can import articles from files"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="article_unique_url",
                violation_error_message="Another article has this canonical URL.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published", "withdrawn"]),
                name="article_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(body=""), name="article_body_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(date_inferred=False) | Q(published_at__isnull=False),
                name="article_inferred_date_present",
            ),
            models.CheckConstraint(
                condition=Q(outlet__isnull=False) | Q(status="draft"),
                name="article_outlet_unless_draft",
                violation_error_message="Only a draft may be without an outlet.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="article_status_date_idx",
            ),
            # PostgreSQL also has article_status_newest_idx, for the public
            # lists' newest-first, undated-last order (see migration 0009).
            models.Index(
                fields=["outlet", "-published_at", "-id"],
                name="article_outlet_date_idx",
            ),
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            models.Index(
                fields=["import_batch"],
                condition=Q(import_batch__isnull=False),
                name="article_import_batch_idx",
            ),
            # The review lists' "imported in the last hour / day / week" and
            # "this import run" filters: a range of it, not every draft read.
            models.Index(
                fields=["imported_at"],
                condition=Q(imported_at__isnull=False),
                name="article_imported_idx",
            ),
            # The admin changelist's order, whatever the status, and its
            # language and "date inferred" filters (migration 0015).
            models.Index(fields=["-published_at", "-id"], name="article_newest_idx"),
            models.Index(
                fields=["language", "-published_at", "-id"],
                name="article_language_date_idx",
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(date_inferred=True),
                name="article_inferred_date_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        if not self.slug:
            self.slug = unique_slug(
                Article, self.title, exclude_pk=self.pk, fallback="article"
            )
        body_changed = self.body_changed()
        stored_status = getattr(self, "_stored_status", None)
        adding = self._state.adding
        # A new article can only have a tombstone to clear (a restored id) when
        # it is published; a new draft needs no look-up.
        leaves_a_mark = not adding or self.status == self.Status.PUBLISHED
        with transaction.atomic():
            if not adding:
                self.claim_version()
            super().save(*args, **kwargs)
            if body_changed:
                self.reanchor_passages()
            if self.status != stored_status and leaves_a_mark:
                Tombstone.record(
                    [(self.pk, self.slug, stored_status)], self.status, self.updated_at
                )
        self._stored_body = self.body
        self._stored_status = self.status
        self._stored_outlet_id = self.outlet_id
        self._stored_published_at = self.published_at

    def get_absolute_url(self):
        return self.url_for("article-detail")

    def claim_version(self):
        """Move the stored version on by one, if it is still the one this edit
        started from (`expected_version`, else the one loaded); otherwise someone
        saved the article meanwhile and this save is refused."""
        expected = getattr(self, "expected_version", None) or self.version
        claimed = Article.objects.filter(pk=self.pk, version=expected).update(
            version=expected + 1
        )
        if not claimed:
            raise ConcurrentEdit(self)
        self.version = expected + 1
        self.expected_version = None

    def url_for(self, view: str, **kwargs) -> str:
        """Return the URL of one of the article's pages (detail, raw, citation)
        under its dated permalink, or its undated one."""
        if self.published_at is None:
            name = self.UNDATED_VIEWS[view]
            return reverse(f"articles:{name}", kwargs={"slug": self.slug, **kwargs})
        day = self.published_at.astimezone(UTC)
        return reverse(
            f"articles:{view}",
            kwargs={
                "year": day.year,
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": self.slug,
                **kwargs,
            },
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._stored_body = article.__dict__.get("body")
        article._stored_status = article.__dict__.get("status")
        article._stored_outlet_id = article.__dict__.get("outlet_id")
        if "published_at" in article.__dict__:  # not deferred
            article._stored_published_at = article.published_at
        return article

    def clean(self):
        refuse_control_characters(
            self, "title", "lead", "body", "dateline", "withdrawal_reason", "notes"
        )
        refuse_invisible_names(self, "title")
        self.refresh_derived_fields()
        if not self.body:
            raise ValidationError({"body": "The article needs a body."})
        if self.date_inferred and self.published_at is None:
            raise ValidationError(
                {"date_inferred": "Give the inferred date, or untick “date inferred”."}
            )
        if self.outlet_id is None and self.status != self.Status.DRAFT:
            raise ValidationError({"outlet": OUTLET_NEEDED})
        if self.body_changed():
            lost = [p for p in self.passages() if p.passage_text() not in self.body]
            if lost:
                listed = "; ".join(
                    f"{p._meta.verbose_name} “{p.passage_text()}”" for p in lost
                )
                raise ValidationError(
                    {
                        "body": "The new body no longer contains these passages: "
                        f"{listed}. Edit or delete them first, then change the body."
                    }
                )
        duplicate = (
            Article.objects.filter(content_hash=self.content_hash)
            .exclude(pk=self.pk)
            .only("title")
            .first()
        )
        if duplicate is not None:
            raise ValidationError(
                {
                    "body": "This body is already in the archive as "
                    f"“{duplicate.title}” "
                    f"(#{duplicate.pk})."
                }
            )

    def remember_stored(self):
        """Compare later edits with the row as stored: for an instance not loaded
        from the database, such as a version taken from the history to revert to."""
        stored = (
            Article.objects.filter(pk=self.pk)
            .values("body", "status", "outlet_id", "published_at")
            .first()
            or {}
        )
        self._stored_body = stored.get("body")
        self._stored_status = stored.get("status")
        self._stored_outlet_id = stored.get("outlet_id")
        self._stored_published_at = stored.get("published_at")

    def corrections(self) -> list[Correction]:
        """Return the public changes made while the article was published, oldest
        first, in one query. Status changes and internal notes are not listed."""
        fields = self.CORRECTED_FIELDS
        records = self.history.order_by("history_date", "history_id").only(
            "history_date", "history_type", "status", *fields
        )
        published = Article.Status.PUBLISHED
        corrections, previous = [], None
        for record in records:
            if (
                previous is not None
                and record.history_type == "~"
                and previous.status == published
                and record.status == published
            ):
                changed = [
                    label
                    for name, label in fields.items()
                    if getattr(record, self._meta.get_field(name).attname)
                    != getattr(previous, self._meta.get_field(name).attname)
                ]
                if changed:
                    corrections.append(Correction(record.history_date, changed))
            previous = record
        return corrections

    def refresh_derived_fields(self):
        """Normalise the body and recompute what is derived from it."""
        self.body = normalise_body(self.body or "")
        self.lead = (self.lead or "").strip()
        self.title = " ".join((self.title or "").split())
        self.content_hash = content_hash(self.body)
        self.word_count = count_words(self.body)

    def body_changed(self) -> bool:
        """Return whether the body differs from the one last loaded or saved."""
        if self.pk is None or "body" not in self.__dict__:
            return False
        stored = getattr(self, "_stored_body", None)
        return stored is None or normalise_body(stored) != normalise_body(self.body)

    def passages(self) -> list:
        """Return the quotes and annotations anchored to passages of the body."""
        return [
            *Quote.objects.filter(article=self),
            *Annotation.objects.filter(article=self, start__isnull=False),
        ]

    def reanchor_passages(self):
        """Move each passage's offsets to where its words now stand in the body.

        Of several occurrences the one nearest the old position wins. clean()
        refuses a body that loses a passage, so every passage is found.
        """
        for passage in self.passages():
            text = passage.passage_text()
            if self.body[passage.start : passage.end] == text:
                continue
            starts, found = [], self.body.find(text)
            while found >= 0:
                starts.append(found)
                found = self.body.find(text, found + 1)
            if not starts:
                continue
            start = min(starts, key=lambda s: abs(s - passage.start))
            passage.start, passage.end = start, start + len(text)
            if isinstance(passage, Annotation):
                passage.fill_context(self.body)
            passage.save(update_fields=["start", "end", *passage.CONTEXT_FIELDS])


class LinkState(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed by a curator"
    SUGGESTED = "suggested", "Suggested by software"


class RemembersStoredLink:
    """A link loaded from the database remembers its entity and state as
    stored, so that its signals recount the person or topic it left as well as
    the one it names, and skip the recount when it neither was nor is
    confirmed (articles.signals)."""

    entity_field: str

    @classmethod
    def from_db(cls, db, field_names, values):
        link = super().from_db(db, field_names, values)
        link._stored_entity_id = link.__dict__.get(f"{cls.entity_field}_id")
        link._stored_state = link.__dict__.get("state")
        return link


class ArticlePerson(RemembersStoredLink, models.Model):
    entity_field = "person"

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        QUOTED = "quoted", "Quoted"
        MENTIONED = "mentioned", "Mentioned"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="person_links"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="article_links"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.CONFIRMED
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "person in article"
        verbose_name_plural = "people in articles"
        ordering = ["role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "role"],
                name="articleperson_unique_role",
                violation_error_message="This person has this role in the article.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["author", "quoted", "mentioned"]),
                name="articleperson_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["confirmed", "suggested"]),
                name="articleperson_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person", "role"], name="articleperson_person_role_idx"
            ),
            # The admin's "suggestions awaiting review" filter (migration 0015).
            models.Index(
                fields=["article"],
                condition=Q(state="suggested"),
                name="articleperson_suggested_idx",
            ),
            # A person's confirmed articles from the index alone (their pages,
            # feeds and monthly counts), without visiting every link row.
            models.Index(
                fields=["person", "state", "article"],
                name="articleperson_person_art_idx",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display().lower()}) in {self.article}"


class ArticleTopic(RemembersStoredLink, models.Model):
    entity_field = "topic"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="topic_links"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="article_links"
    )
    state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.CONFIRMED
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "topic of article"
        verbose_name_plural = "topics of articles"
        ordering = ["topic__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "topic"],
                name="articletopic_unique",
                violation_error_message="The article already has this topic.",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["confirmed", "suggested"]),
                name="articletopic_state_valid",
            ),
        ]
        indexes = [
            # A topic's links, read from the index alone: its latest (the
            # article page's related coverage) and its confirmed articles (its
            # page, feeds and monthly counts), read in either direction.
            models.Index(
                fields=["topic", "state", "-article"],
                name="articletopic_topic_latest_idx",
            ),
            models.Index(
                fields=["article"],
                condition=Q(state="suggested"),
                name="articletopic_suggested_idx",
            ),
        ]

    def __str__(self):
        return f"{self.topic} in {self.article}"


class QuoteQuerySet(models.QuerySet):
    def public(self):
        """Return the quotes the public may see: confirmed quotes in published
        articles. Every public surface asks this."""
        return self.filter(published_condition("article__"), state=LinkState.CONFIRMED)


class AnnotationQuerySet(models.QuerySet):
    def public(self):
        """Return the notes the public may see: public notes on published
        articles. Every public surface asks this."""
        return self.filter(
            published_condition("article__"), visibility=Annotation.Visibility.PUBLIC
        )


class Passage(models.Model):
    """A span of an article's body located by character offsets.

    ``start`` and ``end`` index the stored (normalised) body, end exclusive, so
    ``article.body[start:end]`` is the passage. Leave the offsets empty and they
    are found from the text; give only offsets and the text is filled in.
    """

    TEXT_FIELD = "text"
    CONTEXT_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def passage_text(self) -> str:
        return getattr(self, self.TEXT_FIELD)

    def locate_passage(self):
        text_field = self.TEXT_FIELD
        text = (getattr(self, text_field) or "").strip()
        setattr(self, text_field, text)
        body = self.article.body if self.article_id else ""
        start, end = self.start, self.end
        if start is None and end is None:
            if not text:
                return
            found = body.find(text)
            if found < 0:
                raise ValidationError(
                    {
                        text_field: "These words do not appear in the article body. "
                        "Copy "
                        "them exactly, including punctuation."
                    }
                )
            self.start, self.end = found, found + len(text)
            return
        if start is None or end is None:
            raise ValidationError("Give both the start and the end offset, or neither.")
        if not 0 <= start < end <= len(body):
            raise ValidationError(
                {
                    "end": "Offsets must satisfy "
                    f"0 ≤ start < end ≤ {len(body)}, the length "
                    "of the body."
                }
            )
        if not text:
            setattr(self, text_field, body[start:end])
        elif body[start:end] != text:
            raise ValidationError(
                {
                    text_field: f"The body at {start}–{end} reads "
                    f"“{body[start:end]}”, not "
                    "these words. Correct the offsets or leave them empty to have them "
                    "found."
                }
            )


class Quote(Passage):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="quotes"
    )
    speaker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField(
        "quoted words",
        blank=True,
        help_text="Exactly as they appear in the body. Left empty, taken from the "
        "offsets.",
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.CONFIRMED
    )

    objects = QuoteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    start__isnull=False, end__isnull=False, end__gt=models.F("start")
                ),
                name="quote_offsets_valid",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="quote_text_not_empty"),
            models.UniqueConstraint(
                fields=["article", "speaker", "start", "end"],
                name="quote_unique_span",
                violation_error_message="This quote is already recorded.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["article"],
                condition=Q(state="suggested"),
                name="quote_suggested_idx",
            )
        ]

    def __str__(self):
        words = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"{self.speaker}: “{words}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#quote-{self.pk}"

    def clean(self):
        refuse_control_characters(self, "text")
        if not (self.text or "").strip() and self.start is None and self.end is None:
            raise ValidationError({"text": "Enter the quoted words."})
        self.locate_passage()


class Annotation(Passage):
    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal (curators only)"
        PUBLIC = "public", "Public"

    TEXT_FIELD = "exact"
    CONTEXT_FIELDS = ("prefix", "suffix")
    CONTEXT = 32

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="annotations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
    )
    note = models.TextField()
    # W3C Web Annotation selectors: TextQuote (exact, prefix, suffix) and
    # TextPosition (start, end). All empty when the note is on the whole article.
    exact = models.TextField(
        "passage", blank=True, help_text="The annotated words, exactly as in the body."
    )
    prefix = models.CharField(max_length=64, blank=True, editable=False)
    suffix = models.CharField(max_length=64, blank=True, editable=False)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "start", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(start__isnull=True, end__isnull=True, exact="")
                    | Q(
                        start__isnull=False,
                        end__isnull=False,
                        end__gt=models.F("start"),
                    )
                ),
                name="annotation_selector_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["internal", "public"]),
                name="annotation_visibility_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "visibility"], name="annotation_vis_idx"),
        ]

    def __str__(self):
        note = self.note if len(self.note) <= 60 else self.note[:59] + "…"
        return f"Note on {self.article}: {note}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#annotation-{self.pk}"

    def clean(self):
        refuse_control_characters(self, "note", "exact")
        self.locate_passage()
        if self.start is not None and self.article_id:
            self.fill_context(self.article.body)
        else:
            self.prefix = self.suffix = ""

    def fill_context(self, body: str):
        self.prefix = body[max(0, self.start - self.CONTEXT) : self.start]
        self.suffix = body[self.end : self.end + self.CONTEXT]


class Story(models.Model):
    """Articles in several outlets that tell one story: a wire report and its
    reprints or light rewrites. The earliest-published member is the first."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self):
        first = self.first_article()
        return f"Story of “{first}”" if first else f"Story #{self.pk}"

    def first_article(self):
        return (
            self.articles.select_related("outlet")
            .order_by(models.F("published_at").asc(nulls_last=True), "pk")
            .first()
        )


class ArticleVersion(models.Model):
    """A later capture of an article whose outlet changed the text after an
    earlier capture. The article keeps the text curators work on; each version
    keeps what the outlet showed at its capture time."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions"
    )
    captured_at = models.DateTimeField()
    title = models.CharField(max_length=500)
    lead = models.TextField(blank=True)
    body = models.TextField()
    content_hash = models.CharField(max_length=64, db_index=True)
    raw_text = models.TextField(blank=True)
    source = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["article", "captured_at"]
        get_latest_by = "captured_at"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "content_hash"], name="articleversion_unique_text"
            ),
        ]

    def __str__(self):
        return f"{self.article} as captured {self.captured_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#version-{self.pk}"


class ArticleFingerprint(models.Model):
    """One band of an article's MinHash signature, for finding near-duplicates.

    Two articles that share any band key are candidates; the importer confirms
    a candidate by comparing the texts themselves.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="fingerprints"
    )
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key"], name="fingerprint_key_idx")]

    def __str__(self):
        return f"{self.article_id}:{self.key}"


class CandidatePerson(models.Model):
    """A name the importer found that is not yet a person in the archive.

    Curators confirm it (creating the person, or linking an existing one) or
    reject it; nothing becomes a Person without them.
    """

    class State(models.TextChoices):
        SUGGESTED = "suggested", "Awaiting review"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="candidate_people"
    )
    name = models.CharField(max_length=200)
    title = models.CharField(
        max_length=200, blank=True, help_text="e.g. “Foreign Minister”, as written."
    )
    role = models.CharField(
        max_length=10,
        choices=ArticlePerson.Role.choices,
        default=ArticlePerson.Role.MENTIONED,
    )
    context = models.CharField(max_length=300, blank=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.SUGGESTED
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person this candidate became or was linked to.",
    )

    class Meta:
        verbose_name = "candidate person"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "name", "role"], name="candidateperson_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["suggested", "confirmed", "rejected"]),
                name="candidateperson_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["state"], name="candidateperson_state_idx"),
            models.Index(
                fields=["article"],
                condition=Q(state="suggested"),
                name="candidateperson_suggested_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.name}".strip()


class Tombstone(models.Model):
    """What API consumers who keep a copy still see of an article that left the
    public archive (withdrawn, sent back to draft or review, or deleted): its id,
    status and when, so they can remove their copy.

    An article has a tombstone only while it is not public; publishing it again
    removes the tombstone (the article itself is then newer than the consumer's
    last sync). Deleted articles that were never public get one too, for curators
    who sync drafts; `was_public` keeps those from the public.
    """

    DELETED = "deleted"

    article_id = models.BigIntegerField(unique=True)
    slug = models.SlugField(max_length=200)
    status = models.CharField(max_length=10)
    was_public = models.BooleanField(default=True)
    removed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["removed_at", "article_id"], name="tombstone_time_idx")
        ]

    def __str__(self):
        return f"Article #{self.article_id} {self.status} at {self.removed_at}"

    @classmethod
    def record(cls, rows, status, when):
        """Record a status change of articles given as (pk, slug, old status)."""
        ids = [pk for pk, _, _ in rows]
        if not ids:
            return
        if status == Article.Status.PUBLISHED:
            cls.objects.filter(article_id__in=ids).delete()
            return
        known = dict(
            cls.objects.filter(article_id__in=ids).values_list(
                "article_id", "was_public"
            )
        )
        stones = [
            cls(
                article_id=pk,
                slug=slug,
                status=status,
                was_public=old == Article.Status.PUBLISHED or known.get(pk, False),
                removed_at=when,
            )
            for pk, slug, old in rows
            if status == cls.DELETED or old == Article.Status.PUBLISHED or pk in known
        ]
        cls.objects.bulk_create(
            stones,
            update_conflicts=True,
            unique_fields=["article_id"],
            update_fields=["slug", "status", "was_public", "removed_at"],
        )


class MergeRecord(models.Model):
    """A merge of two duplicate outlets, people or topics, kept so that it can be
    undone exactly: the absorbed record as it was, the survivor's fields the merge
    changed, and the ids of the links it moved, removed as duplicates or confirmed.
    """

    class Kind(models.TextChoices):
        OUTLET = "outlet", "Outlet"
        PERSON = "person", "Person"
        TOPIC = "topic", "Topic"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    survivor_id = models.BigIntegerField()
    absorbed_id = models.BigIntegerField()
    absorbed_name = models.CharField(max_length=200)
    absorbed = models.JSONField(help_text="The absorbed record's fields at the merge.")
    survivor_before = models.JSONField(
        default=dict, help_text="The survivor's fields the merge changed, as they were."
    )
    links = models.JSONField(
        default=dict,
        help_text="Per link model: ids moved to the survivor, removed as "
        "duplicates, and the survivor's links confirmed by the merge.",
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["outlet", "person", "topic"]),
                name="mergerecord_kind_valid",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} #{self.absorbed_id} “{self.absorbed_name}” "
            f"merged into #{self.survivor_id}"
        )


class ImportBatch(models.Model):
    """One import: an upload in the admin or a run of import_articles, and its
    report (what became of each input). Its number names it in the history of
    the articles it brought in ("Imported from x.html (batch 12) by alice")."""

    class Origin(models.TextChoices):
        ADMIN = "admin", "Upload in the admin"
        COMMAND = "command", "import_articles command"

    origin = models.CharField(max_length=10, choices=Origin.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.CharField(
        max_length=150,
        help_text="The account that imported, or for the command without "
        "--user, the system user who ran it.",
    )
    sources = models.CharField(
        max_length=2000, help_text="The files or folders imported."
    )
    status = models.CharField(
        max_length=10,
        choices=Article.Status.choices,
        help_text="The status the imported articles were given.",
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(
        default=dict, blank=True, help_text="How many items were imported, duplicate, …"
    )
    items = models.JSONField(
        default=list,
        blank=True,
        help_text="Each input: its source, result, error, warnings and article.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "import batch"
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(origin__in=["admin", "command"]),
                name="importbatch_origin_valid",
            ),
        ]

    def __str__(self):
        return f"Import batch {self.pk}: {self.sources}"

    def outcome(self) -> str:
        """Return the summary as the import reported it: "3 imported, 0
        updated, 1 duplicate, 0 rejected" (the stored JSON keeps no order)."""
        order = ["imported", "updated", "duplicate", "rejected"]
        counts = sorted(
            self.summary.items(),
            key=lambda c: order.index(c[0]) if c[0] in order else len(order),
        )
        return ", ".join(f"{n} {result}" for result, n in counts)

    def history_reason(self, source: str) -> str:
        """Return the change reason of an article's first history record."""
        return (
            f"Imported from {short_name(source)} (batch {self.pk}) by {self.started_by}"
        )


class SearchChange(models.Model):
    """An article whose entry in the search index is out of date.

    Written by database triggers (migration 0020) in the same transaction as
    the change, whoever makes it: an article's text, status, date, outlet or
    language, a person or topic link, a quote. articles.search.sync applies the
    rows to the index after the commit and then removes them.
    """

    article_id = models.BigIntegerField()
    changed_at = models.DateTimeField(db_default=Now())

    def __str__(self):
        return f"Article #{self.article_id} changed at {self.changed_at}"
