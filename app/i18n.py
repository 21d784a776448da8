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
    # --- security layer: login, logout, access (app/security)
    "auth.title": {"fr": "Connexion — Prêt à dépenser", "en": "Sign in — Prêt à dépenser"},
    "auth.heading": {"fr": "Connexion", "en": "Sign in"},
    "auth.username": {"fr": "Identifiant", "en": "Username"},
    "auth.password": {"fr": "Mot de passe", "en": "Password"},
    "auth.submit": {"fr": "Se connecter", "en": "Sign in"},
    "auth.help": {
        "fr": "Accès réservé au personnel. Mot de passe oublié : contactez un administrateur.",
        "en": "Staff only. Forgotten password: contact an administrator.",
    },
    "auth.invalid": {"fr": "Identifiant ou mot de passe incorrect.", "en": "Wrong username or password."},
    "auth.locked": {
        "fr": "Trop de tentatives échouées : connexion bloquée, réessayez dans {minutes} min.",
        "en": "Too many failed attempts: sign-in locked, try again in {minutes} min.",
    },
    "auth.csrf": {
        "fr": "Formulaire expiré : rechargez la page et réessayez.",
        "en": "Form expired: reload the page and try again.",
    },
    "auth.expired": {
        "fr": "Votre session a expiré : reconnectez-vous.",
        "en": "Your session has expired: please sign in again.",
    },
    "auth.logout": {"fr": "Se déconnecter", "en": "Sign out"},
    "auth.forbidden": {
        "fr": "Votre rôle ne donne pas accès à cette page.",
        "en": "Your role does not give access to this page.",
    },
    "auth.role.officer": {"fr": "chargé de clientèle", "en": "officer"},
    "auth.role.manager": {"fr": "responsable", "en": "manager"},
    "auth.role.admin": {"fr": "administrateur", "en": "admin"},
    # --- decision log panel of the client file (app/components/decision_log.py)
    "decision.title": {"fr": "Décision finale", "en": "Final decision"},
    "decision.model": {"fr": "Décision du modèle : {decision}", "en": "Model decision: {decision}"},
    "decision.granted": {"fr": "accordé", "en": "granted"},
    "decision.refused": {"fr": "refusé", "en": "refused"},
    "decision.choice": {"fr": "Votre décision", "en": "Your decision"},
    "decision.follow": {"fr": "Suivre le modèle ({decision})", "en": "Follow the model ({decision})"},
    "decision.override": {"fr": "Passer outre : {decision}", "en": "Override: {decision}"},
    "decision.reason": {"fr": "Motif de la dérogation (obligatoire)", "en": "Reason for the override (required)"},
    "decision.note": {"fr": "Note (max. {max} caractères)", "en": "Note (max. {max} characters)"},
    "decision.submit": {"fr": "Enregistrer la décision", "en": "Record the decision"},
    "decision.saved": {"fr": "Décision enregistrée.", "en": "Decision recorded."},
    "decision.history": {"fr": "Historique (le plus récent d'abord)", "en": "History (newest first)"},
    "decision.history_empty": {"fr": "Aucune décision enregistrée.", "en": "No decision recorded yet."},
    "decision.col.at": {"fr": "Date (UTC)", "en": "Date (UTC)"},
    "decision.col.user": {"fr": "Par", "en": "By"},
    "decision.col.model": {"fr": "Modèle", "en": "Model"},
    "decision.col.final": {"fr": "Décision", "en": "Decision"},
    "decision.col.reason": {"fr": "Motif", "en": "Reason"},
    "decision.col.note": {"fr": "Note", "en": "Note"},
    "decision.overridden": {"fr": "dérogation", "en": "override"},
    "decision.unavailable": {
        "fr": "Journal des décisions indisponible (contexte invalide) : rechargez la page.",
        "en": "Decision log unavailable (invalid context): reload the page.",
    },
    "decision.reason.additional_income": {"fr": "Revenus supplémentaires justifiés", "en": "Documented additional income"},
    "decision.reason.guarantor_or_collateral": {"fr": "Garant ou garantie", "en": "Guarantor or collateral"},
    "decision.reason.client_history": {"fr": "Historique de la relation client", "en": "Client relationship history"},
    "decision.reason.recent_incident": {"fr": "Incident récent non vu par le modèle", "en": "Recent incident unknown to the model"},
    "decision.reason.incomplete_or_inconsistent_file": {"fr": "Dossier incomplet ou incohérent", "en": "Incomplete or inconsistent file"},
    "decision.reason.policy_exception": {"fr": "Exception à la politique de crédit", "en": "Credit policy exception"},
    "decision.reason.other": {"fr": "Autre (préciser dans la note)", "en": "Other (explain in the note)"},
    "decision.error.reason_required": {
        "fr": "Une dérogation au modèle exige un motif : choisissez-en un dans la liste.",
        "en": "Overriding the model requires a reason: pick one from the list.",
    },
    "decision.error.reason_invalid": {"fr": "Motif inconnu.", "en": "Unknown reason."},
    "decision.error.note_required": {
        "fr": "Le motif « Autre » exige une note explicative.",
        "en": "The reason 'Other' requires an explanatory note.",
    },
    "decision.error.note_too_long": {
        "fr": "La note est limitée à {max} caractères.",
        "en": "The note is limited to {max} characters.",
    },
    "decision.error.note_invalid": {"fr": "La note doit être du texte.", "en": "The note must be text."},
    "decision.error.choice_required": {"fr": "Choisissez une décision.", "en": "Choose a decision."},
    "decision.error.client_invalid": {"fr": "Identifiant client invalide.", "en": "Invalid client id."},
    "decision.error.model_invalid": {"fr": "Décision du modèle invalide.", "en": "Invalid model decision."},
    "decision.error.final_invalid": {"fr": "Décision invalide.", "en": "Invalid decision."},
    "decision.error.user_missing": {"fr": "Connexion requise.", "en": "Login required."},
    # --- client file page (app/pages/client.py): keys "client.*"
    # --- end client file page
    # --- portfolio page (app/pages/portfolio.py): keys "portfolio.*"
    # --- end portfolio page
    # --- model page (app/pages/model.py): keys "model.*"
    # --- end model page
    # --- monitoring page (app/pages/monitoring.py): keys "monitoring.*"
    # --- end monitoring page
    # --- shared labels of units, decisions, grades (any page): keys "common.*"
    # --- end shared labels
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
