"""What the API reads and writes. Reads use light serializers built for lists and
a fuller one for an article's detail; writes validate with the models' own
`full_clean`, so the API accepts exactly what the admin accepts."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.reverse import reverse
from simple_history.utils import bulk_create_with_history

from .. import export, workflow
from ..filters import SLUG
from ..models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    LinkState,
    Outlet,
    Person,
    Quote,
    Topic,
)
from ..workflow import sees_drafts
from .errors import Conflict


def json_type_errors(serializer, data) -> dict[str, list[str]]:
    """Return what in a write's JSON body the schema does not allow, by field:
    a field the serializer does not write (unknown, or read-only), or a value
    of another JSON type than the field's (DRF alone would take 0 for a text,
    "true" for a boolean, "12" for a number, and drop unknown fields).

    The schema says the same: request bodies take no other properties
    (schema.ArchiveAutoSchema) and each field's JSON type."""
    if not isinstance(data, dict):
        return {}  # DRF answers that the body must be an object
    errors = {}
    for name, value in data.items():
        field = serializer.fields.get(name)
        if field is None or field.read_only:
            errors[name] = [f"This endpoint does not write “{name}”."]
            continue
        problem = value_error(field, value)
        if problem:
            errors[name] = [problem]
    return errors


def value_error(field, value) -> str | None:
    """Return why value is not of field's JSON type, or None."""
    if value is None:
        return None  # DRF says whether the field may be null
    if isinstance(field, serializers.ListSerializer | serializers.ManyRelatedField):
        if not isinstance(value, list):
            return "Give a list."
        child = (
            field.child
            if isinstance(field, serializers.ListSerializer)
            else field.child_relation
        )
        for index, item in enumerate(value):
            problem = value_error(child, item)
            if problem:
                return f"{index}: {problem}"
        return None
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return "Give an object."
        nested = json_type_errors(field, value)
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in nested.items()) or None
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Give a list."
        for index, item in enumerate(value):
            problem = value_error(field.child, item)
            if problem:
                return f"{index}: {problem}"
        return None
    expected = json_type(field)
    if expected is None or isinstance(value, expected[0]):
        if expected and expected[0] is int and isinstance(value, bool):
            return f"Give {expected[1]}."
        return None
    return f"Give {expected[1]}."


def json_type(field):
    """Return (Python type, description) of the JSON value field takes."""
    if isinstance(field, serializers.BooleanField):
        return bool, "true or false"
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return int, "a whole number"
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return (int, float), "a number"
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DateTimeField
        | serializers.DateField
        | serializers.RelatedField,
    ):
        return str, "text (a JSON string)"
    return None


class ModelCleanMixin:
    """Run the model's full_clean on the instance a write would save, and report
    its errors as field errors.

    The model checks its own unique constraints (with the admin's messages), so
    DRF's unique-together validators, which would make every field in such a
    constraint required, are left out.
    """

    def get_validators(self):
        return []

    def to_internal_value(self, data):
        errors = json_type_errors(self, data)
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or self.Meta.model()
        if self.instance is not None:
            # Validate a copy, so a refused update leaves the instance untouched.
            instance = self.Meta.model.objects.get(pk=self.instance.pk)
        plain = {k: v for k, v in attrs.items() if k not in self.extra_write_fields()}
        for name, value in plain.items():
            setattr(instance, name, value)
        self.prepare(instance)
        try:
            instance.full_clean(exclude=self.clean_exclude)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        self.cleaned_instance = instance
        return attrs

    def extra_write_fields(self) -> set[str]:
        return set()

    def prepare(self, instance):
        """Set what the request implies but the client does not send."""

    def create(self, validated_data):
        """Save the instance validate() cleaned (a new one, or a changed copy of
        the stored one), with what save_extra adds, in one transaction."""
        with transaction.atomic():
            instance = self.cleaned_instance
            instance.save()
            self.save_extra(instance, validated_data)
        return instance

    def update(self, instance, validated_data):
        return self.create(validated_data)

    def save_extra(self, instance, validated_data):
        pass


class FieldsMixin:
    """Return only the fields named in the request's `fields=` parameter (the
    view has checked the names), and the curators' fields only to curators.

    `ALWAYS` fields come whatever `fields=` says: a list row's `kind`, which
    tells an article from a tombstone. Every other field may be left out, so
    the schema marks no other field required (schema.ArchiveAutoSchema).
    """

    ALWAYS: tuple[str, ...] = ()
    CURATORS_ONLY: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = self.context.get("fields")
        if wanted:
            for name in set(self.fields) - set(wanted) - set(self.ALWAYS):
                self.fields.pop(name)
        request = self.context.get("request")
        if self.CURATORS_ONLY and not (request and sees_drafts(request.user)):
            for name in self.CURATORS_ONLY:
                self.fields.pop(name, None)

    @classmethod
    def selectable_fields(cls) -> list[str]:
        """Return the names `fields=` may choose from."""
        return [name for name in cls.Meta.fields if name not in cls.ALWAYS]


