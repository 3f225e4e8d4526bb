"""Export the whole archive to one file, and restore it into an empty database.

The file is gzip-compressed JSON Lines (format "news-archive", version 1,
specified in docs/operations.md#the-archive-file-format): a header with the
count of records of each type, one record per row of each table in dependency
order with its primary key, and an end record with the SHA-256 of the record
lines. It is written and read a line at a time, so an archive of a million
articles never has to fit in memory, and written to a temporary file renamed
into place at the end, so a failed export never leaves a file that looks whole.

Derived data is not exported but rebuilt on import: published counts
(articles.counts) and the search index, whose outbox the database's triggers
fill as the rows go in (articles.search.sync). Users are exported by username
only.
"""

import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .cache import bump_on_commit
from .counts import recount_all
from .models import (
    Annotation,
    Article,
    ArticleFingerprint,
    ArticlePerson,
    ArticleTopic,
    ArticleVersion,
    CandidatePerson,
    ImportBatch,
    MergeRecord,
    Outlet,
    Person,
    Quote,
    SearchChange,
    Story,
    Tombstone,
    Topic,
)
from .search import sync

FORMAT = "news-archive"
VERSION = 1
USER_TYPE = "auth.user"
END_TYPE = "end"

# The archive's tables in the order they are written and loaded: each after the
# tables it refers to. The history tables come last; they refer to nothing but
# users (their other ids are plain copies, without constraints).
TRACKED = [
    Outlet,
    Person,
    Topic,
    Article,
    ArticlePerson,
    ArticleTopic,
    Quote,
    Annotation,
]
MODELS: list[type[models.Model]] = [
    Outlet,
    Person,
    Topic,
    Story,
    ImportBatch,
    Article,
    ArticleVersion,
    ArticleFingerprint,
    ArticlePerson,
    ArticleTopic,
    Quote,
    Annotation,
    CandidatePerson,
    Tombstone,
    MergeRecord,
    *(model.history.model for model in TRACKED),
]
# Rebuilt on import, never exported: see rebuild_derived().
DERIVED_MODELS: list[type[models.Model]] = [SearchChange]
DERIVED_FIELDS = {
    Outlet: {"published_count"},
    Person: {"published_count"},
    Topic: {"published_count"},
}


def type_name(model) -> str:
    return model._meta.label_lower


TYPES = {type_name(model): model for model in MODELS}
ORDER = {name: position for position, name in enumerate([USER_TYPE, *TYPES])}


def exported_fields(model) -> list[models.Field]:
    """Return the fields of model that an archive carries: every column but the
    derived ones."""
    derived = DERIVED_FIELDS.get(model, set())
    return [f for f in model._meta.concrete_fields if f.name not in derived]


def user_fields(model) -> list[models.Field]:
    """Return the fields of model that hold a user's id."""
    User = get_user_model()
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is User
    ]


def _encode(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _line(record: dict) -> bytes:
    text = json.dumps(
        record, ensure_ascii=False, separators=(",", ":"), default=_encode
    )
    return text.encode() + b"\n"


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int]
    size: int


