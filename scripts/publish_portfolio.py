"""``python scripts/publish_portfolio.py`` = ``credit-publish-portfolio`` (the code and its --help: app/cli/publish_portfolio.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.publish_portfolio import main

if __name__ == "__main__":
    raise SystemExit(main())
