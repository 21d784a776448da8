"""``python scripts/generate_portfolio.py`` = ``credit-generate-portfolio`` (the code and its --help: app/cli/generate_portfolio.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.generate_portfolio import main

if __name__ == "__main__":
    raise SystemExit(main())
