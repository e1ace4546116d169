"""What the records' admin pages share: read-only records, logged views, readable rules output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from consultations import presenters, services
from consultations.models import (
    AccessLog,
)

if TYPE_CHECKING:
    # What the mixins are mixed into, so that their super() calls type-check; at run time
    # they stay plain classes (the admin classes list Django's base after them).
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.options import InlineModelAdmin

    _ModelAdmin = ModelAdmin[Any]
    _InlineModelAdmin = InlineModelAdmin[Any, Any]
else:
    _ModelAdmin = _InlineModelAdmin = object


class ReadOnlyAdminMixin:
    """Records that only the workflow writes: staff may look, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AccessLoggedAdminMixin(_ModelAdmin):
    """Staff reading a patient's record here leave an AccessLog row, as on the review pages."""

    def logged_record(self, obj: Any) -> dict[str, Any]:
        """Whose record the page shows, as services.access_log_record's arguments."""
        return {"consultation": obj.consultation}

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # A change page shown is render_change_form's TemplateResponse, with its context.
            assert isinstance(response, TemplateResponse) and response.context_data is not None
            services.access_log_record(
                user=request.user,
                action=AccessLog.Action.VIEW,
                detail="admin",
                **self.logged_record(response.context_data["original"]),
            )
        return response


class SelectRelatedInlineMixin(_InlineModelAdmin):
    """An inline that fetches its rows' users (and the like) with the rows, not one by one.

    The consultation too: each row's change link names it (`__str__`), and the formset sets
    only the rows' consultation_id.
    """

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Model]:
        return super().get_queryset(request).select_related(*self.select_related)


def _reasons(reasons: list[dict[str, str]]) -> SafeString:
    return format_html_join("", "<li>{}: {}</li>", ((r["rule"], r["text"]) for r in reasons))


def render_output(output: dict | None) -> SafeString:
    """The rules' output in the review page's words: primary, options, exclusions and flags."""
    if not output:
        return format_html("<em>{}</em>", "No output")
    card = presenters.output_card(output)
    parts = [
        format_html(
            "<p><strong>Primary:</strong> {} &middot; ruleset {}</p>",
            card["primary_label"],
            card["ruleset_version"],
        )
    ]
    if card["defer_reason"]:
        parts.append(format_html("<p><strong>Deferred:</strong> {}</p>", card["defer_reason"]))
    for suggestion in card["suggestions"]:
        parts.append(
            format_html(
                "<p>{}. <strong>{}</strong> ({}) &middot; constraints: {}</p><ul>{}</ul>",
                suggestion["rank"],
                suggestion["label"],
                suggestion["status_label"],
                "; ".join(suggestion.get("constraints", [])) or "none",
                _reasons(suggestion.get("reasons", [])),
            )
        )
    for excluded in card["excluded"]:
        parts.append(
            format_html(
                "<p><strong>Excluded: {}</strong></p><ul>{}</ul>",
                excluded["label"],
                _reasons(excluded.get("reasons", [])),
            )
        )
    if card["flags"]:
        items = format_html_join(
            "",
            "<li>[{}] {} ({}, {}): {}</li>",
            (
                (f["severity_label"], f["label"], f["rule"], f["code"], f["message"])
                for f in card["flags"]
            ),
        )
        parts.append(format_html("<p><strong>Flags</strong></p><ul>{}</ul>", items))
    return SafeString("".join(parts))


# An unfiltered list of more rows than this shows PostgreSQL's estimate of how many there are.
ESTIMATED_FROM = 100_000


class EstimatedCountPaginator(Paginator):
    """The admin's paginator: an unfiltered list of a large table takes PostgreSQL's own
    estimate (kept by ANALYZE) rather than counting every row, which the admin did on every
    list page and every export action (a quarter of a second at a million consultations).

    One query either way: the estimate when it is past ESTIMATED_FROM, else the count (the
    CASE runs its subquery only when it needs it), so that a page makes the same round trips
    whatever the size of the table."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if (
            connection.vendor == "postgresql"
            and isinstance(rows, QuerySet)
            and not rows.query.where
        ):
            table = rows.model._meta.db_table  # a model's own table name, quoted: not input
            counted = f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            sql = "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint ELSE ("
            sql += counted + ") END FROM pg_class WHERE oid = %s::regclass"
            with connection.cursor() as cursor:
                cursor.execute(sql, [ESTIMATED_FROM, table])
                found = cursor.fetchone()
            if found:
                return int(found[0])
        return super().count
