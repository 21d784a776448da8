"""``python scripts/drift_report.py`` = ``credit-drift-report`` (the code and its --help: app/cli/drift_report.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.drift_report import main

if __name__ == "__main__":
    raise SystemExit(main())
