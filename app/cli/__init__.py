"""The command-line tools (``[project.scripts]`` in pyproject.toml, e.g. ``credit-train``).

Each module has a ``main(argv=None) -> int``; ``scripts/<name>.py`` runs the same ``main`` for
``python scripts/<name>.py``. They import ``app`` like any installed package: no ``sys.path`` edits.
"""
