"""Find French text in a page that should be English (the one language path, issue #16)."""
from __future__ import annotations

import string
from functools import lru_cache

from app.i18n import CATALOG


@lru_cache(maxsize=1)
def french_only_texts(min_length: int = 10) -> frozenset[str]:
    """The catalogue's French texts that differ from their English and have no placeholder (so they
    appear in a page exactly as written), long enough not to occur by chance in English text."""
    texts = set()
    for entry in CATALOG.values():
        fr, en = entry["fr"], entry["en"]
        if fr != en and len(fr) >= min_length and not any(name for _, name, _, _ in string.Formatter().parse(fr)):
            texts.add(fr)
    return frozenset(texts)


def french_in(text: str) -> list[str]:
    """The French catalogue texts found in ``text`` (empty for a page wholly in English)."""
    return sorted(fr for fr in french_only_texts() if fr in text)
