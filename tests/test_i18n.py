"""The catalogue of every user-facing string (app/i18n.py): complete, consistent, no silent duplicate."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from app.i18n import CATALOG, LANGUAGES

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


def test_no_key_is_written_twice():
    """A dict literal keeps the LAST of two equal keys without a word: the first text would vanish."""
    tree = ast.parse((APP / "i18n.py").read_text(encoding="utf-8"))
    keys = [node.value for d in ast.walk(tree) if isinstance(d, ast.Dict) for node in d.keys
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, duplicates
