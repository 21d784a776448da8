"""Every user-facing string of the dashboard, in French (default) and English, and the one lookup function.

The catalogue is split by area, one module each (``common``, ``client``, ``portfolio``, ``model``,
``monitoring``), each a ``STRINGS`` dict whose keys start with one of its ``PREFIXES``; ``categories``
holds the translated category levels of the data. They are merged once here: a key defined by two areas
stops the import (``DuplicateKeyError``), and ``tests/test_i18n.py`` checks that every key used in the
code exists in both languages with the same placeholders.

The reader's language is resolved once per layout or callback (``app.ui.current_language``: the
cookie, else the ``APP_LANGUAGE`` setting) and passed down explicitly to :func:`translate`.
"""
from __future__ import annotations

from types import ModuleType

from app.i18n import client, common, model, monitoring, oversight, portfolio, whatif
from app.i18n.categories import CATEGORY_LABELS

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
AREAS: tuple[ModuleType, ...] = (common, client, portfolio, model, monitoring, whatif, oversight)

__all__ = ["AREAS", "CATALOG", "CATEGORY_LABELS", "DEFAULT_LANGUAGE", "LANGUAGES", "DuplicateKeyError",
           "normalise_language", "translate"]


class DuplicateKeyError(ValueError):
    """Two areas of the catalogue define the same key: one text would silently replace the other."""


def merge(areas: tuple[ModuleType, ...]) -> dict[str, dict[str, str]]:
    """One catalogue from the area modules, refusing a key that two of them define."""
    catalog: dict[str, dict[str, str]] = {}
    for area in areas:
        twice = sorted(catalog.keys() & area.STRINGS.keys())
        if twice:
            raise DuplicateKeyError(f"{area.__name__} redefines {', '.join(twice)}")
        catalog.update(area.STRINGS)
    return catalog


CATALOG: dict[str, dict[str, str]] = merge(AREAS)


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return the string ``key`` in ``lang`` (French when unknown), formatted with ``values``.

    A missing key raises ``KeyError``: a test walks every page so a typo cannot reach a user.
    """
    entry = CATALOG[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def normalise_language(lang: str | None) -> str:
    """Map anything (cookie, header, hostile string) to a supported language code."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
