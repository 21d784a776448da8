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
#: a literal key passed to the lookup function: translate("x.y", ...)
KEY_CALL = re.compile(r"""\btranslate\(\s*["']([a-z0-9_]+(?:\.[A-Za-z0-9_]+)+)["']\s*[,)]""")


#: Every module of the app follows the one language path: the layout or callback resolves the language
#: once (``app.ui.current_language``) and passes it down to ``translate(key, lang)``.
CONVERTED = tuple(str(p.relative_to(APP)) for p in sorted(APP.rglob("*.py")))
#: a lookup that finds the language by itself, or a local wrapper hiding the key's area: t(...), _tr(...)
IMPLICIT = {"t", "_tr"}
#: ``t(`` in a template (a Jinja call inside a string)
TEMPLATE_CALL = re.compile(r"\{\{[^}]*(?<![\w.])t\(")


def implicit_lookups(source: str) -> list[str]:
    """Calls of ``t``/``_tr``, imports of ``t`` from app.ui, and ``t(`` in templates of ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IMPLICIT:
            found.append(f"line {node.lineno}: {node.func.id}(...)")
        elif isinstance(node, ast.ImportFrom) and node.module == "app.ui" and any(a.name == "t" for a in node.names):
            found.append(f"line {node.lineno}: from app.ui import t")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and TEMPLATE_CALL.search(node.value):
            found.append(f"line {node.lineno}: t( in a template")
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_is_in_every_language_with_the_same_placeholders():
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(isinstance(v, str) and v for v in entry.values()), key  # a separator may be a space
        assert _placeholders(entry["fr"]) == _placeholders(entry["en"]), key


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_modules_pass_the_language_explicitly(module):
    assert implicit_lookups((APP / module).read_text(encoding="utf-8")) == []


def test_the_implicit_lookup_check_finds_each_form():
    source = ('''from app.ui import Card, t\nx = t("a.b")\ny = _tr("c", lang)\n'''
              '''PAGE = "<h1>{{ t('auth.heading') }}</h1>"\nz = translate("a.b", lang)\n''')
    assert [found.split(": ")[1] for found in implicit_lookups(source)] == [
        "from app.ui import t", "t(...)", "_tr(...)", "t( in a template"]


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
