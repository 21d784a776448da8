"""The shell's strings: application name, navigation, login and session, errors, shared units."""
from __future__ import annotations

#: the first segment every key of this module starts with (checked by tests/test_i18n.py)
PREFIXES = ('app', 'common', 'nav', 'error', 'home', 'auth')

STRINGS: dict[str, dict[str, str]] = {
    # --- Dash's own widget texts (app.ui.Dropdown): dcc.Dropdown shows English ones by default
    "common.dropdown.placeholder": {"fr": "Choisir…", "en": "Select…"},
    "common.dropdown.select_all": {"fr": "Tout sélectionner", "en": "Select all"},
    "common.dropdown.deselect_all": {"fr": "Tout désélectionner", "en": "Deselect all"},
    "common.dropdown.selected_count": {"fr": "{num_selected} sélectionnés", "en": "{num_selected} selected"},
    "common.dropdown.search": {"fr": "Rechercher", "en": "Search"},
    "common.dropdown.clear_search": {"fr": "Effacer la recherche", "en": "Clear search"},
    "common.dropdown.clear_selection": {"fr": "Effacer la sélection", "en": "Clear selection"},
    "common.dropdown.no_options_found": {"fr": "Aucun choix ne correspond", "en": "No options found"},
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
    "home.example": {"fr": "Par exemple, le dossier du client {client} :", "en": "For example, the file of client {client}:"},
    "home.example_link": {"fr": "ouvrir le dossier {client}", "en": "open file {client}"},
    "error.not_found": {"fr": "Page introuvable.", "en": "Page not found."},
    "error.not_found_title": {"fr": "Page introuvable — Prêt à dépenser", "en": "Page not found — Prêt à dépenser"},
    "error.not_found_heading": {"fr": "Page introuvable", "en": "Page not found"},
    "error.not_found_help": {
        "fr": "Cette adresse ne correspond à aucune page du tableau de bord. Vérifiez le lien, ou repartez "
              "de l'accueil ou du menu.",
        "en": "This address matches no page of the dashboard. Check the link, or start again from the home "
              "page or the menu.",
    },
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
        "fr": "Votre rôle ne donne pas accès à cette page. Si vous en avez besoin, demandez-le à votre "
              "responsable ; la tentative a été enregistrée.",
        "en": "Your role does not give access to this page. If you need it, ask your manager; the attempt "
              "has been recorded.",
    },
    "auth.forbidden_title": {"fr": "Accès refusé — Prêt à dépenser", "en": "Access refused — Prêt à dépenser"},
    "auth.forbidden_heading": {"fr": "Accès refusé", "en": "Access refused"},
    # --- session guard of every Dash page (assets/session_guard.js, app/shell.py)
    "auth.session_ended": {
        "fr": "Votre session a pris fin : la dernière action n'a pas été enregistrée. Ce que vous avez saisi "
              "est conservé sur cette page.",
        "en": "Your session has ended: your last action was not saved. What you typed is kept on this page.",
    },
    "auth.session_relogin": {
        "fr": "Se reconnecter (nouvel onglet), puis revenir ici et recommencer l'action",
        "en": "Sign in again (new tab), then come back here and repeat the action",
    },
    "auth.session_resumed": {
        "fr": "Vous êtes reconnecté·e : vous pouvez recommencer l'action.",
        "en": "You are signed in again: you can repeat the action.",
    },
    "auth.session_forbidden": {
        "fr": "Action refusée : votre rôle ne le permet pas (la tentative a été enregistrée).",
        "en": "Action refused: your role does not allow it (the attempt has been recorded).",
    },
    "auth.session_stale": {
        "fr": "Action refusée : la page n'est plus à jour. Rechargez-la (ce que vous avez saisi dans la "
              "décision est conservé).",
        "en": "Action refused: the page is out of date. Reload it (what you typed in the decision is kept).",
    },
    "auth.session_close": {"fr": "Fermer ce message", "en": "Close this message"},
    "auth.resumed_title": {"fr": "Reconnecté — Prêt à dépenser", "en": "Signed in — Prêt à dépenser"},
    "auth.resumed_body": {
        "fr": "Vous êtes reconnecté·e. Fermez cet onglet et revenez à votre page : ce que vous y aviez saisi "
              "est toujours là.",
        "en": "You are signed in again. Close this tab and go back to your page: what you had typed there is "
              "still there.",
    },
    "auth.role.officer": {"fr": "chargé de clientèle", "en": "officer"},
    "auth.role.manager": {"fr": "responsable", "en": "manager"},
    "auth.role.admin": {"fr": "administrateur", "en": "admin"},
    # --- end monitoring page
    # --- shared labels of units, decisions, grades (any page): keys "common.*"
    "common.page_title": {"fr": "{page} — Prêt à dépenser", "en": "{page} — Prêt à dépenser"},
    "common.in_percent": {"fr": "{label} (%)", "en": "{label} (%)"},
    "common.yes": {"fr": "Oui", "en": "Yes"},
    "common.no": {"fr": "Non", "en": "No"},
    "common.year.one": {"fr": "an", "en": "year"},
    "common.year.many": {"fr": "ans", "en": "years"},
    "common.instalment.one": {"fr": "échéance", "en": "instalment"},
    "common.instalment.many": {"fr": "échéances", "en": "instalments"},
    "common.unit.eur": {"fr": "€", "en": "€"},
    "common.unit.years_from_days": {"fr": "années", "en": "years"},
    "common.unit.years": {"fr": "années", "en": "years"},
    "common.unit.percent": {"fr": "%", "en": "%"},
    "common.unit.ratio": {"fr": "×", "en": "×"},
    "common.unit.count": {"fr": "nombre", "en": "count"},
    "common.unit.score": {"fr": "score de 0 à 1", "en": "score from 0 to 1"},
    "common.unit.flag": {"fr": "oui / non", "en": "yes / no"},
    "common.unit.category": {"fr": "catégorie", "en": "category"},
    "common.unit.hour": {"fr": "heure", "en": "hour of day"},
    "common.unit.instalments": {"fr": "échéances", "en": "instalments"},
    "common.unit.normalised": {"fr": "indice normalisé", "en": "normalised index"},
    "common.unit.rating": {"fr": "note de 1 à 3", "en": "rating from 1 to 3"},
    "common.unit.id": {"fr": "identifiant", "en": "identifier"},
    # --- end shared labels
}
