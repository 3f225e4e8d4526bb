"""Keep what API consumers sync by accurate: an article's modification time moves
when its links, quotes or notes change, and a deleted article leaves a tombstone."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    Quote,
    Tombstone,
)

PARTS = [ArticlePerson, ArticleTopic, Quote, Annotation]


def touch_article(sender, instance, **kwargs):
    Article.objects.filter(pk=instance.article_id).update(updated_at=timezone.now())


def bury_article(sender, instance, **kwargs):
    stored = getattr(instance, "_stored_status", instance.status)
    Tombstone.record(
        [(instance.pk, instance.slug, stored)], Tombstone.DELETED, timezone.now()
    )


def connect():
    for model in PARTS:
        uid = f"touch-article-{model.__name__}"
        post_save.connect(touch_article, sender=model, dispatch_uid=uid)
        post_delete.connect(touch_article, sender=model, dispatch_uid=uid)
    post_delete.connect(bury_article, sender=Article, dispatch_uid="bury-article")
