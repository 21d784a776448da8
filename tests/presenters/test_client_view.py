"""Waterfall texts: no arrow on a step that rounds to 0, units from the catalog, language's numbers."""
from app.figures.waterfall import waterfall_figure
from app.presenters.client_view import step_text

TEXTS = {"base": "Base", "client": "Client", "threshold": "Seuil", "axis": "%"}


def test_step_texts_arrows_signs_and_language():
    assert step_text(2.04, "fr") == "\u25b2 +2,0 pts"
    assert step_text(-1.0, "en") == "\u25bc \u22121.0 pts"
    assert step_text(0.04, "fr") == "0,0 pts" and step_text(-0.049, "en") == "0.0 pts"


def test_waterfall_numbers_follow_the_language():
    args = (["a", "b", "c"], [2.0, -1.0, 0.01], ["h1", "h2", "h3"], 7.25, 8.26, 8.5)
    fr = waterfall_figure(*args, texts=TEXTS, lang="fr").data[0].text
    en = waterfall_figure(*args, texts=TEXTS, lang="en").data[0].text
    assert fr[0] == "7,2\u00a0%" or fr[0] == "7,3\u00a0%"
    assert en[0] in ("7.2%", "7.3%") and en[-1] == "8.3%"
    assert en[3] == "0.0 pts" and fr[3] == "0,0 pts"


def test_similarity_options_name_the_clients_own_values(small_model_dir):
    """The client file row carries the same derived columns as the filters (age band included)."""
    from app.presenters.client_file import load_client_file
    from app.presenters.client_view import similarity_options
    from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle
    from app.scoring.cohorts import add_derived_columns
    from app.scoring.portfolio import PortfolioStore

    out, _, labelled, _ = small_model_dir
    store = PortfolioStore.open(out / PORTFOLIO_FILE, columns=["DAYS_BIRTH", "IS_LABELLED", "TARGET"],
                                derive=add_derived_columns)
    client_id = int(labelled["SK_ID_CURR"].iloc[0])
    file = load_client_file(ModelBundle.load(out), store, client_id)
    band = str(store.frame.loc[client_id, "AGE_BAND"])
    assert file.row["AGE_BAND"] == band
    options = dict(similarity_options(file.row, "fr"))
    assert band in options["age_band"] and "—" not in options["age_band"]


def test_waterfall_axis_leaves_room_for_labels_but_no_negative_ticks():
    fig = waterfall_figure(["a", "b"], [-1.0, -0.5], ["h1", "h2"], 2.0, 0.5, 9.3, texts=TEXTS, lang="fr")
    low, high = fig.layout.xaxis.range
    assert low < 0 < 9.3 < high  # room left of 0 % for "▼ −0,5 pts", the threshold inside the plot
    assert min(fig.layout.xaxis.tickvals) == 0 and max(fig.layout.xaxis.tickvals) <= high
