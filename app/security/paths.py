"""The security layer's own URL paths, defined once (the access hook, the routes and the shell use them)."""
from __future__ import annotations

CALLBACK_PATH = "/_dash-update-component"
STATUS_PATH = "/auth/status"  # 204 when signed in: the session guard's probe (assets/session_guard.js)
RESUMED_PATH = "/auth/resumed"  # "you are signed in again, go back to your tab"
RELOGIN_HREF = f"/login?next={RESUMED_PATH}"  # the session banner's link (opens in a new tab)
USER_HEADER = "X-Credit-User"  # the user tag a page was built for, sent with each callback by the session guard
