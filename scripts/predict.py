"""``python scripts/predict.py`` = ``credit-predict`` (the code and its --help: app/cli/predict.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.predict import main

if __name__ == "__main__":
    raise SystemExit(main())
