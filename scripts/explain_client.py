"""``python scripts/explain_client.py`` = ``credit-explain-client`` (the code and its --help: app/cli/explain_client.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.explain_client import main

if __name__ == "__main__":
    raise SystemExit(main())
