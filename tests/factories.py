import datetime as dt

import factory
from django.contrib.auth import get_user_model

from articles.models import (
    Annotation,
    Article,
    ArticlePerson,
    ArticleTopic,
    Outlet,
    Person,
    Quote,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")
    domains = factory.Sequence(lambda n: [f"outlet{n}.example"])
    country = "RU"
    language = "en"
    ownership = Outlet.Ownership.STATE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    aliases = factory.LazyFunction(list)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Ministers meet for talks, round {n}")
    slug = factory.Sequence(lambda n: f"ministers-meet-{n}")
    body = factory.Sequence(
        lambda n: (
            f"The ministers met in Moscow for round {n}.\n\n"
            f"\u201cWe had a useful exchange,\u201d the minister said after round {n}."
        )
    )
    language = "en"
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(
        lambda n: dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=n)
    )


class ArticlePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticlePerson

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)
    role = ArticlePerson.Role.MENTIONED


class ArticleTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleTopic

    article = factory.SubFactory(ArticleFactory)
    topic = factory.SubFactory(TopicFactory)


class QuoteFactory(factory.django.DjangoModelFactory):
    """A quote of the factory article's second paragraph, located by clean()."""

    class Meta:
        model = Quote

    article = factory.SubFactory(ArticleFactory)
    speaker = factory.SubFactory(PersonFactory)
    text = "We had a useful exchange,"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        quote = model_class(*args, **kwargs)
        quote.full_clean()
        quote.save()
        return quote


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    article = factory.SubFactory(ArticleFactory)
    note = factory.Sequence(lambda n: f"Curator note {n}")
    visibility = Annotation.Visibility.PUBLIC

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        annotation = model_class(*args, **kwargs)
        annotation.full_clean()
        annotation.save()
        return annotation
