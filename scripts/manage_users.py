"""``python scripts/manage_users.py`` = ``credit-manage-users`` (the code and its --help: app/cli/manage_users.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.manage_users import main

if __name__ == "__main__":
    raise SystemExit(main())