@extend_schema_field({"type": "string", "pattern": SLUG})
class SlugRef(serializers.SlugRelatedField):
    """A record named by its slug. A value that cannot be a slug is refused
    before the database sees it (a NUL byte was a 500 on PostgreSQL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        # An empty text is not a slug (DRF's related fields take it as null).
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(SLUG, data):
            self.fail("invalid")
        return super().to_internal_value(data)


def name_list(help_text: str):
    """A list of names (aliases, keywords, domains), as the models keep them."""
    return serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=help_text,
    )


class OutletRefSerializer(serializers.ModelSerializer):
    # Declared, as on OutletSerializer: the mapped field returned an outlet's
    # empty country as a Country object, which JSON cannot encode (a 500).
    country = serializers.CharField(read_only=True)

    class Meta:
        model = Outlet
        fields = ["slug", "name", "country"]


class NamedRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


@extend_schema_field(OpenApiTypes.URI)
class WebUrlField(serializers.Field):
    """The absolute URL of the object's page on the public site."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The page on the public site.")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        url = value.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


def api_url(name, obj, context, kwarg="slug"):
    return reverse(
        f"api:{name}-detail",
        kwargs={kwarg: getattr(obj, kwarg)},
        request=context.get("request"),
    )


class OutletSerializer(FieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """An outlet: a publisher the archive collects from."""

    domains = name_list("Web domains it publishes on, e.g. `tass.com`.")
    country = serializers.CharField(
        required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 code."
    )
    web_url = WebUrlField()
    article_count = serializers.IntegerField(
        source="n_articles",
        read_only=True,
        help_text="Published articles from this outlet.",
    )

    class Meta:
        model = Outlet
        fields = [
            "id",
            "slug",
            "name",
            "country",
            "language",
            "ownership",
            "domains",
            "description",
            "article_count",
            "web_url",
        ]
        extra_kwargs = {"slug": {"required": False}}


class PersonSerializer(FieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A person the coverage names, quotes or is written by."""

    aliases = name_list("Other spellings and scripts of the name.")
    web_url = WebUrlField()
    article_count = serializers.IntegerField(
        source="n_articles",
        read_only=True,
        help_text="Published articles naming this person.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "slug",
            "name",
            "aliases",
            "description",
            "wikidata_id",
            "article_count",
            "web_url",
        ]
        extra_kwargs = {"slug": {"required": False}}


class TopicSerializer(FieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A topic articles are tagged with."""

    keywords = name_list("Other names and words that signal the topic.")
    parent = SlugRef(
        queryset=Topic.objects.all(),
        required=False,
        allow_null=True,
        help_text="The broader topic's slug.",
    )
    web_url = WebUrlField()
    article_count = serializers.IntegerField(
        source="n_articles",
        read_only=True,
        help_text="Published articles on this topic.",
    )

    class Meta:
        model = Topic
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "parent",
            "keywords",
            "article_count",
            "web_url",
        ]
        extra_kwargs = {"slug": {"required": False}}


class PersonRoleListSerializer(serializers.ListSerializer):
    def get_attribute(self, instance):
        # An article's people are Person rows; a role belongs to the link.
        return instance.person_links.filter(state=LinkState.CONFIRMED).select_related(
            "person"
        )


class PersonRoleSerializer(serializers.Serializer):
    """A person linked to an article, with the role. Read from the article's
    confirmed links (the browsable API's form shows them, for instance)."""

    person = SlugRef(queryset=Person.objects.all(), help_text="Person slug.")
    name = serializers.CharField(source="person.name", read_only=True)
    role = serializers.ChoiceField(choices=ArticlePerson.Role.choices)

    class Meta:
        list_serializer_class = PersonRoleListSerializer


class QuoteSerializer(FieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """Quoted words, located in the article's body by character offsets."""

    article = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(), help_text="The article's id."
    )
    speaker = SlugRef(queryset=Person.objects.all(), help_text="Person slug.")
    speaker_name = serializers.CharField(source="speaker.name", read_only=True)
    web_url = WebUrlField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "article",
            "speaker",
            "speaker_name",
            "text",
            "start",
            "end",
            "state",
            "web_url",
        ]
        extra_kwargs = {"state": {"read_only": True}}