def export_archive(
    path, *, using: str = DEFAULT_DB_ALIAS, compresslevel: int = 6, chunk: int = 2000
) -> ExportResult:
    """Write the archive in the database `using` to path, replacing any file
    there only once the whole export has been written."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"No such directory: {path.parent}")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    os.close(handle)
    try:
        with _snapshot(using):
            counts = _write(Path(temporary), using, compresslevel, chunk)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ExportResult(path=path, counts=counts, size=path.stat().st_size)


@contextmanager
def _snapshot(using: str):
    """Read every table as of one moment, while curators go on working."""
    connection = connections[using]
    # Inside a transaction already (a test's), its own snapshot rules.
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        yield


def _user_ids(using: str) -> list[int]:
    User = get_user_model()
    ids: set[int] = set()
    for model in MODELS:
        for f in user_fields(model):
            ids.update(
                model._default_manager.using(using)
                .filter(**{f"{f.attname}__isnull": False})
                .order_by()
                .values_list(f.attname, flat=True)
                .distinct()
            )
    # A history row may name a user who was deleted since.
    return sorted(
        User._default_manager.using(using)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def _schema(using: str) -> str:
    applied = (
        MigrationRecorder(connections[using])
        .migration_qs.filter(app="articles")
        .values_list("name", flat=True)
    )
    return max(applied, default="")


def _write(path: Path, using: str, compresslevel: int, chunk: int) -> dict[str, int]:
    User = get_user_model()
    user_ids = _user_ids(using)
    counts = {USER_TYPE: len(user_ids)}
    for name, model in TYPES.items():
        counts[name] = model._default_manager.using(using).count()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "schema": {"articles": _schema(using)},
        "counts": counts,
    }
    digest = hashlib.sha256()
    written = dict.fromkeys(counts, 0)
    with gzip.open(path, "wb", compresslevel=compresslevel) as out:
        out.write(_line(header))

        def emit(kind: str, fields: dict):
            line = _line({"type": kind, "fields": fields})
            digest.update(line)
            out.write(line)
            written[kind] += 1

        users = User._default_manager.using(using).filter(pk__in=user_ids)
        for pk, username in users.order_by("pk").values_list("pk", "username"):
            emit(USER_TYPE, {"id": pk, "username": username})
        for name, model in TYPES.items():
            names = [f.attname for f in exported_fields(model)]
            rows = (
                model._default_manager.using(using)
                .order_by("pk")
                .values_list(*names)
                .iterator(chunk_size=chunk)
            )
            # Closed before the transaction ends, even on an error: on
            # PostgreSQL the rows come from a server-side cursor.
            with closing(rows):
                for row in rows:
                    emit(name, dict(zip(names, row, strict=True)))
        out.write(
            _line(
                {
                    "type": END_TYPE,
                    "records": sum(written.values()),
                    "sha256": digest.hexdigest(),
                }
            )
        )
        out.flush()
        os.fsync(out.fileobj.fileno())
    if written != counts:  # the snapshot makes this impossible; say so if not
        raise RuntimeError(f"Counted {counts} but wrote {written}.")
    return counts


class ArchiveError(Exception):
    """The file is not an archive this program can restore, or the database
    cannot take it; nothing was written."""


@dataclass
class ImportResult:
    counts: dict[str, int]
    users_created: list[str] = field(default_factory=list)


def occupied_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Return the archive tables of the database that have rows (the search
    outbox may keep rows of articles deleted a moment ago: it is not one)."""
    return [
        model._meta.db_table
        for model in MODELS
        if model._default_manager.using(using).exists()
    ]


