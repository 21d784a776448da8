"""Alembic revisions of the app's database (run by ``app.security.schema``, never by hand-written SQL).

One revision per schema change, from the baseline (the schema of the code before migrations existed)
onwards. Add one with ``python -m app.cli.migrate revision -m "what changes"`` after editing
``app/security/db.py``; ``tests/security/test_migrations.py`` fails while the two disagree.
"""
