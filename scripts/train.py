"""``python scripts/train.py`` = ``credit-train`` (the code and its --help: app/cli/train.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.train import main

if __name__ == "__main__":
    raise SystemExit(main())