def import_archive(
    path, *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 2000
) -> ImportResult:
    """Load the archive at path into the empty database `using`, all or nothing,
    then rebuild what is derived from it."""
    path = Path(path)
    loader = _Loader(using, batch_size)
    try:
        with transaction.atomic(using=using):
            occupied = occupied_tables(using)
            if occupied:
                raise ArchiveError(
                    "The database already holds an archive (its tables "
                    f"{', '.join(occupied)} have rows). import_archive only "
                    "restores into an empty database: create a new one and run "
                    "migrate, then import."
                )
            with _keep_given_times():
                for number, line in _lines(path):
                    loader.take(number, line)
                loader.finish()
            _check_references(using)
            reset_sequences(using=using)
            rebuild_derived(using)
    except DatabaseError as error:
        raise ArchiveError(
            f"The database refused the archive, so nothing was imported: {error}"
        ) from error
    return ImportResult(counts=loader.counts, users_created=loader.users_created)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield the numbered lines of path, read through gzip when it is compressed
    (an uncompressed JSON Lines file is read as it is)."""
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        lines = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        number = 0
        try:
            for number, line in enumerate(lines, start=1):
                yield number, line
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise ArchiveError(
                f"Line {number + 1}: the file is cut short or damaged ({error}). "
                "Nothing was imported."
            ) from error


@contextmanager
def _keep_given_times():
    """Store created and modified times as the archive gives them, not now.

    The fields are switched for the whole process, which is a management
    command's (or a test's) own while it imports."""
    switched = []
    for model in MODELS:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Loader:
    """Check each line of an archive and insert its records in batches."""

    def __init__(self, using: str, batch_size: int):
        self.using = using
        self.batch_size = batch_size
        self.header: dict | None = None
        self.end: dict | None = None
        self.digest = hashlib.sha256()
        self.counts: dict[str, int] = {}
        self.position, self.kind = 0, USER_TYPE  # the current type
        self.batch: list[models.Model] = []
        self.batch_start = 0
        self.users: dict[int, int] = {}
        self.users_created: list[str] = []
        self.fields = {
            name: {f.attname: f for f in exported_fields(model)}
            for name, model in TYPES.items()
        }
        self.user_attnames = {
            name: {f.attname for f in user_fields(model)}
            for name, model in TYPES.items()
        }

    def fail(self, number: int, message: str):
        raise ArchiveError(f"Line {number}: {message} Nothing was imported.")

    def take(self, number: int, line: bytes):
        if self.end is not None:
            self.fail(number, "there is more after the end record.")
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self.fail(number, f"not valid JSON ({error}).")
        if not isinstance(record, dict):
            self.fail(number, "a record must be a JSON object.")
        if number == 1:
            self.read_header(record)
            return
        kind = record.get("type")
        if kind == END_TYPE:
            self.end = record
            self.end_line = number
            return
        self.digest.update(line)
        if kind not in ORDER:
            self.fail(number, f"unknown record type {kind!r}.")
        position = ORDER[kind]
        if position < self.position:
            self.fail(number, f"{kind} records must come before {self.kind} records.")
        if position != self.position:
            self.flush()
            self.position, self.kind = position, kind
        values = record.get("fields")
        if not isinstance(values, dict):
            self.fail(number, "the record has no “fields” object.")
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind == USER_TYPE:
            self.add_user(number, values)
            return
        if not self.batch:
            self.batch_start = number
        self.batch.append(self.build(number, kind, values))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def read_header(self, header: dict):
        if header.get("format") != FORMAT:
            self.fail(1, f"this is not a {FORMAT} export (no header saying so).")
        version = header.get("version")
        if version != VERSION:
            self.fail(
                1,
                f"archive format version {version!r} is not supported; this "
                f"program reads version {VERSION}.",
            )
        counts = header.get("counts")
        if not isinstance(counts, dict) or not all(
            isinstance(n, int) for n in counts.values()
        ):
            self.fail(1, "the header has no record counts.")
        unknown = set(counts) - set(ORDER)
        if unknown:
            self.fail(1, f"the header counts unknown types: {', '.join(unknown)}.")
        self.header = header

    def add_user(self, number: int, values: dict):
        User = get_user_model()
        old_id, username = values.get("id"), values.get("username")
        if not isinstance(old_id, int) or not isinstance(username, str) or not username:
            self.fail(number, "a user record needs an integer id and a username.")
        manager = User._default_manager.db_manager(self.using)
        user = manager.filter(username=username).first()
        if user is None:
            # An account for the name only: it cannot log in until an
            # administrator sets a password and activates it.
            user = User(username=username, is_active=False)
            user.set_unusable_password()
            user.save(using=self.using)
            self.users_created.append(username)
        self.users[old_id] = user.pk

    def build(self, number: int, kind: str, values: dict) -> models.Model:
        known = self.fields[kind]
        unknown = set(values) - set(known)
        if unknown:
            self.fail(
                number,
                f"{kind} has no field {', '.join(sorted(unknown))} (an archive "
                "from a newer version of the archive software?).",
            )
        model = TYPES[kind]
        pk = model._meta.pk.attname
        if values.get(pk) is None:
            self.fail(number, f"the {kind} record has no {pk}.")
        converted = {}
        for attname, value in values.items():
            f = known[attname]
            if attname in self.user_attnames[kind] and value is not None:
                # A user the archive could not name (deleted before the
                # export) is no one here.
                value = self.users.get(value)
            elif value is not None and not isinstance(f, models.JSONField):
                try:
                    value = f.to_python(value)
                except Exception as error:
                    self.fail(number, f"{kind}.{attname}: {error}")
            converted[attname] = value
        # Fields missing from the record (added to the schema after the
        # export) take their defaults.
        return model(**converted)

    def flush(self):
        if not self.batch:
            return
        model = type(self.batch[0])
        try:
            with transaction.atomic(using=self.using):
                if connections[self.using].vendor == "postgresql":
                    self.copy(model, self.batch)
                else:
                    manager = model._default_manager.using(self.using)
                    manager.bulk_create(self.batch)
        except DatabaseError as error:
            raise ArchiveError(
                f"Lines {self.batch_start}–{self.batch_start + len(self.batch) - 1} "
                f"({type_name(model)}): the database refused them ({error}). "
                "Nothing was imported."
            ) from error
        self.batch = []

    def copy(self, model, rows):
        """Insert rows with COPY: several times faster than INSERT on PostgreSQL,
        which also spares Django compiling an INSERT of thousands of values."""
        connection = connections[self.using]
        columns = [
            f
            for f in model._meta.concrete_fields
            if f.name not in DERIVED_FIELDS.get(model, set()) or f.has_default()
        ]
        names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"COPY {table} ({names}) FROM STDIN"
        # wrap_database_errors: psycopg's errors as Django's, like any query's.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        f.get_db_prep_save(getattr(row, f.attname), connection)
                        for f in columns
                    ]
                )

    def finish(self):
        self.flush()
        if self.header is None:
            raise ArchiveError("The file is empty. Nothing was imported.")
        if self.end is None:
            raise ArchiveError(
                "The file ends without its end record: it was cut short. "
                "Nothing was imported."
            )
        expected = {k: n for k, n in self.header["counts"].items() if n}
        if expected != self.counts:
            differ = sorted(
                f"{kind}: header says {expected.get(kind, 0)}, file has "
                f"{self.counts.get(kind, 0)}"
                for kind in set(expected) | set(self.counts)
                if expected.get(kind, 0) != self.counts.get(kind, 0)
            )
            raise ArchiveError(
                f"The record counts do not match the header ({'; '.join(differ)}). "
                "Nothing was imported."
            )
        if (
            self.end.get("records") != sum(self.counts.values())
            or self.end.get("sha256") != self.digest.hexdigest()
        ):
            raise ArchiveError(
                f"Line {self.end_line}: the checksum of the records does not match "
                "the end record: the file was changed after it was written. "
                "Nothing was imported."
            )


def _check_references(using: str):
    """Refuse records that refer to rows the archive does not have (foreign
    keys are checked at commit; check them now, to say so)."""
    connection = connections[using]
    tables = [model._meta.db_table for model in MODELS]
    try:
        with transaction.atomic(using=using):
            connection.check_constraints(table_names=tables)
    except DatabaseError as error:
        raise ArchiveError(
            f"Some records refer to rows that are not in the archive ({error}). "
            "Nothing was imported."
        ) from error


def reset_sequences(models=MODELS, using: str = DEFAULT_DB_ALIAS):
    """Move the models' id sequences past the ids written with them (imported or
    generated), so that new rows get new ids."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def rebuild_derived(using: str = DEFAULT_DB_ALIAS):
    """Rebuild what the archive does not carry: published counts, and the
    search index, from the outbox the triggers filled as the rows went in."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Tables filled a moment ago have no statistics yet, and the recount's
        # plans without them take minutes instead of seconds.
        with connection.cursor() as cursor:
            for model in MODELS:
                cursor.execute(
                    f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}"
                )
    recount_all(using=using)
    bump_on_commit(using=using)
    sync.apply_soon(using=using)
