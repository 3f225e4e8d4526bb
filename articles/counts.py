"""How many published articles the public sees for each outlet, person and topic,
kept in their rows (`published_count`).

Counting them live joins every link to its article: at a million articles the
people index would spend seconds on it. Instead each change recounts the few
entities it touches, in the same transaction, by their indexed links: saving or
deleting an article or a link (signals), status changes and bulk link writes
(ArticleQuerySet.set_status and touch), and anything that loads rows without
signals (generate_corpus, load_demo and the importer recount what they wrote).

The same moments recount the entities' published articles per month
(MonthlyCount), which their coverage timelines and a topic's attention table
read instead of grouping every article by month on each request.
"""

import datetime as dt

from django.apps import apps as installed_apps
from django.db import connections
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from .timelines import first_of_month, month_after

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


def recount(model, ids=None, *, apps=installed_apps, using="default", months=None):
    """Recount the published articles of the outlets, people or topics with
    these ids (all when ids is None), in one UPDATE, and their monthly counts
    (of these months only, when given)."""
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
    recount_months(model, ids, apps=apps, using=using, months=months)
    return updated


def months_of(*dates) -> set[dt.date]:
    """Return the months (their first days) of these publication times, leaving
    out None (undated)."""
    return {first_of_month(d) for d in dates if d is not None}


def _within(field: str, month: dt.date) -> Q:
    start, end = (
        dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        for day in (month, month_after(month))
    )
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def recount_months(
    model, ids=None, *, apps=installed_apps, using="default", months=None
):
    """Recount the published, dated articles per month of the outlets, people
    or topics with these ids (all when ids is None): their rows are replaced by
    one GROUP BY over their indexed links. Given months (first days), only
    those are recounted: an article's change moves at most its old and its new
    month, and a popular person's months are then a few hundred rows to count,
    not all their articles."""
    if months is not None and not months:
        return
    try:
        MonthlyCount = apps.get_model("articles", "MonthlyCount")
    except LookupError:  # migrations before the table existed
        return
    Article = apps.get_model("articles", "Article")
    name = model._meta.model_name
    if name == "outlet":
        rows = Article._default_manager.using(using).filter(status=PUBLISHED)
        entity, date, article = "outlet", "published_at", "pk"
    else:
        link = apps.get_model(
            "articles", "ArticlePerson" if name == "person" else "ArticleTopic"
        )
        rows = link._default_manager.using(using).filter(
            state=CONFIRMED, article__status=PUBLISHED
        )
        entity, date, article = name, "article__published_at", "article"
    kept = MonthlyCount._default_manager.using(using).filter(kind=name)
    if ids is not None:
        rows = rows.filter(**{f"{entity}__in": ids})
        kept = kept.filter(entity_id__in=ids)
    # One range of publication times per month: PostgreSQL plans an OR of
    # ranges far worse than each range alone.
    ranges = [Q()]
    if months is not None:
        ranges = [_within(date, month) for month in sorted(months)]
        kept = kept.filter(month__in=months)
    # A topic's months are kept per outlet; an outlet's rows carry the outlet.
    grouping = [entity, "month"] + (["article__outlet"] if name == "topic" else [])

    def counted(within):
        return (
            rows.filter(within, **{f"{date}__isnull": False})
            .annotate(month=TruncMonth(date, tzinfo=dt.UTC))
            .order_by()
            .values(*grouping)
            .annotate(n=Count(article, distinct=name == "person"))
        )

    if ids is None and months is None and connections[using].vendor == "postgresql":
        # Every row of the kind (generate_corpus, a rebuild): millions at a
        # million articles, written by the database, not made here one by one.
        outlet = {
            "outlet": F("outlet"),
            "topic": F("article__outlet"),
            "person": Value(None, output_field=IntegerField()),
        }[name]
        every = counted(Q()).annotate(kind=Value(name), of=outlet)
        sql, params = every.values_list(
            "kind", entity, "month", "of", "n"
        ).query.sql_with_params()
        kept._raw_delete(using)
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {MonthlyCount._meta.db_table} "
                f"(kind, entity_id, month, outlet_id, count) {sql}",
                params,
            )
        return
    totals: dict[tuple, int] = {}
    for within in ranges:
        rows_of_months = counted(within).values_list(*grouping, "n")
        for entity_id, month, *outlet, n in rows_of_months.iterator(chunk_size=10_000):
            outlet_id = entity_id if name == "outlet" else next(iter(outlet), None)
            key = (entity_id, first_of_month(month), outlet_id)
            totals[key] = totals.get(key, 0) + n
    kept.delete()
    MonthlyCount._default_manager.using(using).bulk_create(
        [
            MonthlyCount(
                kind=name,
                entity_id=entity_id,
                month=month,
                outlet_id=outlet_id,
                count=n,
            )
            for (entity_id, month, outlet_id), n in totals.items()
        ],
        batch_size=5_000,
    )


def recount_all(*, apps=installed_apps, using="default"):
    for name in ("Outlet", "Person", "Topic"):
        recount(apps.get_model("articles", name), apps=apps, using=using)


def recount_for_articles(articles, *, using="default", months=None):
    """Recount the outlets, people and topics linked to these articles (a
    queryset of them, or ids), and their monthly counts (of these months only,
    when given: all the articles' months, before and after the change)."""
    from .models import Article, ArticlePerson, ArticleTopic, Outlet, Person, Topic

    if hasattr(articles, "values"):
        articles = articles.values("pk")
    outlets = Article.objects.filter(pk__in=articles).values("outlet_id")
    people = ArticlePerson.objects.filter(article__in=articles).values("person_id")
    topics = ArticleTopic.objects.filter(article__in=articles).values("topic_id")
    recount(Outlet, outlets, using=using, months=months)
    recount(Person, people, using=using, months=months)
    recount(Topic, topics, using=using, months=months)
