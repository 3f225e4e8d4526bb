"""Keep what API consumers sync by accurate: an article's modification time moves
when its links, quotes or notes change, and a deleted article leaves a tombstone.
Keep the page cache honest: any change to what the public can see starts a new
cache generation once it commits. Keep published counts true, and the search
index in step (articles.search.sync applies the outbox once a change commits).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .cache import bump_on_commit
from .counts import recount, recount_for_articles
from .models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    LinkState,
    Outlet,
    Person,
    Quote,
    Story,
    Tombstone,
    Topic,
    articles_changed,
)
from .search import sync, text

PARTS = [ArticlePerson, ArticleTopic, Quote, Annotation]
# Everything a public page or API read shows. Bulk writes that send no signals
# (QuerySet.update(), the importer's inserts) start a generation themselves:
# ArticleQuerySet.set_status() and touch(), Importer._write_batch().
PUBLIC = [Article, *PARTS, ArticleVersion, Outlet, Person, Topic, Story]


def touch_article(sender, instance, **kwargs):
    Article.objects.filter(pk=instance.article_id).update(updated_at=timezone.now())


def bury_article(sender, instance, **kwargs):
    stored = getattr(instance, "_stored_status", instance.status)
    Tombstone.record(
        [(instance.pk, instance.slug, stored)], Tombstone.DELETED, timezone.now()
    )


def recount_article(sender, instance, raw=False, using=None, **kwargs):
    if raw:  # loaddata: load_demo recounts after loading
        return
    if kwargs.get("signal") is post_delete:
        # Its links went first (their own signals recount people and topics).
        recount(Outlet, [instance.outlet_id], using=using)
        return
    recount_for_articles([instance.pk], using=using)
    moved_from = getattr(instance, "_stored_outlet_id", None)
    if moved_from not in (None, instance.outlet_id):
        recount(Outlet, [moved_from], using=using)


def recount_linked(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    model, entity_id = (
        (Person, instance.person_id)
        if sender is ArticlePerson
        else (Topic, instance.topic_id)
    )
    # Only confirmed links count: a suggestion saved or removed (a curator
    # rejecting hundreds at once) moves no count, so spare its queries. A link
    # not loaded from the database may have been confirmed there.
    stored_state = (
        None
        if kwargs.get("created")
        else getattr(instance, "_stored_state", LinkState.CONFIRMED)
    )
    instance._stored_state = instance.state
    if LinkState.CONFIRMED not in (instance.state, stored_state):
        instance._stored_entity_id = entity_id
        return
    ids = {entity_id, getattr(instance, "_stored_entity_id", None)} - {None}
    recount(model, sorted(ids), using=using)
    instance._stored_entity_id = entity_id


def bulk_changed(sender, ids, using=None, **kwargs):
    """A bulk write (set_status, touch) changed these articles."""
    recount_for_articles(ids, using=using)
    bump_on_commit(using=using)
    sync.apply_soon(using=using)


def index_soon(sender, using=None, **kwargs):
    """What search sees changed: the outbox has it (a trigger wrote it);
    apply it once the transaction commits."""
    sync.apply_soon(using=using)


def forget_pages(sender, using=None, **kwargs):
    bump_on_commit(using=using)


def connect():
    for model in PARTS:
        uid = f"touch-article-{model.__name__}"
        post_save.connect(touch_article, sender=model, dispatch_uid=uid)
        post_delete.connect(touch_article, sender=model, dispatch_uid=uid)
    post_delete.connect(bury_article, sender=Article, dispatch_uid="bury-article")
    for signal in (post_save, post_delete):
        signal.connect(recount_article, sender=Article, dispatch_uid="recount")
        for link in (ArticlePerson, ArticleTopic):
            signal.connect(recount_linked, sender=link, dispatch_uid="recount")
    for model in (Article, ArticlePerson, ArticleTopic, Quote):
        for signal in (post_save, post_delete):
            signal.connect(index_soon, sender=model, dispatch_uid="index-soon")
    articles_changed.connect(bulk_changed, dispatch_uid="bulk-changed")
    # Search reads people's other spellings: a person's edit shows at once.
    for signal in (post_save, post_delete):
        signal.connect(text.people.forget, sender=Person, dispatch_uid="search-names")
    for model in PUBLIC:
        uid = f"forget-pages-{model.__name__}"
        post_save.connect(forget_pages, sender=model, dispatch_uid=uid)
        post_delete.connect(forget_pages, sender=model, dispatch_uid=uid)
    for through in (Article.people.through, Article.topics.through):
        m2m_changed.connect(
            forget_pages,
            sender=through,
            dispatch_uid=f"forget-pages-{through.__name__}",
        )
