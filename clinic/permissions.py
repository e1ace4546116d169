"""Each staff user's permission set, read in the same statement as the user.

Django's model backend reads a user's permissions with two queries on every request that
checks one. The signed-in user is read on every request anyway (clinic/auth.py): that read
also carries, as one column, every "app_label.codename" the user holds (directly, through a
group, or all of them for a superuser). So a permission check costs no round trip of its own,
and a change in who holds what is seen on the very next request, whatever made it (the admin,
a shell, raw SQL): nothing is cached between requests.

Decision 0015 says why this replaced a shared-cache copy of each set.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Expression, Model, TextField

# What separates two names in the column. No codename or app label holds a newline: Django's
# own are identifiers, and so are the clinic's (consultations/permissions.py). Permission rows
# come from migrations; only a superuser could add one by hand.
SEPARATOR = "\n"


# Every permission's name, and the ids of those the user row {user} holds itself or through a
# group. The placeholders are table names from the models' metadata, quoted.
_EVERY = (
    "SELECT {names} FROM {permission} p INNER JOIN {content_type} ct ON ct.id = p.content_type_id"
)
_HELD = (
    "SELECT permission_id FROM {user_permissions} WHERE user_id = {user}.id"
    " UNION SELECT gp.permission_id FROM {group_permissions} gp"
    " INNER JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user}.id"
)
# A superuser holds every permission (as Django's backend reads it); anyone else what they were
# given and what their groups were given. Only the branch taken is run.
_SQL = (
    f"(CASE WHEN {{user}}.is_superuser THEN ({_EVERY}) ELSE ({_EVERY} WHERE p.id IN ({_HELD})) END)"
)


class HeldPermissions(Expression):
    """The user row's permission names, one text column (NULL for none)."""

    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        name = "ct.app_label || '.' || p.codename"
        if connection.vendor == "postgresql":
            names = f"STRING_AGG({name}, E'\\n')"
        else:
            names = f"GROUP_CONCAT({name}, char(10))"
        quote = connection.ops.quote_name
        tables: dict[str, type[Model]] = {
            "permission": Permission,
            "content_type": ContentType,
            "user_permissions": User.user_permissions.through,
            "group_permissions": Group.permissions.through,
            "user_groups": User.groups.through,
        }
        sql = _SQL.format(
            names=names,
            user=quote(compiler.query.get_initial_alias()),
            **{key: quote(model._meta.db_table) for key, model in tables.items()},
        )
        return sql, []


ANNOTATION = "held_permissions"


def with_permissions(queryset: Any) -> Any:
    """The users, each with the names of the permissions it holds."""
    return queryset.annotate(**{ANNOTATION: HeldPermissions()})


def held(user: Any) -> set[str] | None:
    """The names read with the user; None when the user was read without them."""
    if not hasattr(user, ANNOTATION):
        return None
    names: str | None = getattr(user, ANNOTATION)
    return set(names.split(SEPARATOR)) if names else set()
