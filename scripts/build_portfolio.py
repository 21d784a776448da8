"""``python scripts/build_portfolio.py`` = ``credit-build-portfolio`` (the code and its --help: app/cli/build_portfolio.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.build_portfolio import main

if __name__ == "__main__":
    raise SystemExit(main())
