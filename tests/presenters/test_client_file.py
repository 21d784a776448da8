"""Client ids typed by people, the client file of a scored portfolio, distance to the threshold in words."""
import pytest

from app.presenters.client_file import (
    ClientIdError,
    distance_sentence,
    identity_facts,
    load_client_file,
    parse_client_id,
)
from app.scoring.bundle import ModelBundle
from app.scoring.portfolio import PortfolioStore


@pytest.mark.parametrize("raw, expected", [("100002", 100002), (" 42 ", 42), (7, 7)])
def test_valid_ids(raw, expected):
    assert parse_client_id(raw) == expected


@pytest.mark.parametrize("raw, code", [(None, "empty"), ("", "empty"), ("  ", "empty"), ("12e3", "malformed"),
                                       ("-1", "malformed"), ("1 000", "malformed"), ("１２", "malformed"),
                                       ("<script>", "malformed"), ("9" * 13, "malformed"), (True, "malformed"),
                                       ([1], "malformed"), (1.5, "malformed")])
def test_invalid_ids_say_why(raw, code):
    with pytest.raises(ClientIdError) as info:
        parse_client_id(raw)
    assert info.value.code == code


def test_distance_sentence():
    assert distance_sentence(0.062, 0.085, "fr") == "2,3 points sous le seuil de refus de 8,5\u00a0%"
    assert distance_sentence(0.10, 0.085, "en") == "1.5 points above the refusal threshold of 8.5%"


def test_load_client_file_matches_the_portfolio_and_adds_up(small_model_dir):
    out, _, labelled, new = small_model_dir
    bundle, store = ModelBundle.load(out), PortfolioStore.open(out / "portfolio.parquet", columns=["PROBA_DEFAULT", "IS_LABELLED", "TARGET"])
    client_id = int(labelled["SK_ID_CURR"].iloc[0])
    file = load_client_file(bundle, store, client_id)
    assert file.proba == pytest.approx(float(store.frame.loc[client_id, "PROBA_DEFAULT"]), abs=1e-5)
    assert file.steps["points"].sum() == pytest.approx(100 * (file.proba - file.explanation.base_proba), abs=1e-9)
    assert file.decision == ("refused" if file.proba >= bundle.threshold else "granted")
    assert file.outcome == int(labelled["TARGET"].iloc[0])
    assert load_client_file(bundle, store, int(new["SK_ID_CURR"].iloc[0])).outcome is None
    with pytest.raises(ClientIdError):
        load_client_file(bundle, store, 1)
    facts = dict(identity_facts(file.row, "fr"))
    assert facts["Âge"].endswith(" ans") and facts["Montant du crédit"].endswith("\u00a0€")