class AnnotationSerializer(FieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    """A curator's note on an article or a passage of it."""

    article = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(), help_text="The article's id."
    )
    web_url = WebUrlField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "article",
            "note",
            "exact",
            "prefix",
            "suffix",
            "start",
            "end",
            "visibility",
            "created_at",
            "updated_at",
            "web_url",
        ]
        read_only_fields = ["prefix", "suffix", "created_at", "updated_at"]

    def prepare(self, instance):
        request = self.context.get("request")
        if instance.author_id is None and request and request.user.is_authenticated:
            instance.author = request.user


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class ExactTimeField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "When it was published, in UTC; null when undated, or when only the "
            "day is known (`date_inferred`): a day alone never reads as midnight.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, article):
        return export.dates(article)["published_at"]


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class PublishedDateField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "The day it was published (UTC, as in the permalink)."
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, article):
        return export.dates(article)["published_date"]


def kind_field(kind: str):
    return extend_schema_field({"type": "string", "enum": [kind]})(
        serializers.SerializerMethodField(
            help_text=f"`{kind}`: what the row is (a list may mix articles and "
            "tombstones)."
        )
    )


class ArticleSerializer(FieldsMixin, serializers.ModelSerializer):
    """An article in a list: metadata, no body."""

    ALWAYS = ("kind",)

    kind = kind_field("article")
    api_url = serializers.SerializerMethodField(help_text="This record in the API.")
    web_url = WebUrlField(help_text="The article's permalink on the public site.")
    # null only for a draft waiting for its outlet, which only staff see.
    outlet = OutletRefSerializer(read_only=True, allow_null=True)
    url = serializers.CharField(
        read_only=True,
        help_text="The canonical URL at the outlet; empty when unknown.",
    )
    published_at = ExactTimeField()
    published_date = PublishedDateField()
    authors = serializers.SerializerMethodField(help_text="Confirmed authors' names.")
    modified_at = serializers.DateTimeField(
        source="updated_at",
        read_only=True,
        help_text="When the article, its people, topics, quotes or notes last changed.",
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "id",
            "api_url",
            "web_url",
            "title",
            "slug",
            "outlet",
            "url",
            "published_at",
            "published_date",
            "date_inferred",
            "dateline",
            "language",
            "lead",
            "authors",
            "word_count",
            "status",
            "version",
            "modified_at",
        ]
        read_only_fields = fields

    def get_kind(self, obj) -> str:
        return "article"

    def get_api_url(self, obj) -> str:
        return api_url("article", obj, self.context, kwarg="pk")

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_authors(self, obj):
        links = getattr(obj, "author_links", None)
        if links is None:
            links = obj.person_links.filter(
                role=ArticlePerson.Role.AUTHOR, state=LinkState.CONFIRMED
            ).select_related("person")
        return [link.person.name for link in links]


class ArticleQuoteSerializer(serializers.ModelSerializer):
    speaker = NamedRefSerializer(read_only=True)

    class Meta:
        model = Quote
        fields = ["id", "speaker", "text", "start", "end"]


class ArticleAnnotationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Annotation
        fields = ["id", "note", "exact", "prefix", "suffix", "start", "end"]


class ProvenanceSerializer(serializers.Serializer):
    content_hash = serializers.CharField(help_text="SHA-256 of the normalised body.")
    imported_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField(help_text="The file it was imported from.")


class ArticleDetailSerializer(ArticleSerializer):
    """One article with its body, people, topics, quotes, notes and provenance;
    for curators also the internal notes and the withdrawal reason."""

    CURATORS_ONLY = ("notes", "withdrawal_reason")

    people = serializers.SerializerMethodField(help_text="Confirmed people.")
    topics = serializers.SerializerMethodField(help_text="Confirmed topics.")
    quotes = ArticleQuoteSerializer(many=True, read_only=True, source="shown_quotes")
    annotations = ArticleAnnotationSerializer(
        many=True, read_only=True, source="shown_annotations"
    )
    provenance = serializers.SerializerMethodField()
    notes = serializers.CharField(
        read_only=True, help_text="Curators only: the internal notes."
    )
    withdrawal_reason = serializers.CharField(
        read_only=True, help_text="Curators only: why it was withdrawn."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "body",
            "people",
            "topics",
            "quotes",
            "annotations",
            "provenance",
            "notes",
            "withdrawal_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(export.PersonColumnSerializer(many=True))
    def get_people(self, obj):
        return export.people(obj)

    @extend_schema_field(export.TopicColumnSerializer(many=True))
    def get_topics(self, obj):
        return export.topics(obj)

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, obj):
        return {
            "content_hash": obj.content_hash,
            "imported_at": ProvenanceSerializer()
            .fields["imported_at"]
            .to_representation(obj.imported_at)
            if obj.imported_at
            else None,
            "source": obj.source,
        }


class ArticleWriteSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """What curators send to create or change an article.

    `people` and `topics`, when given, replace the article's confirmed links.
    Without the right to publish, new articles are drafts and the status can
    only move between draft and review.
    """

    # A duplicate body is reported once, on the body, by Article.clean.
    clean_exclude = ("content_hash",)

    outlet = SlugRef(queryset=Outlet.objects.all(), help_text="Outlet slug.")
    people = PersonRoleSerializer(many=True, required=False)
    topics = SlugRef(
        queryset=Topic.objects.all(),
        many=True,
        required=False,
        help_text="Topic slugs.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Ignored when creating.",
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "outlet",
            "url",
            "published_at",
            "date_inferred",
            "dateline",
            "language",
            "lead",
            "body",
            "status",
            "withdrawal_reason",
            "notes",
            "people",
            "topics",
            "version",
        ]
        extra_kwargs = {"slug": {"required": False}, "status": {"required": False}}

    def extra_write_fields(self):
        return {"people", "topics", "version"}

    def validate_status(self, value):
        user = self.context["request"].user
        if self.instance is None:
            if value not in workflow.choices_for(user, None):
                raise serializers.ValidationError(
                    "Only editors can publish articles; new articles start as "
                    "draft or review."
                )
            return value
        reason = self.initial_data.get("withdrawal_reason") or (
            self.instance.withdrawal_reason
        )
        outlet = self.initial_data.get("outlet", self.instance.outlet_id)
        message = workflow.refusal(
            user,
            self.instance.status,
            value,
            reason=reason,
            has_outlet=outlet not in (None, ""),
        )
        if message:
            raise serializers.ValidationError(message)
        return value

    def validate_version(self, value):
        if self.instance is not None and value != self.instance.version:
            raise Conflict(
                f"The article is at version {self.instance.version}, not {value}: "
                "someone saved it after you read it. Read it again, then make your "
                "change."
            )
        return value

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {
                    "version": [
                        "Send the version you read (the article's `version`), so "
                        "that your change cannot overwrite someone else's."
                    ]
                }
            )
        attrs = super().validate(attrs)
        self.cleaned_instance.expected_version = attrs.get("version")
        return attrs

    def validate_people(self, value):
        seen = set()
        for item in value:
            key = (item["person"].pk, item["role"])
            if key in seen:
                raise serializers.ValidationError(
                    f"{item['person'].slug} is listed twice as {item['role']}."
                )
            seen.add(key)
        return value

    def save_extra(self, article, validated_data):
        if "people" in validated_data:
            article.person_links.all().delete()
            bulk_create_with_history(
                [
                    ArticlePerson(
                        article=article,
                        person=item["person"],
                        role=item["role"],
                        state=LinkState.CONFIRMED,
                    )
                    for item in validated_data["people"]
                ],
                ArticlePerson,
            )
        if "topics" in validated_data:
            article.topic_links.all().delete()
            bulk_create_with_history(
                [
                    ArticleTopic(
                        article=article, topic=topic, state=LinkState.CONFIRMED
                    )
                    for topic in dict.fromkeys(validated_data["topics"])
                ],
                ArticleTopic,
            )


class ArticleUpdateSerializer(ArticleWriteSerializer):
    """What curators send to change an article: as to create one, with the
    `version` they read, which a PATCH must send too."""

    REQUIRED_IN_PATCH = ("version",)

    version = serializers.IntegerField(
        min_value=1,
        help_text="The `version` you read. A stale version is refused with 409, "
        "so no one's change is silently overwritten.",
    )


@extend_schema_serializer(deprecate_fields=["tombstone"])
class TombstoneSerializer(serializers.Serializer):
    """An article that left the public archive: remove your copy."""

    kind = kind_field("tombstone")
    id = serializers.IntegerField(source="article_id")
    slug = serializers.SlugField()
    status = serializers.ChoiceField(
        choices=["draft", "review", "withdrawn", "deleted"],
        help_text="Its status now, or `deleted`.",
    )
    modified_at = serializers.DateTimeField(
        source="removed_at", help_text="When it left the public archive."
    )
    tombstone = serializers.SerializerMethodField(
        help_text="Always true; `kind` says the same (kept for older clients)."
    )

    def get_kind(self, obj) -> str:
        return "tombstone"

    @extend_schema_field({"type": "boolean", "enum": [True]})
    def get_tombstone(self, obj):
        return True
