"""Merge duplicate outlets, people and topics, and undo a merge.

A merge moves every link of the absorbed record to the survivor, keeps the
absorbed record's names as the survivor's aliases (keywords for topics, domains
for outlets) and deletes the absorbed record, all in one transaction. Links are
moved with save() and removed with delete(), so each shows in its history with
the merge as the change reason. A MergeRecord keeps what the merge did, so that
undo_merge can restore the absorbed record from its history and move back
exactly the links that moved.
"""

import json
from dataclasses import dataclass

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    CandidatePerson,
    LinkState,
    MergeRecord,
    Outlet,
    Person,
    Quote,
    Topic,
    clean_name_list,
)


@dataclass(frozen=True)
class LinkKind:
    """Rows that point at a merged record: the model, its foreign key, and the
    fields that with that key must be unique (empty when nothing clashes)."""

    model: type[models.Model]
    field: str
    unique_with: tuple[str, ...] = ()
    has_state: bool = False


LINKS = {
    MergeRecord.Kind.PERSON: [
        LinkKind(ArticlePerson, "person", ("article_id", "role"), has_state=True),
        LinkKind(Quote, "speaker", ("article_id", "start", "end"), has_state=True),
        LinkKind(CandidatePerson, "person"),
    ],
    MergeRecord.Kind.TOPIC: [
        LinkKind(ArticleTopic, "topic", ("article_id",), has_state=True),
    ],
    MergeRecord.Kind.OUTLET: [LinkKind(Article, "outlet")],
}
MODELS = {
    MergeRecord.Kind.PERSON: Person,
    MergeRecord.Kind.TOPIC: Topic,
    MergeRecord.Kind.OUTLET: Outlet,
}
# The list of other names each kind keeps, and the fields a survivor takes from
# the absorbed record when its own are empty.
NAME_LISTS = {
    MergeRecord.Kind.PERSON: "aliases",
    MergeRecord.Kind.TOPIC: "keywords",
    MergeRecord.Kind.OUTLET: "domains",
}
FILL_BLANKS = {
    MergeRecord.Kind.PERSON: ["description", "country", "wikidata_id"],
    MergeRecord.Kind.TOPIC: ["description"],
    MergeRecord.Kind.OUTLET: ["homepage", "country", "language", "description"],
}


def kind_of(model) -> MergeRecord.Kind:
    return next(kind for kind, cls in MODELS.items() if cls is model)


def snapshot(obj) -> dict:
    """Return the object's fields as JSON-safe values."""
    return json.loads(serializers.serialize("json", [obj]))[0]["fields"]


def label(obj) -> str:
    return f"{obj._meta.verbose_name.capitalize()} #{obj.pk} “{obj.name}”"


@transaction.atomic
def merge(*, survivor, absorbed, user=None) -> MergeRecord:
    """Merge absorbed into survivor (two outlets, people or topics) and return
    the record of the merge. Raise ValidationError when the two cannot merge."""
    model = type(survivor)
    kind = kind_of(model)
    if type(absorbed) is not model:
        raise ValidationError("Only two records of the same kind can be merged.")
    if survivor.pk == absorbed.pk:
        raise ValidationError("Choose two different records to merge.")
    survivor, absorbed = (
        model.objects.select_for_update().get(pk=obj.pk) for obj in (survivor, absorbed)
    )
    reason = _reason(f"Merged {label(absorbed)} into {label(survivor)}")
    links = {}
    for link in LINKS[kind]:
        links[link.model.__name__] = _move_links(link, survivor, absorbed, reason)
    before = {}
    if kind == MergeRecord.Kind.TOPIC:
        links["Topic"] = _move_children(survivor, absorbed, reason, before)

    absorbed_fields = snapshot(absorbed)
    absorbed_label, absorbed_pk = label(absorbed), absorbed.pk
    absorbed._change_reason = reason
    absorbed.delete()

    names = NAME_LISTS[kind]
    before[names] = list(getattr(survivor, names))
    added = absorbed_fields[names]
    if kind != MergeRecord.Kind.OUTLET:
        added = [absorbed_fields["name"], *added]
    setattr(
        survivor,
        names,
        [
            name
            for name in clean_name_list(before[names] + added, field=names)
            if name.casefold() != survivor.name.casefold()
        ],
    )
    for field in FILL_BLANKS[kind]:
        if not getattr(survivor, field) and absorbed_fields[field]:
            before[field] = getattr(survivor, field)
            setattr(survivor, field, absorbed_fields[field])
    survivor.full_clean()
    survivor._change_reason = _reason(f"Merged {absorbed_label} into this one")
    survivor.save()
    return MergeRecord.objects.create(
        kind=kind,
        survivor_id=survivor.pk,
        absorbed_id=absorbed_pk,
        absorbed_name=absorbed_fields["name"][:200],
        absorbed=absorbed_fields,
        survivor_before=_json_safe(before),
        links=links,
        merged_by=user,
    )


