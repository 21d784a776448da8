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
    "portfolio.title": {"fr": "Portefeuille : analyser des groupes de clients", "en": "Portfolio: analyse groups of clients"},
    "portfolio.intro": {
        "fr": "Choisissez un groupe de clients avec les filtres ; ses chiffres clés, ses graphiques et la liste de ses clients se mettent à jour. Les filtres sont gardés dans l'adresse de la page : copiez-la pour partager cette vue.",
        "en": "Choose a group of clients with the filters; its key figures, charts and client list update. The filters are kept in the page address: copy it to share this view.",
    },
    "portfolio.filters.title": {"fr": "Filtres du groupe {group}", "en": "Filters of group {group}"},
    "portfolio.filters.reset": {"fr": "Réinitialiser", "en": "Reset"},
    "portfolio.filters.any": {"fr": "Tous", "en": "All"},
    "portfolio.filters.min": {"fr": "min.", "en": "min"},
    "portfolio.filters.max": {"fr": "max.", "en": "max"},
    "portfolio.filter.age_band": {"fr": "Tranche d'âge (années)", "en": "Age band (years)"},
    "portfolio.filter.gender": {"fr": "Genre", "en": "Gender"},
    "portfolio.filter.gender_note": {
        "fr": "Suivi d'équité uniquement : le genre n'est jamais utilisé par le modèle pour décider.",
        "en": "Fairness monitoring only: the model never uses gender to decide.",
    },
    "portfolio.filter.income_type": {"fr": "Type de revenu", "en": "Income type"},
    "portfolio.filter.education": {"fr": "Niveau d'études", "en": "Education"},
    "portfolio.filter.family_status": {"fr": "Situation familiale", "en": "Family status"},
    "portfolio.filter.contract_type": {"fr": "Type de contrat", "en": "Contract type"},
    "portfolio.filter.housing": {"fr": "Logement", "en": "Housing"},
    "portfolio.filter.region_rating": {"fr": "Note de la région (1 à 3)", "en": "Region rating (1 to 3)"},
    "portfolio.filter.grade": {"fr": "Note de risque (A à E)", "en": "Risk grade (A to E)"},
    "portfolio.filter.decision": {"fr": "Décision du modèle", "en": "Model decision"},
    "portfolio.filter.income": {"fr": "Revenu annuel (€)", "en": "Annual income (€)"},
    "portfolio.filter.credit": {"fr": "Montant du crédit (€)", "en": "Credit amount (€)"},
    "portfolio.filter.population": {"fr": "Clients", "en": "Clients"},
    "portfolio.population.all": {"fr": "Tous", "en": "All"},
    "portfolio.population.labelled": {"fr": "Issue connue (historique)", "en": "Known outcome (history)"},
    "portfolio.population.new": {"fr": "Nouvelles demandes", "en": "New applications"},
    "portfolio.compare.toggle": {"fr": "Comparer avec un second groupe (B)", "en": "Compare with a second group (B)"},
    "portfolio.group": {"fr": "Groupe {group}", "en": "Group {group}"},
    "portfolio.kpi.title": {"fr": "Chiffres clés", "en": "Key figures"},
    "portfolio.kpi.n": {"fr": "Nombre de clients", "en": "Number of clients"},
    "portfolio.kpi.approval_rate": {"fr": "Taux d'acceptation au seuil", "en": "Approval rate at the threshold"},
    "portfolio.kpi.default_rate": {"fr": "Taux de défaut observé", "en": "Observed default rate"},
    "portfolio.kpi.mean_proba": {"fr": "Probabilité moyenne de défaut", "en": "Mean probability of default"},
    "portfolio.kpi.cost_per_client": {"fr": "Coût métier par client", "en": "Business cost per client"},
    "portfolio.kpi.exposure": {"fr": "Encours total (crédits accordés ou demandés)", "en": "Total exposure (credit amounts)"},
    "portfolio.kpi.expected_loss": {"fr": "Perte attendue", "en": "Expected loss"},
    "portfolio.kpi.exposure_per_client": {"fr": "encours moyen par client", "en": "mean exposure per client"},
    "portfolio.kpi.expected_loss_per_client": {"fr": "perte attendue par client", "en": "expected loss per client"},
    "portfolio.kpi.approval_note": {
        "fr": "part des clients dont la probabilité de défaut est sous le seuil de {threshold}",
        "en": "share of clients whose probability of default is below the {threshold} threshold",
    },
    "portfolio.kpi.default_note": {"fr": "sur {n} clients à l'issue connue", "en": "over {n} clients with a known outcome"},
    "portfolio.kpi.no_outcome": {
        "fr": "aucune issue connue dans ce groupe (nouvelles demandes) : pas de taux de défaut ni de coût",
        "en": "no known outcome in this group (new applications): no default rate nor cost",
    },
    "portfolio.kpi.cost_note": {
        "fr": "unités de coût par client ({fn} par défaut non détecté, {fp} par bon client refusé). Estimation honnête, hors échantillon : probabilités « out-of-fold » d'un modèle qui n'avait pas vu ces clients.",
        "en": "cost units per client ({fn} per missed defaulter, {fp} per refused good client). An honest, out-of-sample estimate: out-of-fold probabilities from a model that had not seen these clients.",
    },
    "portfolio.kpi.mean_proba_note": {"fr": "selon le modèle en service", "en": "according to the served model"},
    "portfolio.kpi.exposure_note": {"fr": "somme des montants de crédit du groupe", "en": "sum of the group's credit amounts"},
    "portfolio.kpi.expected_loss_note": {
        "fr": "somme de probabilité × montant du crédit, en supposant une perte de 100 % du crédit en cas de défaut (un majorant)",
        "en": "sum of probability × credit amount, assuming 100 % of the credit is lost on default (an upper bound)",
    },
    "portfolio.kpi.empty": {
        "fr": "Aucun client ne correspond à ces filtres : élargissez-les.",
        "en": "No client matches these filters: widen them.",
    },
    "portfolio.kpi.too_small": {
        "fr": "{n} clients seulement : un groupe de moins de {min} clients n'est pas décrit (confidentialité).",
        "en": "Only {n} clients: a group of fewer than {min} clients is not described (privacy).",
    },
    "portfolio.kpi.unavailable": {"fr": "—", "en": "—"},
    "portfolio.diff.title": {"fr": "Ce qui distingue B de A", "en": "How B differs from A"},
    "portfolio.diff.sentence": {"fr": "{name} {amount} dans B", "en": "{name} {amount} in B"},
    "portfolio.diff.same": {"fr": "{name} identique dans A et B", "en": "{name} the same in A and B"},
    "portfolio.diff.unknown": {
        "fr": "{name} : non comparable (aucune issue connue dans {group})",
        "en": "{name}: not comparable (no known outcome in {group})",
    },
    "portfolio.diff.point": {"fr": "point", "en": "point"},
    "portfolio.diff.points": {"fr": "points", "en": "points"},
    "portfolio.diff.clients": {"fr": "clients", "en": "clients"},
    "portfolio.diff.impossible": {
        "fr": "Comparaison impossible : les deux groupes doivent compter au moins {min} clients.",
        "en": "No comparison: both groups need at least {min} clients.",
    },
    "portfolio.chart.score": {"fr": "Distribution de la probabilité de défaut", "en": "Distribution of the probability of default"},
    "portfolio.chart.segment": {"fr": "Taux d'acceptation et de défaut par segment", "en": "Approval and default rates by segment"},
    "portfolio.chart.segment_choice": {"fr": "Segmenter par", "en": "Break down by"},
    "portfolio.chart.feature": {"fr": "Une variable selon l'issue du crédit", "en": "A variable by credit outcome"},
    "portfolio.chart.feature_choice": {"fr": "Variable", "en": "Variable"},
    "portfolio.fig.proba_axis": {"fr": "Probabilité de défaut (%)", "en": "Probability of default (%)"},
    "portfolio.fig.share_axis": {"fr": "Clients (% du groupe)", "en": "Clients (% of the group)"},
    "portfolio.fig.granted": {"fr": "Accordé (sous le seuil)", "en": "Granted (below threshold)"},
    "portfolio.fig.refused": {"fr": "Refusé (seuil ou au-dessus)", "en": "Refused (threshold or above)"},
    "portfolio.fig.threshold": {"fr": "seuil {value}", "en": "threshold {value}"},
    "portfolio.fig.rate_axis": {"fr": "Taux (%)", "en": "Rate (%)"},
    "portfolio.fig.approval": {"fr": "Taux d'acceptation", "en": "Approval rate"},
    "portfolio.fig.default": {"fr": "Taux de défaut observé", "en": "Observed default rate"},
    "portfolio.fig.clients": {"fr": "clients", "en": "clients"},
    "portfolio.fig.hidden": {
        "fr": "Taux masqués pour les segments de moins de {min} clients (confidentialité).",
        "en": "Rates hidden for segments of fewer than {min} clients (privacy).",
    },
    "portfolio.fig.repaid": {"fr": "Remboursé", "en": "Repaid"},
    "portfolio.fig.difficulties": {"fr": "Difficultés de paiement", "en": "Payment difficulties"},
    "portfolio.fig.outcome_axis": {"fr": "Clients (% de chaque issue)", "en": "Clients (% of each outcome)"},
    "portfolio.fig.no_outcome": {
        "fr": "Pas assez de clients à l'issue connue (au moins {min} remboursés et {min} en difficulté) pour comparer.",
        "en": "Not enough clients with a known outcome (at least {min} repaid and {min} in difficulty) to compare.",
    },
    "portfolio.fig.not_described": {"fr": "Groupe non décrit (vide ou moins de {min} clients).", "en": "Group not described (empty or fewer than {min} clients)."},
    "portfolio.feature.AGE_YEARS": {"fr": "Âge (années)", "en": "Age (years)"},
    "portfolio.feature.EMPLOYED_YEARS": {"fr": "Ancienneté dans l'emploi (années)", "en": "Years in employment (years)"},
    "portfolio.feature.AMT_INCOME_TOTAL": {"fr": "Revenu annuel (€)", "en": "Annual income (€)"},
    "portfolio.feature.AMT_CREDIT": {"fr": "Montant du crédit (€)", "en": "Credit amount (€)"},
    "portfolio.feature.AMT_ANNUITY": {"fr": "Annuité (€ par an)", "en": "Annuity (€ per year)"},
    "portfolio.feature.EXT_SOURCE_1": {"fr": "Score externe 1 (0 à 1)", "en": "External score 1 (0 to 1)"},
    "portfolio.feature.EXT_SOURCE_2": {"fr": "Score externe 2 (0 à 1)", "en": "External score 2 (0 to 1)"},
    "portfolio.feature.EXT_SOURCE_3": {"fr": "Score externe 3 (0 à 1)", "en": "External score 3 (0 to 1)"},
    "portfolio.feature.PROBA_DEFAULT": {"fr": "Probabilité de défaut (%)", "en": "Probability of default (%)"},
    "portfolio.table.title": {"fr": "Les clients du groupe {group}", "en": "The clients of group {group}"},
    "portfolio.table.help": {
        "fr": "{n} clients. Cliquez sur un en-tête pour trier, sur un identifiant pour ouvrir le dossier du client.",
        "en": "{n} clients. Click a header to sort, an id to open the client's file.",
    },
    "portfolio.col.id": {"fr": "Identifiant client", "en": "Client id"},
    "portfolio.col.age": {"fr": "Âge (années)", "en": "Age (years)"},
    "portfolio.col.income_type": {"fr": "Type de revenu", "en": "Income type"},
    "portfolio.col.contract_type": {"fr": "Type de contrat", "en": "Contract type"},
    "portfolio.col.income": {"fr": "Revenu annuel (€)", "en": "Annual income (€)"},
    "portfolio.col.credit": {"fr": "Montant du crédit (€)", "en": "Credit amount (€)"},
    "portfolio.col.proba": {"fr": "Probabilité de défaut (%)", "en": "Probability of default (%)"},
    "portfolio.col.grade": {"fr": "Note de risque", "en": "Risk grade"},
    "portfolio.col.decision": {"fr": "Décision du modèle", "en": "Model decision"},
    "portfolio.col.outcome": {"fr": "Issue du crédit", "en": "Credit outcome"},
    "portfolio.outcome.repaid": {"fr": "Remboursé", "en": "Repaid"},
    "portfolio.outcome.difficulties": {"fr": "Difficultés de paiement", "en": "Payment difficulties"},
    "portfolio.outcome.unknown": {"fr": "Inconnue (nouvelle demande)", "en": "Unknown (new application)"},
    "portfolio.export.button": {"fr": "Exporter le groupe A (CSV)", "en": "Export group A (CSV)"},
    "portfolio.export.note": {
        "fr": "Export réservé aux responsables ; chaque export est enregistré dans le journal d'audit avec ses filtres.",
        "en": "Managers only; every export is recorded in the audit trail with its filters.",
    },
    "portfolio.export.done": {"fr": "{n} clients exportés.", "en": "{n} clients exported."},
    "portfolio.export.empty": {"fr": "Rien à exporter : le groupe est vide.", "en": "Nothing to export: the group is empty."},
    "portfolio.unavailable": {
        "fr": "Portefeuille indisponible : {error}",
        "en": "Portfolio unavailable: {error}",
    },
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
