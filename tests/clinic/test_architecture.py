"""The code's shape, as docs/architecture.md describes it: views read through selectors, an
audience never imports another audience's views, and no module grows past about 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("intake", "review", "insight")
VIEW_MODULES = [
    path
    for area in AREAS
    for path in sorted((ROOT / "consultations" / area).glob("*.py"))
    if path.name.endswith("views.py") or path.name == "pages.py"
]
# Query building a view must leave to consultations/selectors.py (or a model's QuerySet).
QUERY_NAMES = {"objects", "get_object_or_404", "get_list_or_404", "Q", "F", "Prefetch", "Exists"}
# Tables and definitions are long by nature; everything else stays readable.
LONG_BY_NATURE = {
    "consultations/rules/table.py",
    "consultations/questionnaire.py",
}
MAX_LINES = 430
# The clinic's own permissions (consultations/permissions.py).
CODENAMES = ("review_consultation", "export_consultation")


def imported_modules(tree: ast.AST) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
    return modules


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_module_builds_a_query(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    used |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    imports = imported_modules(tree)

    assert not used & QUERY_NAMES
    assert not {module for module in imports if module.startswith("django.db")}


@pytest.mark.parametrize("area", AREAS)
def test_no_area_imports_another_areas_views(area: str) -> None:
    for path in (ROOT / "consultations" / area).rglob("*.py"):
        imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        others = {
            module
            for module in imports
            for other in AREAS
            if other != area and module.startswith(f"consultations.{other}.views")
        }
        assert not others, f"{path.relative_to(ROOT)} imports {others}"


def test_the_records_never_import_an_audience_app() -> None:
    """consultations/ keeps the records; the audience apps build on it, not the other way."""
    shared = [
        path
        for path in (ROOT / "consultations").rglob("*.py")
        if path.relative_to(ROOT / "consultations").parts[0] not in AREAS
    ]
    for path in shared:
        imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        assert not {m for m in imports for a in AREAS if m.startswith(f"consultations.{a}")}, path


def test_no_module_is_over_about_400_lines() -> None:
    modules = [*(ROOT / "consultations").rglob("*.py"), *(ROOT / "clinic").rglob("*.py")]
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if "migrations" not in path.parts
        and str(path.relative_to(ROOT)) not in LONG_BY_NATURE
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }

    assert not too_long


def test_the_clinic_permissions_are_spelled_only_in_consultations_permissions() -> None:
    """A misspelt permission string is a check that always fails, or a grant that never
    reaches the page: views, admin and commands import the one definition."""
    permissions = ROOT / "consultations" / "permissions.py"
    spelled = []
    for path in sorted({*ROOT.glob("consultations/**/*.py"), *ROOT.glob("clinic/**/*.py")}):
        if path == permissions or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.split()
                if len(words) == 1 and words[0].endswith(CODENAMES):
                    spelled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not spelled
