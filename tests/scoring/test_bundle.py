"""Loading a model folder: the card's checksums are checked, damaged files give one clear error."""
import json
import logging
import shutil

import pytest

from app.config import DEFAULT_MODEL_DIR
from app.scoring.bundle import (
    CARD_FILE,
    CHECKSUMS,
    MODEL_FILE,
    ModelBundle,
    ModelFileError,
    file_sha256,
)
from app.scoring.model_card import FORMAT_VERSION


@pytest.fixture
def folder(small_model_dir, tmp_path):
    """A copy of the trained folder, free to damage."""
    out, _, _, _ = small_model_dir
    copy = tmp_path / "model"
    shutil.copytree(out, copy)
    return copy


def _edit_card(folder, change):
    card = json.loads((folder / CARD_FILE).read_text())
    change(card)
    (folder / CARD_FILE).write_text(json.dumps(card))


def test_training_records_the_checksum_of_the_model_file(small_model_dir):
    out, card, _, _ = small_model_dir
    assert card.checksums == {MODEL_FILE: file_sha256(out / MODEL_FILE)}
    assert json.loads((out / CARD_FILE).read_text())[CHECKSUMS] == card.checksums


def test_a_truncated_model_file_is_refused_naming_it(folder):
    data = (folder / MODEL_FILE).read_bytes()
    (folder / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=rf"{MODEL_FILE} does not match the SHA-256 recorded in {CARD_FILE}"):
        ModelBundle.load(folder)


def test_a_card_that_is_not_a_json_object_is_refused_naming_it(folder):
    (folder / CARD_FILE).write_text('{"calibration": {"slope": 1')
    with pytest.raises(ModelFileError, match=rf"{CARD_FILE} is not a valid model card"):
        ModelBundle.load(folder)
    (folder / CARD_FILE).write_text("[]")
    with pytest.raises(ModelFileError, match="not a JSON object"):
        ModelBundle.load(folder)


def test_a_card_lacking_an_entry_is_refused_naming_it(folder):
    _edit_card(folder, lambda card: card.pop("calibration"))
    with pytest.raises(ModelFileError, match=rf"{CARD_FILE} is not a valid model card: the model card lacks "
                                             r"'calibration'; copy the model folder again or retrain"):
        ModelBundle.load(folder)


def test_a_card_with_a_renamed_nested_entry_is_refused_naming_it(folder):
    """A renamed key used to blank a table cell of the model page; now the folder is refused."""
    _edit_card(folder, lambda card: card["data_fingerprint"]["labelled"].update(
        {"hash": card["data_fingerprint"]["labelled"].pop("sha256")}))
    with pytest.raises(ModelFileError, match=r"lacks 'data_fingerprint\.labelled\.sha256'"):
        ModelBundle.load(folder)


def test_a_card_of_a_future_format_is_refused_saying_so(folder):
    _edit_card(folder, lambda card: card.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ModelFileError, match=rf"{CARD_FILE}: the model card is of format version "
                                             rf"{FORMAT_VERSION + 1}, this dashboard reads version 1, 2: update"):
        ModelBundle.load(folder)


def test_a_card_naming_an_unknown_model_file_is_refused(folder):
    _edit_card(folder, lambda card: card.update({CHECKSUMS: {"../elsewhere": "0"}}))
    with pytest.raises(ModelFileError, match="malformed 'checksums' entry"):
        ModelBundle.load(folder)


def test_a_card_without_checksums_loads_with_a_warning_and_a_damaged_file_still_fails(folder, caplog):
    """Cards written before checksums were recorded stay loadable; CatBoost's own error is still caught."""
    _edit_card(folder, lambda card: card.pop(CHECKSUMS))
    with caplog.at_level(logging.WARNING, logger="app.scoring.bundle"):
        assert ModelBundle.load(folder).threshold > 0
    assert "records no checksums" in caplog.text and "loaded unverified" in caplog.text
    (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes()[:1000])
    with pytest.raises(ModelFileError, match=rf"{MODEL_FILE} cannot be read as a CatBoost model"):
        ModelBundle.load(folder)


def test_committed_demo_card_records_the_committed_model_file(caplog):
    card = json.loads((DEFAULT_MODEL_DIR / CARD_FILE).read_text())
    assert card[CHECKSUMS] == {MODEL_FILE: file_sha256(DEFAULT_MODEL_DIR / MODEL_FILE)}
    with caplog.at_level(logging.WARNING, logger="app.scoring.bundle"):
        bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    assert "checksums" not in caplog.text
    assert bundle.card.checksums == card[CHECKSUMS] and bundle.card.format_version == 2


def test_a_model_whose_trees_cannot_be_explained_is_refused_naming_its_file(folder):
    """A hand-made folder with non-oblivious trees (``scripts/train.py`` never makes one): one clear
    error when the explanations are first needed, of the kind start-up and ``/healthz`` handle."""
    import numpy as np
    from catboost import CatBoostClassifier

    bundle = ModelBundle.load(folder)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    depthwise = CatBoostClassifier(iterations=5, depth=3, grow_policy="Depthwise", verbose=False,
                                   allow_writing_files=False, thread_count=1).fit(X, X[:, 0] > 0)
    forged = ModelBundle(**{**bundle.__dict__, "model": depthwise})
    with pytest.raises(ModelFileError, match=rf"{MODEL_FILE} cannot be explained: .*oblivious"):
        _ = forged.explainer
