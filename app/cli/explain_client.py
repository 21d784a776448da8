"""Write one client's explanation — decision, reasons, counter-offer — as JSON, or their letter as HTML or PDF.

    python scripts/explain_client.py --model-dir model/demo --client-id 1000008 --format json --output out.json

The same explanation as the client file and its letter (``app.presenters.explanation``), for batch
letters. The JSON holds ``client_id``, ``proba_default``, ``decision`` (granted / refused), ``grade``,
``threshold``, ``reasons`` (each ``{concept, label, points, actionable, features, value}``: the
principal reasons pointing the way of the decision, in percentage points; until reasons are grouped
by concept, a reason's concept is the model input itself and ``features`` that one input),
``application`` (the client's row with the Home Credit column names), ``counter_offer`` (``null``
with ``counter_offer_reason`` — "granted", "none_in_bounds" or "no_bounds" — else ``{changes:
{COLUMN: new value}, months, proba_default, decision, cost}``) and ``counter_offer_text``.
Texts follow ``--lang``. An unknown client id is one ``error:`` line and exit code 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.paths import file_problem
from app.config import get_settings
from app.presenters.client_file import ClientIdError, load_client_file, parse_client_id
from app.scoring.bundle import ModelNotFoundError

FORMATS = ("json", "html", "pdf")


def _client_id(text: str) -> int:
    try:
        return parse_client_id(text)
    except ClientIdError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a client id (digits only)") from None


def render(model_dir: Path, client_id: int, fmt: str, lang: str) -> bytes:
    """The explanation of ``client_id`` in ``fmt``; ``ClientIdError`` when the portfolio has no such client."""
    from app.presenters.explanation import client_letter, explanation_dict, offer_for
    from app.resources import ServedModel  # the dashboard's loader (rebuilds the demo portfolio if needed)
    from app.scoring.whatif import granted_loans, loan_case, portfolio_bounds

    model = ServedModel(model_dir)
    bundle, store = model.bundle, model.local_portfolio
    if client_id not in store:
        raise ClientIdError("unknown", client_id)
    file = load_client_file(bundle, store, client_id)
    case = loan_case(bundle, store.client_row(client_id), portfolio_bounds(bundle, granted_loans(store.frame)))
    offer = offer_for(bundle, file, case)
    if fmt == "json":
        text = json.dumps(explanation_dict(bundle, file, case, offer, lang, model.reference), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")
    letter = client_letter(bundle, file, case, offer, lang, model.reference)
    if fmt == "html":
        from app.i18n import translate
        from app.presenters.letter_html import letter_html

        return letter_html(letter, translate("letter.print_button", lang)).encode("utf-8")
    from app.figures.letter_pdf import letter_pdf

    return letter_pdf(letter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=get_settings().model_dir,
                        help="servable model folder, with its portfolio (default: CREDIT_MODEL_DIR, %(default)s)")
    parser.add_argument("--client-id", type=_client_id, required=True, help="SK_ID_CURR of a client of the portfolio")
    parser.add_argument("--format", choices=FORMATS, default="json", help="json, html (print-ready letter) or pdf")
    parser.add_argument("--output", type=Path, required=True, help="file to write (its folder must exist)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the texts (default: fr)")
    args = parser.parse_args(argv)
    problem = file_problem(args.output, "--output") or (
        None if args.output.parent.is_dir() else f"--output {args.output}: folder {args.output.parent} does not exist")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        content = render(args.model_dir, args.client_id, args.format, args.lang)
    except ClientIdError:
        print(f"error: no client {args.client_id} in the portfolio of {args.model_dir}", file=sys.stderr)
        return 2
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        args.output.write_bytes(content)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"client {args.client_id}: {args.format} explanation -> {args.output}")
    return 0
