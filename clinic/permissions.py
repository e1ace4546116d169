"""Each staff user's permission set, read in the same statement as the user.

Django's model backend reads a user's permissions with two queries on every request that
checks one. The signed-in user is read on every request anyway (clinic/auth.py): that read
also carries, as one column, every "app_label.codename" the user holds (directly, through a
group, or all of them for a superuser). So a permission check costs no round trip of its own,
and a change in who holds what is seen on the very next request, whatever made it (the admin,
a shell, raw SQL): nothing is cached between requests. Within a request the set is the one of
the moment the user was read, like every other field of `request.user` (Django reads it at the
first check instead, and keeps it for the rest of the request too).

Decision 0015 says why this replaced a shared-cache copy of each set.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connections, router
from django.db.models import Expression, F, Field, Model, QuerySet

# PostgreSQL and SQLite aggregate the names as a list (an array, a JSON array): no separator
# that a codename could hold. Any other database reads the set as Django does.
VENDORS = {"postgresql", "sqlite"}

# Every permission's name, and the ids of those the user row {user} holds itself or through a
# group. The placeholders are table and column names from the models' metadata, quoted.
_EVERY = (
    "SELECT {names} FROM {permission} p INNER JOIN {content_type} ct"
    " ON ct.{content_type_pk} = p.{permission_content_type}"
)
_HELD = (
    "SELECT {own_permission} FROM {own} WHERE {own_user} = {user}.{user_pk}"
    " UNION SELECT gp.{group_permission} FROM {group_permissions} gp"
    " INNER JOIN {groups} ug ON ug.{groups_group} = gp.{group_permissions_group}"
    " WHERE ug.{groups_user} = {user}.{user_pk}"
)
# A superuser holds every permission (as Django's backend reads it); anyone else what they were
# given and what their groups were given. Only the branch taken is run.
_SQL = (
    "(CASE WHEN {user}.{is_superuser} THEN ({every})"
    " ELSE ({every} WHERE p.{permission_pk} IN ({held})) END)"
)


def _names(model: type[Model]) -> dict[str, str]:
    """The tables and columns the statement reads, as the user model and auth's models name
    them (a field's metadata is typed loosely by django-stubs: read as Any)."""
    user: Any = model._meta
    permission: Any = Permission._meta
    content_type: Any = permission.get_field("content_type")
    own: Any = user.get_field("user_permissions")
    groups: Any = user.get_field("groups")
    group_permissions: Any = groups.related_model._meta.get_field("permissions")
    return {
        "permission": permission.db_table,
        "permission_pk": permission.pk.column,
        "permission_content_type": content_type.column,
        "content_type": content_type.related_model._meta.db_table,
        "content_type_pk": content_type.related_model._meta.pk.column,
        "user_pk": user.pk.column,
        "is_superuser": user.get_field("is_superuser").column,
        "own": own.m2m_db_table(),
        "own_user": own.m2m_column_name(),
        "own_permission": own.m2m_reverse_name(),
        "groups": groups.m2m_db_table(),
        "groups_user": groups.m2m_column_name(),
        "groups_group": groups.m2m_reverse_name(),
        "group_permissions": group_permissions.m2m_db_table(),
        "group_permissions_group": group_permissions.m2m_column_name(),
        "group_permission": group_permissions.m2m_reverse_name(),
    }


class HeldPermissions(Expression):
    """The user row's permission names, one list-valued column (NULL or empty for none)."""

    output_field = Field()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        name = "ct.app_label || '.' || p.codename"
        if connection.vendor == "postgresql":
            names = f"ARRAY_AGG({name})"
        elif connection.vendor == "sqlite":
            names = f"json_group_array({name})"
        else:  # with_permissions() does not annotate there
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        model = compiler.query.model
        tables = {key: quote(value) for key, value in _names(model).items()}
        user = quote(compiler.query.get_initial_alias())
        every = _EVERY.format(names=names, **tables)
        held = _HELD.format(user=user, **tables)
        return _SQL.format(every=every, held=held, user=user, **tables), []

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str]:
        if value is None:
            return []
        return json.loads(value) if isinstance(value, str) else list(value)

    def get_db_converters(self, connection: Any) -> list[Any]:
        return [self.from_db_value]


ANNOTATION = "held_permissions"
# Whether the row was a superuser's when read: the set above answers for that user only.
READ_AS_SUPERUSER = "held_permissions_as_superuser"


def with_permissions(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The users, each with the names of the permissions it holds (on PostgreSQL and SQLite;
    elsewhere as they are, and the backend asks as Django asks)."""
    database = router.db_for_read(queryset.model)
    if connections[database].vendor not in VENDORS:
        return queryset
    annotated: QuerySet[Any] = queryset.annotate(
        **{ANNOTATION: HeldPermissions(), READ_AS_SUPERUSER: F("is_superuser")}
    )
    return annotated


def held(user: Any) -> set[str] | None:
    """The names read with the user; None when the user was read without them, or has been
    made (or unmade) a superuser in memory since, where they no longer answer."""
    if not hasattr(user, ANNOTATION):
        return None
    if getattr(user, READ_AS_SUPERUSER) != user.is_superuser:
        return None
    return set(getattr(user, ANNOTATION))
