"""``python scripts/record_outcomes.py`` = ``credit-record-outcomes`` (the code and its --help: app/cli/record_outcomes.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.record_outcomes import main

if __name__ == "__main__":
    raise SystemExit(main())
