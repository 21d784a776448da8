"""Client table rows and CSV export: readable headers, units, formula-injection protection."""
import io

import numpy as np
import pandas as pd

from app.presenters.group_export import export_frame, headers, protect_cell, table_records, to_csv_bytes
from tests.scoring.test_groups import served_frame


def test_protect_cell():
    for risky in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"):
        assert protect_cell(risky) == "'" + risky
    assert protect_cell("Working") == "Working" and protect_cell(-5.0) == -5.0 and protect_cell(None) is None
    assert protect_cell(protect_cell("=1")) == "'=1"


def test_export_headers_values_and_injection():
    rows = served_frame(100).iloc[[0, 1, 59, 60]].copy()
    rows["NAME_INCOME_TYPE"] = pd.Categorical(["=cmd|' /C calc'!A0", "Working", "Pensioner", "@evil"])
    rows.loc[rows.index[1], "AMT_CREDIT"] = np.nan
    out = export_frame(rows, "fr")
    assert list(out.columns) == list(headers("fr").values())
    assert "Montant du crédit (€)" in out.columns and "Probabilité de défaut (%)" in out.columns
    assert out["Type de revenu"].tolist() == ["'=cmd|' /C calc'!A0", "Salarié", "Retraité", "'@evil"]
    assert out["Décision du modèle"].isin(["accordé", "refusé"]).all()
    assert out["Issue du crédit"].iloc[3] == "Inconnue (nouvelle demande)"
    assert out["Identifiant client"].tolist() == rows.index.tolist()
    assert out["Probabilité de défaut (%)"].iloc[0] == round(float(rows["PROBA_DEFAULT"].iloc[0]) * 100, 1)
    text = to_csv_bytes(out, "fr").decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert back["Identifiant client"].tolist() == rows.index.tolist()
    assert back["Montant du crédit (€)"].isna().iloc[1]
    for line in text.splitlines()[1:]:
        assert not any(cell.startswith(("=", "+", "@", "-")) for cell in line.split(";"))
    en = to_csv_bytes(export_frame(rows, "en"), "en").decode("utf-8-sig")
    assert en.splitlines()[0].startswith("Client id,Age (years),Income type")


def test_table_records_link_each_client_and_show_units():
    rows = served_frame(30).iloc[:2]
    records = table_records(rows, "fr")
    first_id = int(rows.index[0])
    assert records[0]["SK_ID_CURR"] == f"[{first_id}](/client/{first_id})"
    assert records[0]["AMT_CREDIT"].endswith("\u00a0€") and records[0]["PROBA_DEFAULT"].endswith("\u00a0%")
    assert table_records(rows, "en")[0]["AMT_CREDIT"].startswith("€")


def test_table_records_in_english_and_missing_values():
    rows = served_frame(30).iloc[:2].copy()
    rows.loc[rows.index[1], ["AMT_CREDIT", "PROBA_DEFAULT", "AGE_YEARS"]] = np.nan
    rows["NAME_INCOME_TYPE"] = pd.Categorical(["MISSING", "Working"])
    english, french = table_records(rows, "en"), table_records(rows, "fr")
    proba = float(rows["PROBA_DEFAULT"].iloc[0]) * 100
    assert english[0]["PROBA_DEFAULT"] == f"{proba:.1f}%"
    assert french[0]["PROBA_DEFAULT"] == f"{proba:.1f}".replace(".", ",") + "\u00a0%"
    assert "\u00a0" not in english[0]["AMT_CREDIT"] and "," in english[0]["AMT_CREDIT"]
    for records in (english, french):
        assert records[1]["AMT_CREDIT"] == records[1]["PROBA_DEFAULT"] == records[1]["AGE_YEARS"] == "—"
        assert records[0]["NAME_INCOME_TYPE"] == "—"  # the model's missing category, not "MISSING"
    assert french[1]["NAME_INCOME_TYPE"] == "Salarié" and english[1]["NAME_INCOME_TYPE"] == "Working"
