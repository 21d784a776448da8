"""Security layer: accounts and roles, access control, audit trail, decision log.

Public API for pages (one-line calls):

* ``audit(action, target, details=None)``: record a client-file view or an export by the logged-in
  user (``audit(VIEW_CLIENT, client_id)``, ``audit(EXPORT, "portfolio", {"filter": ...})``);
  no-op returning False outside a request.
* ``current_username()`` / ``current_account()``: who is logged in (None outside a request).
* A page's required role: ``role=`` in its ``dash.register_page`` call (area = first path segment
  = component-id prefix; ``app.navigation.access_table``). Enforcement is server-side for pages and
  every Dash callback.
* Decision log: ``app.components.decision_log.DecisionPanel(client_id, model_decision)``; domain
  functions in ``app.security.decisions``.
"""
from app.security.access import Role, role_allows
from app.security.audit import EXPORT, VIEW_CLIENT, audit
from app.security.web import current_account, current_engine, current_username, init_security

__all__ = [
    "EXPORT", "Role", "VIEW_CLIENT", "audit", "current_account", "current_engine",
    "current_username", "init_security", "role_allows",
]
