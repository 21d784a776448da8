"""``python scripts/migrate.py`` = ``credit-migrate`` (the code and its --help: app/cli/migrate.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.migrate import main

if __name__ == "__main__":
    raise SystemExit(main())
