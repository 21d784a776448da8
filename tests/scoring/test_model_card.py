"""The model card parsed once into frozen dataclasses: round trip, the committed card, loud failures."""
import dataclasses
import json

import pytest

from app.config import DEFAULT_MODEL_DIR
from app.scoring.artefacts import ArtefactError, FormatVersionError
from app.scoring.bundle import CARD_FILE
from app.scoring.model_card import FORMAT_VERSION, ModelCard
from tests.factories import make_model_card, model_card_dict


def test_the_committed_demo_card_parses_and_writes_back_the_same_json():
    text = (DEFAULT_MODEL_DIR / CARD_FILE).read_text(encoding="utf-8")
    card = ModelCard.from_dict(json.loads(text))
    assert card.format_version == FORMAT_VERSION == 2
    written = json.dumps(card.to_dict(), indent=1, ensure_ascii=False)
    assert written == json.dumps(json.loads(text), indent=1, ensure_ascii=False)


def _version_1(card: dict) -> dict:
    """The demo card as format 1 wrote it: no exclusions nor directions in its features."""
    card["format_version"] = 1
    for key in ("excluded", "monotone"):
        card["features"].pop(key, None)
    return card


def test_an_unversioned_card_is_version_1():
    """Cards written before the format was versioned have the same layout: writing one back only adds it."""
    unversioned = {k: v for k, v in _version_1(model_card_dict()).items() if k != "format_version"}
    card = ModelCard.from_dict(unversioned)
    assert card.format_version == 1
    assert card.to_dict() == {"format_version": 1, **unversioned}


def test_typed_entries_of_the_demo_card():
    card = make_model_card()
    assert card.decision.costs.cost_fn == 5000.0 and card.config.n_folds == 5  # euros
    assert card.features.term_model is None and card.data_fingerprint.new.rows == 8000
    assert [row.group for row in card.fairness["gender"]] == ["F", "M"]
    assert card.metrics.cross_validated.roc_auc == pytest.approx(0.7515341034370078)
    assert set(card.baselines) == {"dummy", "logistic_regression"}


def test_round_trip_of_a_card_with_every_optional_part():
    term = {"file": "term_model.cbm", "trained_on": 1500, "mae_months": 0.9, "source": "previous_application"}

    def edit(card):
        card["features"]["term_model"] = term
        card["data_fingerprint"]["new"] = None
        card["source"] = {"kind": "home-credit", "files": {"application_train": {"name": "a.csv", "sha256": "ab"}}}
        card["model"].pop("pipeline_seconds")

    card = make_model_card(edit)
    assert card.features.term_model.trained_on == 1500 and card.model.pipeline_seconds is None
    assert ModelCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    assert list(card.to_dict()["features"]) == ["version", "names", "categorical", "engineered", "term_model",
                                               "protected_excluded", "excluded", "monotone"]  # as training writes it


def test_the_card_cannot_be_changed_by_a_reader():
    card = make_model_card()
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.decision.threshold = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        card.model.params["depth"] = 12  # type: ignore[index]
    assert isinstance(card.features.names, tuple)


@pytest.mark.parametrize("edit, entry", [
    (lambda c: c.pop("decision"), "'decision'"),
    (lambda c: c["decision"].pop("threshold"), "'decision.threshold'"),
    (lambda c: c["decision"]["costs"].update(fn=c["decision"]["costs"].pop("cost_fn")), "'decision.costs.cost_fn'"),
    (lambda c: c["calibration"]["reliability"][2].pop("count"), "'calibration.reliability[2].count'"),
    (lambda c: c["fairness"]["age_band"][0].pop("four_fifths_ok"), "'fairness.age_band[0].four_fifths_ok'"),
    (lambda c: c["metrics"]["cross_validated"].pop("ece"), "'metrics.cross_validated.ece'"),
])
def test_a_missing_or_renamed_entry_fails_naming_it(edit, entry):
    card = model_card_dict()
    edit(card)
    with pytest.raises(ArtefactError, match=rf"^the model card lacks {entry}$".replace("[", r"\[").replace("]", r"\]")):
        ModelCard.from_dict(card)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["decision"].update(threshold="0.1"), "'decision.threshold' is str, expected a number"),
    (lambda c: c["config"].update(n_folds=True), "'config.n_folds' is bool, expected an integer"),
    (lambda c: c["features"].update(names="AGE"), "'features.names' is str, expected a list"),
    (lambda c: c["features"]["names"].append(3), "'features.names' holds a value that is not a text"),
    (lambda c: c["decision"]["costs"].update(cost_fp=0), "'decision.costs' is invalid: costs must be positive"),
    (lambda c: c.update(checksums={"model.cbm": None}), "'checksums' holds a value that is not a text"),
])
def test_an_entry_of_the_wrong_type_fails_naming_it(edit, message):
    card = model_card_dict()
    edit(card)
    with pytest.raises(ArtefactError, match=message.replace("(", r"\(")):
        ModelCard.from_dict(card)


