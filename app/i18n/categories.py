"""Category levels of the data translated for reading; data, not sentences.

Every level of every categorical column of the application schema has a French text (a French
officer reads "Ouvriers" aloud, not "Laborers"; ``tests/test_categories.py`` checks each level). The
English texts are the data's own, except where the raw level is a code ("F", "Y", "MONDAY").
"""
from __future__ import annotations

#: Category levels of the data an officer reads often, translated (language -> column -> raw level ->
#: shown text); any other level is shown as it is. Data, not sentences: used through
#: ``app.presenters.formatting.category_label``.
CATEGORY_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
        "NAME_CONTRACT_TYPE": {
            "Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable",
        },
        "CODE_GENDER": {"F": "Femme", "M": "Homme", "XNA": "Non renseigné"},
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
        "OCCUPATION_TYPE": {
            "Accountants": "Comptables", "Cleaning staff": "Personnel de nettoyage",
            "Cooking staff": "Personnel de cuisine", "Core staff": "Employés", "Drivers": "Chauffeurs",
            "HR staff": "Ressources humaines", "High skill tech staff": "Techniciens qualifiés",
            "IT staff": "Informaticiens", "Laborers": "Ouvriers", "Low-skill Laborers": "Ouvriers non qualifiés",
            "Managers": "Cadres dirigeants", "Medicine staff": "Personnel médical",
            "Private service staff": "Services à la personne", "Realty agents": "Agents immobiliers",
            "Sales staff": "Commerciaux", "Secretaries": "Secrétaires", "Security staff": "Agents de sécurité",
            "Waiters/barmen staff": "Serveurs et barmans",
        },
        "ORGANIZATION_TYPE": {
            "Advertising": "Publicité", "Agriculture": "Agriculture", "Bank": "Banque",
            **{f"Business Entity Type {i}": f"Entreprise, type {i}" for i in (1, 2, 3)},
            "Cleaning": "Nettoyage", "Construction": "Bâtiment", "Culture": "Culture", "Electricity": "Électricité",
            "Emergency": "Services d'urgence", "Government": "Administration", "Hotel": "Hôtellerie",
            "Housing": "Logement", **{f"Industry: type {i}": f"Industrie, type {i}" for i in range(1, 14)},
            "Insurance": "Assurance", "Kindergarten": "Petite enfance", "Legal Services": "Services juridiques",
            "Medicine": "Santé", "Military": "Armée", "Mobile": "Téléphonie mobile", "Other": "Autre",
            "Police": "Police", "Postal": "Poste", "Realtor": "Immobilier", "Religion": "Culte",
            "Restaurant": "Restauration", "School": "Enseignement scolaire", "Security": "Sécurité",
            "Security Ministries": "Ministères de la sécurité", "Self-employed": "Indépendant",
            "Services": "Services", "Telecom": "Télécommunications",
            **{f"Trade: type {i}": f"Commerce, type {i}" for i in range(1, 8)},
            **{f"Transport: type {i}": f"Transport, type {i}" for i in range(1, 5)},
            "University": "Enseignement supérieur", "XNA": "Non renseigné",
        },
        "FONDKAPREMONT_MODE": {
            "not specified": "Non précisé", "org spec account": "Compte spécial de l'organisme",
            "reg oper account": "Compte de l'opérateur régional", "reg oper spec account": "Compte spécial de l'opérateur régional",
        },
        "HOUSETYPE_MODE": {
            "block of flats": "Immeuble collectif", "specific housing": "Logement spécifique",
            "terraced house": "Maison mitoyenne",
        },
        "WALLSMATERIAL_MODE": {
            "Block": "Parpaing", "Mixed": "Mixte", "Monolithic": "Béton monolithique", "Others": "Autres",
            "Panel": "Panneaux préfabriqués", "Stone, brick": "Pierre, brique", "Wooden": "Bois",
        },
        "EMERGENCYSTATE_MODE": {"No": "Non", "Yes": "Oui"},
        "FLAG_OWN_CAR": {"N": "Non", "Y": "Oui"},
        "FLAG_OWN_REALTY": {"N": "Non", "Y": "Oui"},
        "WEEKDAY_APPR_PROCESS_START": {
            "MONDAY": "Lundi", "TUESDAY": "Mardi", "WEDNESDAY": "Mercredi", "THURSDAY": "Jeudi",
            "FRIDAY": "Vendredi", "SATURDAY": "Samedi", "SUNDAY": "Dimanche",
        },
    },
    "en": {
        "CODE_GENDER": {"F": "Female", "M": "Male", "XNA": "Not provided"},
        "FLAG_OWN_CAR": {"N": "No", "Y": "Yes"},
        "FLAG_OWN_REALTY": {"N": "No", "Y": "Yes"},
        "WEEKDAY_APPR_PROCESS_START": {
            day: day.capitalize()
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        },
    },
}