def _json_safe(values: dict) -> dict:
    return {
        key: str(value) if key == "country" else value for key, value in values.items()
    }


def _reason(text: str) -> str:
    """Return text cut to fit django-simple-history's change reason (100
    characters): two long names would otherwise fail the merge on PostgreSQL."""
    return text if len(text) <= 100 else text[:99] + "…"


def _move_links(link: LinkKind, survivor, absorbed, reason) -> dict:
    """Point the absorbed record's links at the survivor. A link the survivor
    already has is removed instead; when it was confirmed and the survivor's
    only suggested, the survivor's is confirmed."""
    fk = f"{link.field}_id"
    taken = {}
    if link.unique_with:
        for row in link.model.objects.filter(**{link.field: survivor}):
            taken[tuple(getattr(row, f) for f in link.unique_with)] = row
    moved, removed, confirmed = [], [], []
    for row in link.model.objects.filter(**{link.field: absorbed}).order_by("pk"):
        row._change_reason = reason
        twin = taken.get(tuple(getattr(row, f) for f in link.unique_with))
        if link.unique_with and twin is not None:
            if (
                link.has_state
                and row.state == LinkState.CONFIRMED
                and twin.state == LinkState.SUGGESTED
            ):
                twin.state = LinkState.CONFIRMED
                twin._change_reason = reason
                twin.save()
                confirmed.append(twin.pk)
            removed.append(row.pk)
            row.delete()
            continue
        setattr(row, fk, survivor.pk)
        if link.model is CandidatePerson:
            row.save(update_fields=["person"])
        else:
            row.save()
        moved.append(row.pk)
    return {"moved": moved, "removed": removed, "confirmed": confirmed}


def _move_children(survivor, absorbed, reason, before) -> dict:
    """Move the absorbed topic's subtopics under the survivor."""
    if survivor.parent_id == absorbed.pk:
        before["parent"] = survivor.parent_id
        survivor.parent_id = absorbed.parent_id
        survivor._change_reason = reason
        survivor.full_clean()
        survivor.save()
    moved = []
    clashes = set(survivor.children.values_list("name", flat=True))
    for child in absorbed.children.exclude(pk=survivor.pk).order_by("pk"):
        if child.name in clashes:
            raise ValidationError(
                f"Both topics have a subtopic named “{child.name}”; merge those "
                "two first."
            )
        child.parent = survivor
        child.full_clean()
        child._change_reason = reason
        child.save()
        moved.append(child.pk)
    return {"moved": moved, "removed": [], "confirmed": []}


@transaction.atomic
def undo_merge(*, record: MergeRecord) -> None:
    """Restore the absorbed record from its history, move back the links the
    merge moved, restore the ones it removed and give the survivor back the
    fields the merge changed."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError("This merge has been undone already.")
    model = MODELS[record.kind]
    if model.objects.filter(pk=record.absorbed_id).exists():
        raise ValidationError(f"#{record.absorbed_id} exists again; nothing to undo.")
    survivor = model.objects.select_for_update().filter(pk=record.survivor_id).first()
    if survivor is None:
        raise ValidationError(
            f"#{record.survivor_id}, which was kept, has since been deleted."
        )
    reason = _reason(f"Undid the merge of {record}")

    before = dict(record.survivor_before)
    parent = before.pop("parent", None)
    for field, value in before.items():
        setattr(survivor, field, value)
    survivor._change_reason = reason
    survivor.save()

    absorbed = _restore(model, record.absorbed_id, reason)
    if parent is not None:
        survivor.parent_id = parent
        survivor.save()

    link_models = [link.model for link in LINKS[record.kind]]
    if record.kind == MergeRecord.Kind.TOPIC:
        link_models.append(Topic)
    fields = {link.model: link.field for link in LINKS[record.kind]} | {Topic: "parent"}
    for link_model in link_models:
        done = record.links.get(link_model.__name__, {})
        field = fields[link_model]
        for row in link_model.objects.filter(pk__in=done.get("moved", [])):
            setattr(row, f"{field}_id", absorbed.pk)
            row._change_reason = reason
            if link_model is CandidatePerson:
                row.save(update_fields=["person"])
            else:
                row.save()
        for pk in done.get("removed", []):
            _restore(link_model, pk, reason)
        for row in link_model.objects.filter(pk__in=done.get("confirmed", [])):
            row.state = LinkState.SUGGESTED
            row._change_reason = reason
            row.save()
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])


def _restore(model, pk, reason):
    """Save again the last historical version of a deleted row, under its id."""
    version = model.history.filter(id=pk).order_by("-history_date", "-history_id")
    instance = version.first().instance
    instance._change_reason = reason
    instance.save(force_insert=True)
    return instance