def test_an_unknown_format_version_is_refused_with_what_to_do():
    card = model_card_dict()
    card["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(FormatVersionError, match=rf"format version {FORMAT_VERSION + 1}, this dashboard reads "
                                                 r"version 1, 2: update the dashboard, or retrain"):
        ModelCard.from_dict(card)
    card["format_version"] = "1"
    with pytest.raises(FormatVersionError, match="'format_version' is str, expected an integer"):
        ModelCard.from_dict(card)


def _version_2(card: dict) -> dict:
    card["format_version"] = 2
    card["features"]["excluded"] = ["DEF_30_CNT_SOCIAL_CIRCLE"]
    card["features"]["monotone"] = {"EXT_SOURCE_1": -1, "ANNUITY_INCOME_RATIO": 1}
    return card


def test_a_version_2_card_records_exclusions_and_directions_and_round_trips():
    card = ModelCard.from_dict(_version_2(model_card_dict()))
    assert card.features.excluded == ("DEF_30_CNT_SOCIAL_CIRCLE",)
    assert dict(card.features.monotone) == {"EXT_SOURCE_1": -1, "ANNUITY_INCOME_RATIO": 1}
    assert card.features.all_excluded[-1] == "DEF_30_CNT_SOCIAL_CIRCLE"
    assert ModelCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    assert list(card.to_dict()["features"])[-2:] == ["excluded", "monotone"]


def test_a_version_1_card_reads_as_no_exclusion_and_no_direction():
    card = make_model_card(_version_1)
    assert card.format_version == 1 and card.features.excluded == () and dict(card.features.monotone) == {}
    assert card.features.all_excluded == card.features.protected_excluded
    assert "excluded" not in card.to_dict()["features"]


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["features"].pop("excluded"), "lacks 'features.excluded'"),
    (lambda c: c["features"].pop("monotone"), "lacks 'features.monotone'"),
    (lambda c: c["features"]["monotone"].update(EXT_SOURCE_1=0), "'features.monotone.EXT_SOURCE_1' must be -1 or 1"),
])
def test_a_version_2_card_without_its_entries_is_refused(edit, message):
    card = _version_2(model_card_dict())
    edit(card)
    with pytest.raises(ArtefactError, match=message):
        ModelCard.from_dict(card)


def test_a_card_that_is_not_an_object_is_refused():
    with pytest.raises(ArtefactError, match="not a JSON object"):
        ModelCard.from_dict([])


TRACKING = {"uri": "sqlite:////srv/mlruns/mlflow.db", "experiment": "credit-default-training",
            "run_id": "0123456789abcdef0123456789abcdef", "registered_model": "credit-default-catboost", "version": 3}


def test_a_card_without_tracking_reads_as_not_tracked_and_one_with_it_round_trips():
    assert make_model_card(lambda c: c.pop("tracking", None)).tracking is None  # trained untracked, or before tracking
    card = make_model_card(lambda c: c.__setitem__("tracking", dict(TRACKING)))
    assert card.tracking.run_id == TRACKING["run_id"] and card.tracking.version == 3
    assert card.to_dict()["tracking"] == TRACKING and card.format_version == FORMAT_VERSION  # optional: no new version
    assert ModelCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.tracking.version = 4  # type: ignore[misc]


def test_a_tracking_entry_without_its_version_is_refused_naming_it():
    with pytest.raises(ArtefactError, match="tracking.version"):
        make_model_card(lambda c: c.__setitem__("tracking", {k: v for k, v in TRACKING.items() if k != "version"}))


def test_the_sections_keep_their_import_path_after_the_split():
    from app.scoring import card_provenance, model_card

    for name in ("Source", "SourceFile", "TableFingerprint", "DataFingerprint", "TrainingConfig", "TermModelInfo",
                 "Features", "ModelInfo", "Tracking"):
        assert getattr(model_card, name) is getattr(card_provenance, name)
