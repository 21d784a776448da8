"""The catalogue of every user-facing string (app/i18n/): complete, consistent, no silent duplicate."""
from __future__ import annotations

import ast
import re
import string
import types
from pathlib import Path

import pytest

from app.i18n import AREAS, CATALOG, LANGUAGES, DuplicateKeyError, merge

APP = Path(__file__).resolve().parents[1] / "app"
#: a literal key passed to one of the lookup functions: t("x.y") or translate("x.y", ...)
KEY_CALL = re.compile(r"""\b(?:t|translate)\(\s*["']([a-z0-9_]+(?:\.[A-Za-z0-9_]+)+)["']\s*[,)]""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_is_in_every_language_with_the_same_placeholders():
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(isinstance(v, str) and v for v in entry.values()), key  # a separator may be a space
        assert _placeholders(entry["fr"]) == _placeholders(entry["en"]), key


def test_every_literal_key_used_in_the_app_exists():
    used = {}
    for path in APP.rglob("*.py"):
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, path.relative_to(APP.parent))
    assert len(used) > 200
    missing = {key: str(where) for key, where in used.items() if key not in CATALOG}
    assert not missing, missing


@pytest.mark.parametrize("path", sorted((APP / "i18n").glob("*.py")), ids=lambda p: p.name)
def test_no_key_is_written_twice_in_an_area(path):
    """A dict literal keeps the LAST of two equal keys without a word: the first text would vanish."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    keys = [node.value for d in ast.walk(tree) if isinstance(d, ast.Dict) for node in d.keys
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, duplicates


def test_two_areas_defining_one_key_stop_the_merge():
    first = types.ModuleType("first")
    first.STRINGS = {"x.a": {"fr": "a", "en": "a"}}  # type: ignore[attr-defined]
    second = types.ModuleType("second")
    second.STRINGS = {"x.a": {"fr": "b", "en": "b"}, "x.b": {"fr": "c", "en": "c"}}  # type: ignore[attr-defined]
    with pytest.raises(DuplicateKeyError, match="second redefines x.a"):
        merge((first, second))
    assert merge((first,)) == first.STRINGS


def test_each_area_holds_only_its_own_keys_and_all_are_merged():
    for area in AREAS:
        strays = [key for key in area.STRINGS if key.split(".")[0] not in area.PREFIXES]
        assert not strays, (area.__name__, strays)
    assert len(CATALOG) == sum(len(area.STRINGS) for area in AREAS)
    modules = {p.stem for p in (APP / "i18n").glob("*.py")} - {"__init__", "categories"}
    assert modules == {area.__name__.rsplit(".", 1)[1] for area in AREAS}
