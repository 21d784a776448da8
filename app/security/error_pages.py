"""The app's own "page not found" (404) and "access refused" (403) pages, server-rendered.

They answer before Dash runs (from the access hook), so their status codes are true, and they
keep the navigation a signed-in user needs to go on working: the links their role may open,
the language switch and the sign-out button, in the reader's language.
"""
from __future__ import annotations

import flask

from app.i18n import translate
from app.navigation import nav_links
from app.ui import current_language

NOT_FOUND_BODY = """<h1 class="h4 mb-3">{{ translate('error.not_found_heading', lang) }}</h1>
<div class="alert alert-info" role="alert" id="error-not-found">{{ translate('error.not_found_help', lang) }}</div>
<a href="/" class="btn btn-outline-primary">{{ translate('nav.home', lang) }}</a>"""

FORBIDDEN_BODY = """<h1 class="h4 mb-3">{{ translate('auth.forbidden_heading', lang) }}</h1>
<div class="alert alert-warning" role="alert" id="error-forbidden">{{ translate('auth.forbidden', lang) }}</div>
<a href="/" class="btn btn-outline-primary">{{ translate('nav.home', lang) }}</a>"""


def page_frame(lang: str) -> dict:
    """Navigation of the signed-in user in ``lang`` (none for an anonymous reader)."""
    from app.security.web import csrf_token, current_account  # import cycle

    account = current_account()
    if account is None:
        return {}
    return {
        "links": [(translate(key, lang), href) for key, href in nav_links(account.role)],
        "user": f"{account.username} ({translate('auth.role.' + account.role, lang)})",
        "logout": translate("auth.logout", lang),
        "csrf": csrf_token(),
    }


def not_found_page() -> flask.Response:
    from app.security.login_page import render_page

    lang = current_language()
    return render_page(NOT_FOUND_BODY, lang, 404, title_key="error.not_found_title", frame=page_frame(lang))


def forbidden_page() -> flask.Response:
    from app.security.login_page import render_page

    lang = current_language()
    return render_page(FORBIDDEN_BODY, lang, 403, title_key="auth.forbidden_title", frame=page_frame(lang))
