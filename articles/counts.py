"""How many published articles the public sees for each outlet, person and topic,
kept in their rows (`published_count`).

Counting them live joins every link to its article: at a million articles the
people index would spend seconds on it. Instead each change recounts the few
entities it touches, in the same transaction, by their indexed links: saving or
deleting an article or a link (signals), status changes and bulk link writes
(ArticleQuerySet.set_status and touch), and anything that loads rows without
signals (generate_corpus, load_demo and the importer recount what they wrote).

Counts over time (an entity's timeline) are not kept: the search index counts
them when asked (articles.search.over_time).
"""

from django.apps import apps as installed_apps
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

# Historical models (migrations call these) have no QuerySet methods, so the
# rule is spelled out here: it mirrors Article.objects.published(), and the
# links counted are those Person/Topic.objects.public() look for.
PUBLISHED = "published"
CONFIRMED = "confirmed"


def _counted(rows, key: str, article: str = "article"):
    """The count of distinct articles in rows for the entity of the outer row."""
    return Coalesce(
        Subquery(
            rows.filter(**{key: OuterRef("pk")})
            .order_by()
            .values(key)
            .annotate(n=Count(article, distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def recount(model, ids=None, *, apps=installed_apps, using="default"):
    """Recount the published articles of the outlets, people or topics with
    these ids (all when ids is None), in one UPDATE."""
    Article = apps.get_model("articles", "Article")
    entities = model._default_manager.using(using)
    if ids is not None:
        entities = entities.filter(pk__in=ids)
    name = model._meta.model_name
    if name == "outlet":
        articles = Article._default_manager.filter(status=PUBLISHED)
        count = _counted(articles, "outlet", article="pk")
    else:
        link = apps.get_model(
            "articles", "ArticlePerson" if name == "person" else "ArticleTopic"
        )
        rows = link._default_manager.filter(state=CONFIRMED, article__status=PUBLISHED)
        count = _counted(rows, name)
    if ids is None and connections[using].vendor == "postgresql":
        # Every row: one grouping of all the links beats a look-up per entity.
        counted = (
            (articles if name == "outlet" else rows)
            .order_by()
            .values(name)
            .annotate(n=Count("pk" if name == "outlet" else "article", distinct=True))
            .values_list(name, "n")
        )
        sql, params = counted.query.sql_with_params()
        table = model._meta.db_table
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET published_count = coalesce(counted.n, 0) "
                f"FROM {table} AS entity LEFT JOIN ({sql}) AS counted (id, n) "
                f"ON counted.id = entity.id WHERE {table}.id = entity.id",
                params,
            )
            updated = cursor.rowcount
    else:
        updated = entities.update(published_count=count)
    return updated


def recount_all(*, apps=installed_apps, using="default"):
    for name in ("Outlet", "Person", "Topic"):
        recount(apps.get_model("articles", name), apps=apps, using=using)


def recount_for_articles(articles, *, using="default"):
    """Recount the outlets, people and topics linked to these articles (a
    queryset of them, or ids)."""
    from .models import Article, ArticlePerson, ArticleTopic, Outlet, Person, Topic

    if hasattr(articles, "values"):
        articles = articles.values("pk")
    outlets = Article.objects.filter(pk__in=articles).values("outlet_id")
    people = ArticlePerson.objects.filter(article__in=articles).values("person_id")
    topics = ArticleTopic.objects.filter(article__in=articles).values("topic_id")
    recount(Outlet, outlets, using=using)
    recount(Person, people, using=using)
    recount(Topic, topics, using=using)
