"""A read of one row by a key, its SQL compiled once per thread instead of on every request.

Django compiles a queryset's SQL each time it runs. For the detail page's read of a
consultation (three tables joined, five EXISTS questions, about 150 columns) that took 0.8 ms
of CPU: more than PostgreSQL took to run it, once prepared (decision 0014). The submit's locked
read of the draft is the same kind. A `KeyedRead` compiles its queryset the first time a thread
reads with it; later reads put the new key in the same place of the same SQL and build the
objects as Django's ModelIterable does: the model, what `select_related` follows, the
annotations.

Kept compiled only when the compiled parameters hold the key exactly once (so that there is no
doubt which one is the key); a key of another type than the first one's is read through the ORM,
as is everything on a thread whose compiled read could not be kept, and an integer beyond its
column's range (Django finds no row for it without running the query; a database may refuse it).
"""

from __future__ import annotations

import threading
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# What a database can take in place of a key: a larger integer is no column's value, and Django
# finds no row for it without asking (SQLite could not even bind it).
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _bindable(key: Any) -> bool:
    return not isinstance(key, int) or _INT64_MIN <= key <= _INT64_MAX


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], key: Any) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()  # fills compiler.select, klass_info, annotation_col_map
        self.params = list(params)
        places = [i for i, p in enumerate(self.params) if type(p) is type(key) and p == key]
        self.place = places[0] if len(places) == 1 else None
        self.sql, self.compiler, self.key_type = sql, compiler, type(key)
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        self.model: type[Model] = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, queryset.db)
        self.annotations = compiler.annotation_col_map
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])

    def rows(self, key: Any) -> list[Model]:
        params = list(self.params)
        params[self.place] = key  # type: ignore[index]
        db = self.compiler.using
        with connections[db].cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        rows = (
            self.compiler.apply_converters(fetched, self.converters) if self.converters else fetched
        )
        found = []
        for row in rows:
            obj = self.model.from_db(db, self.init_list, row[self.start : self.end])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class KeyedRead(Generic[M]):
    """`read.get(key)`: as `queryset.get(<field>=key)`, with the SQL compiled once per thread."""

    def __init__(self, queryset: QuerySet[M], field: str) -> None:
        self.queryset = queryset
        self.field = field
        self.local = threading.local()

    def _one(self, key: Any) -> QuerySet[M]:
        # As QuerySet.get(): no ordering, and at most two rows to tell one from many.
        return self.queryset.filter(**{self.field: key}).order_by()[:2]

    def get(self, key: Any) -> M:
        compiled: _Compiled | None = getattr(self.local, "compiled", None)
        if compiled is None and _bindable(key):
            try:
                compiled = _Compiled(self._one(key), key)
            except EmptyResultSet:  # no row can match (an integer beyond the column's range)
                compiled = None
            else:
                if compiled.place is not None:  # else compiled again with the next key
                    self.local.compiled = compiled
        if (
            compiled is None
            or compiled.place is None
            or type(key) is not compiled.key_type
            or not _bindable(key)
        ):
            return self.queryset.get(**{self.field: key})
        if self.queryset.query.select_for_update and connections[self.queryset.db].get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        found = compiled.rows(key)
        model: Any = self.queryset.model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        if len(found) > 1:
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model._meta.object_name}."
            )
        return found[0]  # type: ignore[return-value]
