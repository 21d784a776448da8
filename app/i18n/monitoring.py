"""The monitoring page: drift of the inputs and of the score."""
from __future__ import annotations

#: the first segment every key of this module starts with (checked by tests/test_i18n.py)
PREFIXES = ('monitoring',)

STRINGS: dict[str, dict[str, str]] = {
    # --- end model page
    # --- monitoring page (app/pages/monitoring.py): keys "monitoring.*"
    "monitoring.heading": {"fr": "Surveillance : dérive des données", "en": "Monitoring: data drift"},
    "monitoring.intro": {
        "fr": "Référence : les {ref} clients au dénouement connu sur lesquels le modèle a appris. Actuel : {cur} {source}. Rapport calculé le {date}.",
        "en": "Reference: the {ref} clients with known outcome the model learned from. Current: {cur} {source}. Report computed on {date}.",
    },
    "monitoring.current_portfolio": {"fr": "nouvelles demandes du portefeuille", "en": "new applications of the portfolio"},
    "monitoring.current_file": {"fr": "demandes du fichier {name}", "en": "applications of the file {name}"},
    "monitoring.no_report": {
        "fr": "Aucun rapport de dérive disponible pour ce modèle : lancez scripts/drift_report.py.",
        "en": "No drift report available for this model: run scripts/drift_report.py.",
    },
    "monitoring.unknown_feature": {"fr": "Variable inconnue : choisissez-en une dans la liste.", "en": "Unknown feature: pick one from the list."},
    "monitoring.verdict.drift": {"fr": "Dérive du jeu de données.", "en": "Dataset drift."},
    "monitoring.verdict.stable": {"fr": "Pas de dérive du jeu de données.", "en": "No dataset drift."},
    "monitoring.verdict.detail": {
        "fr": "{n} variables sur {total} ont dérivé ({share}) ; l'alerte globale se déclenche à partir de {limit} des variables.",
        "en": "{n} of {total} features drifted ({share}); the dataset alarm is raised from {limit} of the features.",
    },
    "monitoring.prediction_label": {"fr": "Probabilité de défaut prédite", "en": "Predicted probability of default"},
    "monitoring.prediction.title": {"fr": "Dérive du score lui-même", "en": "Drift of the score itself"},
    "monitoring.prediction.none": {"fr": "Pas de probabilités dans ce rapport.", "en": "No probabilities in this report."},
    "monitoring.prediction.help": {
        "fr": "Si la distribution des probabilités change, la part de refus change aussi, même sans changement de la règle. Référence : probabilités hors échantillon (le modèle n'avait pas vu ces clients), pour comparer à armes égales avec les nouvelles demandes.",
        "en": "If the distribution of probabilities changes, the share of refusals changes too, even with an unchanged rule. Reference: out-of-fold probabilities (the model had not seen these clients), for a like-for-like comparison with new applications.",
    },
    "monitoring.prediction.mean": {"fr": "Probabilité moyenne : {ref} (référence) → {cur} (actuel)", "en": "Mean probability: {ref} (reference) → {cur} (current)"},
    "monitoring.prediction.approval": {"fr": "Taux d'accord au seuil de production : {ref} → {cur}", "en": "Approval rate at the production threshold: {ref} → {cur}"},
    "monitoring.prediction.stats": {"fr": "Wasserstein normalisé {wd}, PSI {psi} : {status}", "en": "Normalised Wasserstein {wd}, PSI {psi}: {status}"},
    "monitoring.flag.drifted": {"fr": "dérive", "en": "drifted"},
    "monitoring.flag.stable": {"fr": "stable", "en": "stable"},
    "monitoring.risk.title": {"fr": "Dérives les plus risquées", "en": "Riskiest drifts"},
    "monitoring.risk.help": {
        "fr": "Variables classées par risque = score de dérive × importance pour le modèle. Score de dérive 1 = seuil d'alerte (ligne pointillée). Importance = |SHAP| moyen rapporté à la variable la plus importante (100 %). Une petite dérive d'une variable décisive compte plus qu'une grosse dérive d'une variable que le modèle utilise peu.",
        "en": "Features ranked by risk = drift score × importance to the model. Drift score 1 = alarm level (dashed line). Importance = mean |SHAP| relative to the most important feature (100%). A small drift in a decisive feature matters more than a large drift in one the model barely uses.",
    },
    "monitoring.risk.table": {"fr": "Détail des {n} premières variables", "en": "Details of the top {n} features"},
    "monitoring.col.feature": {"fr": "Variable", "en": "Feature"},
    "monitoring.col.method": {"fr": "Test", "en": "Test"},
    "monitoring.col.statistic": {"fr": "Statistique", "en": "Statistic"},
    "monitoring.col.psi": {"fr": "PSI", "en": "PSI"},
    "monitoring.col.score": {"fr": "Score de dérive", "en": "Drift score"},
    "monitoring.col.importance": {"fr": "Importance", "en": "Importance"},
    "monitoring.col.status": {"fr": "État", "en": "Status"},
    "monitoring.method.wasserstein": {"fr": "Wasserstein normalisé", "en": "Normalised Wasserstein"},
    "monitoring.method.jensen_shannon": {"fr": "Jensen-Shannon", "en": "Jensen-Shannon"},
    "monitoring.psi.stable": {"fr": "stable", "en": "stable"},
    "monitoring.psi.moderate": {"fr": "modéré", "en": "moderate"},
    "monitoring.psi.significant": {"fr": "important", "en": "significant"},
    "monitoring.distribution.title": {"fr": "Distributions comparées", "en": "Distributions compared"},
    "monitoring.distribution.help": {
        "fr": "Part des clients (%) par valeur, référence (bleu, plein) et actuel (orange, hachuré). La part de valeurs manquantes est dans la légende.",
        "en": "Share of clients (%) per value, reference (blue, solid) and current (orange, hatched). The share of missing values is in the legend.",
    },
    "monitoring.distribution.feature": {"fr": "Variable", "en": "Feature"},
    "monitoring.method.title": {"fr": "Méthode et seuils", "en": "Method and thresholds"},
    "monitoring.method.psi_help": {
        "fr": "PSI (indice de stabilité de la population) sur les déciles de la référence plus une classe « manquant » : moins de {moderate} stable, de {moderate} à {significant} dérive modérée, {significant} ou plus dérive importante.",
        "en": "PSI (population stability index) over the reference deciles plus a 'missing' bin: under {moderate} stable, {moderate} to {significant} moderate shift, {significant} or more significant shift.",
    },
    "monitoring.method.wd_help": {
        "fr": "Variables numériques : distance de Wasserstein divisée par l'écart-type de la référence (de combien la distribution s'est déplacée, en écarts-types) ; alerte à {limit}, comme Evidently par défaut.",
        "en": "Numeric features: Wasserstein distance divided by the reference standard deviation (how far the distribution moved, in standard deviations); alarm at {limit}, Evidently's default.",
    },
    "monitoring.method.js_help": {
        "fr": "Variables catégorielles (et numériques à 5 valeurs ou moins) : distance de Jensen-Shannon entre les parts de chaque catégorie ; alerte à {limit}, comme Evidently par défaut.",
        "en": "Categorical features (and numeric ones with 5 values or fewer): Jensen-Shannon distance between the category shares; alarm at {limit}, Evidently's default.",
    },
    "monitoring.method.rule": {
        "fr": "Une variable a dérivé si son test dépasse son seuil ou si son PSI est important (le PSI voit aussi les changements du taux de valeurs manquantes). Score de dérive = le plus grand des deux rapports statistique / seuil.",
        "en": "A feature drifted when its test passes its threshold or its PSI is significant (the PSI also sees changes in the missing-value rate). Drift score = the larger of the two statistic / threshold ratios.",
    },
    "monitoring.method.risk": {"fr": "Risque = score de dérive × importance relative (|SHAP| moyen / le plus grand).", "en": "Risk = drift score × relative importance (mean |SHAP| / the largest)."},
    "monitoring.method.dataset": {"fr": "Dérive du jeu de données si au moins {share} des variables ont dérivé (valeur par défaut d'Evidently).", "en": "Dataset drift when at least {share} of the features drifted (Evidently's default)."},
    "monitoring.method.refresh": {
        "fr": "Le rapport est précalculé par scripts/drift_report.py (planifiable, aussi sur un fichier de nouvelles demandes) ; la page ne fait que le lire.",
        "en": "The report is precomputed by scripts/drift_report.py (schedulable, also on a file of new applications); the page only reads it.",
    },
    "monitoring.fig.bar_text": {"fr": "{score} (importance {importance} %)", "en": "{score} (importance {importance}%)"},
    "monitoring.fig.score_hover": {"fr": "Score de dérive %{x:.2f}", "en": "Drift score %{x:.2f}"},
    "monitoring.fig.alarm": {"fr": "Seuil d'alerte", "en": "Alarm level"},
    "monitoring.fig.score_axis": {"fr": "Score de dérive (1 = seuil d'alerte)", "en": "Drift score (1 = alarm level)"},
    "monitoring.fig.reference": {"fr": "Référence (manquants {missing} %)", "en": "Reference (missing {missing}%)"},
    "monitoring.fig.current": {"fr": "Actuel (manquants {missing} %)", "en": "Current (missing {missing}%)"},
    "monitoring.fig.other": {"fr": "Autres", "en": "Other"},
    "monitoring.fig.share_axis": {"fr": "Part des clients (%)", "en": "Share of clients (%)"},
    "monitoring.fig.no_report": {"fr": "Aucun rapport de dérive disponible", "en": "No drift report available"},
}
