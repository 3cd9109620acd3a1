"""Dependencies point one way: dashboard -> warehouse <- crawlers.

Checked on the source with ast (every import statement, including the ones
inside functions), so a lazy import cannot sneak past.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "warehouse": {"streamlit", "scrapy", "twisted", "crawlers", "dashboard"},
    "dashboard": {"crawlers", "scrapy", "twisted"},
    "crawlers": {"dashboard", "streamlit"},
}


def imported_roots(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add((alias.name.split(".")[0], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add((arg.value.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for root, line in imported_roots(path):
            if root in FORBIDDEN[package]:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {root}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)


def test_sql_stays_in_warehouse():
    """Pages hold UI only: no SQL keywords in dashboard code."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "duckdb.connect"):
            if word in text:
                offenders.append(f"{path.relative_to(ROOT)} contains {word.strip()!r}")
    assert not offenders, "\n".join(offenders)
