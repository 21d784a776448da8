"""The client file's simulator, counter-offer and client letter (app/components/whatif.py, app/presenters/letter.py)."""
from __future__ import annotations

#: the first segment every key of this module starts with (checked by tests/test_i18n.py)
PREFIXES = ('whatif', 'letter')

STRINGS: dict[str, dict[str, str]] = {
    # --- what-if simulator (app/components/whatif.py)
    "whatif.title": {"fr": "Simuler un autre prêt", "en": "Try another loan"},
    "whatif.intro": {
        "fr": "Changez le montant, la durée ou le prix du bien : la mensualité suit au taux du dossier ({rate}). "
              "Rien n'est enregistré tant que vous ne consignez pas une décision.",
        "en": "Change the amount, the term or the price of the goods: the monthly payment follows at the file's rate "
              "({rate}). Nothing is recorded unless you record a decision.",
    },
    "whatif.intro_revolving": {
        "fr": "Crédit renouvelable : changez la limite ; la mensualité reste la même part de la limite. "
              "Rien n'est enregistré tant que vous ne consignez pas une décision.",
        "en": "Revolving credit: change the limit; the monthly payment stays the same share of it. "
              "Nothing is recorded unless you record a decision.",
    },
    "whatif.credit": {"fr": "Montant du crédit (€)", "en": "Credit amount (€)"},
    "whatif.months": {"fr": "Nombre de mensualités (mois)", "en": "Number of monthly instalments (months)"},
    "whatif.goods": {"fr": "Prix du bien financé (€)", "en": "Price of the goods (€)"},
    "whatif.reset": {"fr": "Revenir au dossier", "en": "Back to the file"},
    "whatif.apply_offer": {"fr": "Charger cette offre dans le simulateur", "en": "Load this offer into the simulator"},
    "whatif.bounds": {
        "fr": "Limites ({contract}, du 1er au 99e centile des {n} prêts accordés) : montant de {credit_low} à "
              "{credit_high}{months}{goods}.",
        "en": "Bounds ({contract}, 1st to 99th percentile of the {n} loans granted): amount from {credit_low} to "
              "{credit_high}{months}{goods}.",
    },
    "whatif.bounds_months": {"fr": " ; durée de {low} à {high} mois", "en": "; term from {low} to {high} months"},
    "whatif.bounds_goods": {"fr": " ; prix du bien de {low} à {high}", "en": "; goods price from {low} to {high}"},
    "whatif.term_source.estimator": {
        "fr": "durée estimée par le modèle des durées", "en": "term estimated by the loan-term model"},
    "whatif.term_source.product_rate": {
        "fr": "durée estimée au taux produit de {rate}", "en": "term estimated at the product rate of {rate}"},
    "whatif.no_bounds": {
        "fr": "Pas de simulation pour ce type de contrat : trop peu de prêts accordés pour en connaître les limites.",
        "en": "No simulation for this contract type: too few loans were granted to know its bounds.",
    },
    "whatif.col.item": {"fr": " ", "en": " "},
    "whatif.col.file": {"fr": "Dossier", "en": "File"},
    "whatif.col.simulated": {"fr": "Simulation", "en": "Simulation"},
    "whatif.col.difference": {"fr": "Écart", "en": "Difference"},
    "whatif.row.proba": {"fr": "Probabilité de défaut", "en": "Probability of default"},
    "whatif.row.decision": {"fr": "Décision du modèle", "en": "Model decision"},
    "whatif.row.grade": {"fr": "Note de risque", "en": "Risk grade"},
    "whatif.row.credit": {"fr": "Montant du crédit", "en": "Credit amount"},
    "whatif.row.months": {"fr": "Durée", "en": "Term"},
    "whatif.row.annuity": {"fr": "Mensualité", "en": "Monthly payment"},
    "whatif.row.down_payment": {"fr": "Apport (prix du bien − crédit)", "en": "Down payment (goods price − credit)"},
    "whatif.months_value": {"fr": "{n} mois", "en": "{n} months"},
    "whatif.points": {"fr": "{points} pt", "en": "{points} pt"},
    "whatif.same": {"fr": "inchangé", "en": "unchanged"},
    "whatif.changed_decision": {"fr": "change", "en": "changes"},
    "whatif.waterfall_title": {"fr": "Pourquoi ce score (simulation)", "en": "Why this score (simulation)"},
    "whatif.unchanged_note": {
        "fr": "Conditions du dossier : la simulation donne le score du dossier.",
        "en": "The file's own terms: the simulation gives the file's score.",
    },
    "whatif.error.missing": {"fr": "{field} : saisissez une valeur.", "en": "{field}: enter a value."},
    "whatif.error.malformed": {
        "fr": "{field} : saisissez un nombre (chiffres seulement, sans lettres).",
        "en": "{field}: enter a number (digits only, no letters).",
    },
    "whatif.error.malformed_months": {
        "fr": "{field} : saisissez un nombre entier de mois.", "en": "{field}: enter a whole number of months."},
    "whatif.error.bounds": {
        "fr": "{field} : hors des limites accordées par le prêteur ({low} à {high}). Aucun score n'est calculé.",
        "en": "{field}: outside what the lender grants ({low} to {high}). No score is computed.",
    },
    "whatif.error.unavailable": {
        "fr": "Simulation indisponible pour le moment : rechargez la page.",
        "en": "Simulation unavailable at the moment: reload the page.",
    },
    # --- counter-offer
    "whatif.offer.title": {"fr": "Ce qui pourrait changer la décision", "en": "What could change the decision"},
    "whatif.offer.found": {
        "fr": "Avec {credit} sur {months} mois (mensualité {annuity}{down}), le crédit serait accordé : "
              "probabilité {proba} pour un seuil de {threshold}.",
        "en": "With {credit} over {months} months (monthly payment {annuity}{down}), the credit would be granted: "
              "probability {proba} for a threshold of {threshold}.",
    },
    "whatif.offer.found_revolving": {
        "fr": "Avec une limite de {credit} (mensualité {annuity}), le crédit serait accordé : probabilité {proba} "
              "pour un seuil de {threshold}.",
        "en": "With a limit of {credit} (monthly payment {annuity}), the credit would be granted: probability "
              "{proba} for a threshold of {threshold}.",
    },
    "whatif.offer.down": {"fr": ", apport {amount}", "en": ", down payment {amount}"},
    "whatif.offer.none": {
        "fr": "Aucun prêt dans les limites accordées (montant plus bas, durée plus longue, apport plus grand) ne "
              "passe sous le seuil de {threshold} : le refus tient à {reasons}.",
        "en": "No loan within the bounds granted (a lower amount, a longer term, a larger down payment) falls "
              "below the threshold of {threshold}: the refusal rests on {reasons}.",
    },
    "whatif.offer.none_generic": {
        "fr": "l'ensemble du dossier, pas aux conditions du prêt", "en": "the file as a whole, not the loan's terms"},
    "whatif.offer.cannot_change": {
        "fr": "{labels}, que le client ne peut pas changer", "en": "{labels}, which the client cannot change"},
    "whatif.offer.and": {"fr": " et ", "en": " and "},
    "whatif.offer.granted": {
        "fr": "Le crédit est accordé aux conditions du dossier : pas de contre-proposition nécessaire.",
        "en": "The credit is granted on the file's terms: no counter-offer needed.",
    },
    # --- client letter (app/presenters/letter.py, app/components/letter_html.py, app/figures/letter_pdf.py)
    "letter.print": {"fr": "Lettre au client (imprimer)", "en": "Letter to the client (print)"},
    "letter.pdf": {"fr": "Lettre au client (PDF)", "en": "Letter to the client (PDF)"},
    "letter.print_button": {"fr": "Imprimer", "en": "Print"},
    "letter.title": {"fr": "Votre demande de crédit", "en": "Your credit application"},
    "letter.lender": {"fr": "Prêt à dépenser", "en": "Prêt à dépenser"},
    "letter.file": {"fr": "Dossier n° {client_id}", "en": "File no. {client_id}"},
    "letter.date": {"fr": "Le {date}", "en": "{date}"},
    "letter.granted": {
        "fr": "Nous avons le plaisir de vous informer que votre demande de crédit de {credit} est accordée.",
        "en": "We are pleased to inform you that your credit application for {credit} is granted.",
    },
    "letter.refused": {
        "fr": "Après examen, nous ne pouvons pas accorder votre demande de crédit de {credit} aux conditions "
              "demandées.",
        "en": "After review, we cannot grant your credit application for {credit} on the terms requested.",
    },
    "letter.score": {
        "fr": "Notre évaluation estime le risque de difficultés de remboursement à {proba} ; nous accordons les "
              "demandes dont le risque est inférieur à {threshold}.",
        "en": "Our assessment puts the risk of repayment difficulties at {proba}; we grant applications whose risk "
              "is below {threshold}.",
    },
    "letter.reasons_title": {"fr": "Les principales raisons", "en": "The main reasons"},
    "letter.reasons_intro_refused": {
        "fr": "Ce qui a le plus augmenté le risque estimé (en points de pourcentage) :",
        "en": "What raised the estimated risk the most (in percentage points):",
    },
    "letter.reasons_intro_granted": {
        "fr": "Ce qui a le plus diminué le risque estimé (en points de pourcentage) :",
        "en": "What lowered the estimated risk the most (in percentage points):",
    },
    "letter.reason_points": {"fr": "{points} points", "en": "{points} points"},
    "letter.can_act": {"fr": "vous pouvez agir dessus", "en": "you can act on it"},
    "letter.cannot_act": {"fr": "ne dépend pas du prêt demandé", "en": "does not depend on the loan requested"},
    "letter.no_reasons": {
        "fr": "Aucun élément ne se détache nettement.", "en": "No single element stands out clearly."},
    "letter.change_title": {"fr": "Ce qui pourrait changer la décision", "en": "What could change the decision"},
    "letter.rights_title": {"fr": "Vos droits", "en": "Your rights"},
    "letter.rights": {
        "fr": "Cette décision s'appuie sur un traitement automatisé. Vous avez le droit de demander qu'elle soit "
              "réexaminée par un conseiller, d'exprimer votre point de vue et de contester la décision : "
              "répondez à ce courrier ou adressez-vous à votre agence en citant votre numéro de dossier.",
        "en": "This decision relies on automated processing. You have the right to ask for it to be reviewed by a "
              "person, to express your point of view and to contest the decision: reply to this letter or contact "
              "your branch quoting your file number.",
    },
    "letter.model_ref": {
        "fr": "Référence de l'évaluation : modèle du {date}, version {version}.",
        "en": "Assessment reference: model of {date}, version {version}.",
    },
    "letter.footer": {
        "fr": "Prêt à dépenser — courrier établi le {date}", "en": "Prêt à dépenser — letter issued on {date}"},
    "letter.chart_title": {
        "fr": "Effet sur le risque estimé (points de pourcentage)", "en": "Effect on the estimated risk (percentage points)"},
    "letter.raises": {"fr": "augmente le risque", "en": "raises the risk"},
    "letter.lowers": {"fr": "diminue le risque", "en": "lowers the risk"},
    "letter.page_title": {"fr": "Lettre — dossier {client_id}", "en": "Letter — file {client_id}"},
    "letter.unknown": {"fr": "Dossier introuvable.", "en": "File not found."},
    "letter.unavailable": {
        "fr": "Lettre indisponible pour le moment : réessayez plus tard.",
        "en": "Letter unavailable at the moment: try again later.",
    },
}
