"""The reader's language: their cookie, else the deployment's APP_LANGUAGE (app/ui.py)."""
import dataclasses

from app.ui import SETTINGS_CONFIG_KEY, current_language


def test_app_language_is_the_default_and_the_cookie_wins(dash_app):
    server = dash_app.server
    before = server.config[SETTINGS_CONFIG_KEY]
    server.config[SETTINGS_CONFIG_KEY] = dataclasses.replace(before, default_language="en")
    try:
        client = server.test_client()
        assert "Sign in" in client.get("/login").get_data(as_text=True)  # APP_LANGUAGE=en, no cookie
        client.set_cookie("lang", "fr")
        assert "Se connecter" in client.get("/login").get_data(as_text=True)
        client.set_cookie("lang", "klingon")  # not a language: the deployment's again
        assert "Sign in" in client.get("/login").get_data(as_text=True)
        with server.test_request_context("/"):
            assert current_language() == "en"
    finally:
        server.config[SETTINGS_CONFIG_KEY] = before
    with server.test_request_context("/"):
        assert current_language() == "fr"


def test_app_language_english_without_cookie_gives_english_server_pages(dash_app):
    """Login, 404 and 403 pages, rendered before Dash runs, follow APP_LANGUAGE like the Dash pages."""
    from app.security.testing import login_client
    from tests.language_support import french_in

    server = dash_app.server
    before = server.config[SETTINGS_CONFIG_KEY]
    server.config[SETTINGS_CONFIG_KEY] = dataclasses.replace(before, default_language="en")
    try:
        login = server.test_client().get("/login").get_data(as_text=True)
        manager = login_client(server, "english-manager", "manager")
        lost = manager.get("/no/such/page")
        officer = login_client(server, "english-officer", "officer")
        refused = officer.get("/model")
        model_html = manager.get("/model").get_data(as_text=True)
    finally:
        server.config[SETTINGS_CONFIG_KEY] = before
    assert '<html lang="en">' in login and "Sign in" in login and french_in(login) == []
    assert lost.status_code == 404 and "<title>Page not found" in lost.get_data(as_text=True)
    assert french_in(lost.get_data(as_text=True)) == []
    assert refused.status_code == 403 and "<title>Access refused" in refused.get_data(as_text=True)
    assert french_in(refused.get_data(as_text=True)) == []
    assert 'og:title" content="Model — Prêt à dépenser"' in model_html  # the Dash page's own title
