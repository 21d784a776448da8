"""``python scripts/fit_synth.py`` = ``credit-fit-synth`` (the code and its --help: app/cli/fit_synth.py).

Needs the project installed in the environment (``pip install -e .``, see the README); no sys.path edits.
"""
from app.cli.fit_synth import main

if __name__ == "__main__":
    raise SystemExit(main())
