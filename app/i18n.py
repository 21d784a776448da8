"""Every user-facing string of the dashboard, in French (default) and English.

Pure data plus one lookup function, so that domain code, figure builders and pages share one
catalog and a missing translation is caught by a test instead of showing a raw key to an officer.
Page modules add their strings to ``CATALOG`` under their own prefix (``client.``, ``portfolio.``...).
"""
from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

CATALOG: dict[str, dict[str, str]] = {
    "app.title": {"fr": "Prêt à dépenser — décision de crédit", "en": "Prêt à dépenser — credit decisions"},
    "app.brand": {"fr": "Prêt à dépenser", "en": "Prêt à dépenser"},
    "nav.home": {"fr": "Accueil", "en": "Home"},
    "nav.client": {"fr": "Dossier client", "en": "Client file"},
    "nav.portfolio": {"fr": "Portefeuille", "en": "Portfolio"},
    "nav.model": {"fr": "Modèle", "en": "Model"},
    "nav.monitoring": {"fr": "Surveillance", "en": "Monitoring"},
    "nav.language": {"fr": "Langue", "en": "Language"},
    "home.heading": {"fr": "Tableau de bord de décision de crédit", "en": "Credit decision dashboard"},
    "home.intro": {
        "fr": "Ouvrez le dossier d'un client pour voir sa probabilité de défaut, la décision et ses raisons.",
        "en": "Open a client's file to see the probability of default, the decision and its reasons.",
    },
    "home.demo": {
        "fr": "Portefeuille de démonstration synthétique : aucun client réel.",
        "en": "Synthetic demo portfolio: no real client.",
    },
    "error.not_found": {"fr": "Page introuvable.", "en": "Page not found."},
}


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
