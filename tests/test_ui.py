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
