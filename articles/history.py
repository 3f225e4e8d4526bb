"""First history records for rows written without save().

Fixtures, imports and the generated corpus write their rows in bulk, past the
signals with which django-simple-history records each save. These helpers give
such rows the record a save would have given them, the full row as written,
with a change reason that says where it came from ("Loaded from fixture
demo.json"), in one INSERT … SELECT per chunk of rows rather than one query a
row: the history page then starts with that record, and later edits are shown
against it.
"""

from pathlib import PurePath

from django.db import connections

# django-simple-history's change reason column holds 100 characters.
REASON_LENGTH = 100
HISTORY_COLUMNS = [
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
]
# Rows a statement: two parameters each, under SQLite's oldest limit of 999.
CHUNK = 400


def has_history(model) -> bool:
    return getattr(model._meta, "simple_history_manager_attribute", None) is not None


def fit_reason(text: str) -> str:
    """Return text cut to fit the change reason column."""
    if len(text) <= REASON_LENGTH:
        return text
    return text[: REASON_LENGTH - 1] + "…"


def short_name(source: str, length: int = 40) -> str:
    """Return a file's name without its folders, cut in the middle to at most
    `length` characters so that its beginning and extension stay readable."""
    name = PurePath(source).name or source
    if len(name) <= length:
        return name
    keep = length - 1
    return name[: keep - keep // 3] + "…" + name[-(keep // 3) :]


def copy_sql(model, tail: str, *, reason: str = "%s") -> str:
    """Return an INSERT … SELECT that copies rows of model's table (as "stored")
    into its history table: those that `tail` (a WHERE or a JOIN) selects.
    The parameters are the history date, the change reason when `reason` is
    left a parameter (else an SQL expression gives it), the history type ("+",
    "~") and the user's id, then tail's. Quoted for PostgreSQL and SQLite."""
    history = model._meta.simple_history_manager_attribute
    historical = getattr(model, history).model
    tracked = [f'"{f.column}"' for f in historical.tracked_fields]
    columns = ", ".join(tracked + [f'"{c}"' for c in HISTORY_COLUMNS])
    selected = ", ".join(f"stored.{c}" for c in tracked)
    return (
        f'INSERT INTO "{historical._meta.db_table}" ({columns}) '
        f"SELECT {selected}, %s, {reason}, %s, %s "
        f'FROM "{model._meta.db_table}" stored {tail}'
    )


def record_origins(
    model,
    reasons: dict[int, str],
    *,
    when,
    user_id: int | None = None,
    history_type: str = "+",
    using: str = "default",
) -> None:
    """Give each row of model named in reasons (primary key: change reason) a
    history record of itself as stored now, dated `when`: one statement for up
    to 400 rows, their reasons joined in as a VALUES list."""
    connection = connections[using]
    pk = f'stored."{model._meta.pk.column}"'
    items = [(key, fit_reason(reason)) for key, reason in reasons.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            # VALUES names its columns column1, column2 in both databases.
            tail = f"JOIN (VALUES {values}) origin ON {pk} = origin.column1"
            cursor.execute(
                copy_sql(model, tail, reason="origin.column2"),
                [when, history_type, user_id, *(v for item in chunk for v in item)],
            )
