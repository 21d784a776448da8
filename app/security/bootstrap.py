"""First accounts: an admin from ADMIN_USERNAME/ADMIN_PASSWORD, demo accounts in development.

No password ships with the code. The env admin is created once (an existing account is never
overwritten from the environment, so rotating ADMIN_PASSWORD does not silently reset it: use
``scripts/manage_users.py reset-password``). Demo accounts exist only in development
(``python -m app``), with random passwords printed once on the console, never logged.
"""
from __future__ import annotations

import secrets
import sys
from collections.abc import Callable

from sqlalchemy.engine import Engine

from app.config import Settings
from app.security.access import Role
from app.security.accounts import create_user, user_exists
from app.security.logs import log_event

DEMO_ROLES = (("officer", Role.OFFICER), ("manager", Role.MANAGER), ("admin", Role.ADMIN))


def ensure_env_admin(engine: Engine, settings: Settings) -> bool:
    """Create the admin named by ADMIN_USERNAME with ADMIN_PASSWORD if absent; True if created."""
    if not settings.admin_username:
        return False
    if user_exists(engine, settings.admin_username):
        return False
    if not settings.admin_password:
        raise ValueError("ADMIN_USERNAME is set but ADMIN_PASSWORD is empty: set both to create the first admin")
    create_user(engine, settings.admin_username, settings.admin_password, Role.ADMIN.value)
    log_event("admin_created", username=settings.admin_username.strip().lower())
    return True


def ensure_demo_accounts(engine: Engine, settings: Settings,
                         out: Callable[[str], None] = lambda s: print(s, file=sys.stderr)) -> dict[str, str]:
    """Development only: create "officer", "manager" and "admin" with random passwords, printed once.

    Returns the passwords created (empty when they already existed or in production).
    """
    if settings.is_production:
        return {}
    created: dict[str, str] = {}
    for username, role in DEMO_ROLES:
        if user_exists(engine, username):
            out(f"[demo] account {username!r} exists; new password: "
                f"python scripts/manage_users.py reset-password {username}")
            continue
        password = secrets.token_urlsafe(12)
        create_user(engine, username, password, role.value)
        created[username] = password
        out(f"[demo] created account {username!r} (role {role.value}) with password: {password}  (shown once)")
    return created
