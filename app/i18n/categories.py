"""Category levels of the data translated for reading; data, not sentences."""
from __future__ import annotations

#: Category levels of the data an officer reads often, translated (language -> column -> raw level ->
#: shown text); any other level is shown as it is. Data, not sentences: used through
#: ``app.presenters.formatting.category_label``.
CATEGORY_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
        "NAME_CONTRACT_TYPE": {
            "Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable",
        },
        "CODE_GENDER": {"F": "Femme", "M": "Homme"},
        "NAME_INCOME_TYPE": {
            "Working": "Salarié", "Commercial associate": "Associé commercial",
            "Pensioner": "Retraité", "State servant": "Fonctionnaire", "Student": "Étudiant",
            "Unemployed": "Sans emploi", "Businessman": "Chef d'entreprise",
            "Maternity leave": "Congé maternité",
        },
        "NAME_EDUCATION_TYPE": {
            "Secondary / secondary special": "Secondaire", "Higher education": "Supérieur",
            "Incomplete higher": "Supérieur inachevé", "Lower secondary": "Collège",
            "Academic degree": "Doctorat",
        },
        "NAME_FAMILY_STATUS": {
            "Married": "Marié(e)", "Single / not married": "Célibataire",
            "Civil marriage": "Union libre", "Separated": "Séparé(e)", "Widow": "Veuf / veuve",
            "Unknown": "Inconnue",
        },
        "NAME_HOUSING_TYPE": {
            "House / apartment": "Maison / appartement", "Rented apartment": "Location",
            "With parents": "Chez les parents", "Municipal apartment": "Logement social",
            "Office apartment": "Logement de fonction", "Co-op apartment": "Logement coopératif",
        },
        "NAME_TYPE_SUITE": {
            "Unaccompanied": "Seul(e)", "Family": "Famille", "Spouse, partner": "Conjoint(e)",
            "Children": "Enfants", "Group of people": "Groupe", "Other_A": "Autre", "Other_B": "Autre",
        },
        "WEEKDAY_APPR_PROCESS_START": {
            "MONDAY": "Lundi", "TUESDAY": "Mardi", "WEDNESDAY": "Mercredi", "THURSDAY": "Jeudi",
            "FRIDAY": "Vendredi", "SATURDAY": "Samedi", "SUNDAY": "Dimanche",
        },
    },
    "en": {
        "CODE_GENDER": {"F": "Female", "M": "Male"},
        "WEEKDAY_APPR_PROCESS_START": {
            day: day.capitalize()
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        },
    },
}

