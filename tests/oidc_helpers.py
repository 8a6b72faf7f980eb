"""The test OpenID Connect provider (tests/oidc_provider) as a process, and
what tests need to talk to it.

`oidc_provider` (a fixture) is the provider, started once per run on a
free port of 127.0.0.1 and reset for each test: one client (the app, with
the redirect URIs of the test client and of `live_server`), no people
until the test adds them. `oidc_settings(provider)` is the app's config
for it. `provider_sign_in` goes through the whole flow without a browser:
the app's test client for the app, `requests` for the provider's login
page, as a browser would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.server_processes import ROOT, free_port

CLIENT_ID = "tiltagstavlen-test"
CLIENT_SECRET = "test-client-secret-" + "s" * 20
PASSWORD = "udbyder-adgangskode"
DISPLAY_NAME = "Testkommunen"
ADMIN_GROUP = "tavle-administratorer"
TEST_CLIENT_ORIGIN = "http://localhost"  # Flask's test client


class ProviderProcess:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.control_token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    def start(self, timeout: float = 30.0) -> ProviderProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "OIDC_PROVIDER_CONTROL_TOKEN": self.control_token},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("provider exited: " + self.output()[-2000:])
            try:
                if requests.get(self.url + "/.well-known/openid-configuration", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"provider on {self.url} did not start in {timeout} s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    # --- the control endpoints ---------------------------------------------

    def _post(self, path: str, payload) -> None:
        response = requests.post(
            self.url + path,
            json=payload,
            headers={"X-Control-Token": self.control_token},
            timeout=10,
        )
        response.raise_for_status()

    def reset(self, origins=(TEST_CLIENT_ORIGIN,)) -> None:
        """Forget everything; register the app at these origins."""
        self._post(
            "/_control/reset",
            {
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": [f"{o}/login/oidc/callback" for o in origins],
                        "post_logout_redirect_uris": [f"{o}/login" for o in origins],
                    }
                ],
                "users": [],
            },
        )

    def add_user(self, username: str, *, email: str, name: str, groups=(), sub=None) -> None:
        """Add (or replace: the same username) a person who can log in."""
        self._post(
            "/_control/users",
            [
                {
                    "username": username,
                    "password": PASSWORD,
                    "sub": sub or f"sub-{username}",
                    "email": email,
                    "name": name,
                    "groups": list(groups),
                }
            ],
        )

    def misbehave(self, **behaviour) -> None:
        """aud="someone-else", expired=True, other_key=True, iss="...",
        nonce="..." (in the id_token); none: behave."""
        self._post("/_control/behaviour", behaviour)

    def stats(self) -> dict:
        response = requests.get(
            self.url + "/_control/stats",
            headers={"X-Control-Token": self.control_token},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def oidc_provider_process():
    provider = ProviderProcess().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_process, monkeypatch):
    # Authlib's client insists on https unless told this is a test (the
    # provider serves plain http on 127.0.0.1).
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    oidc_provider_process.reset()
    return oidc_provider_process


def oidc_settings(provider: ProviderProcess, **overrides) -> dict:
    return {
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_DISPLAY_NAME": DISPLAY_NAME,
        "OIDC_ADMIN_GROUPS": (ADMIN_GROUP,),
        **overrides,
    }


# --- the flow without a browser ------------------------------------------------


def start_flow(client) -> str:
    """/login/oidc on the app: returns the provider's authorize URL."""
    response = client.get("/login/oidc")
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:"), location
    return location


def provider_login(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Log in on the provider's page: returns the callback URL it redirects
    to (with code and state), as the browser would follow it."""
    with requests.Session() as browser:
        page = browser.get(authorize_url, timeout=10)
        assert page.status_code == 200 and 'name="username"' in page.text, page.text[:500]
        answer = browser.post(
            authorize_url,
            data={"username": username, "password": password},
            allow_redirects=False,
            timeout=10,
        )
    assert answer.status_code == 302, (answer.status_code, answer.text[:500])
    return answer.headers["Location"]


def app_path(url: str) -> str:
    """The path and query of a callback URL, for the app's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def provider_sign_in(client, username: str):
    """The whole flow; returns the app's answer to the callback."""
    callback = provider_login(start_flow(client), username)
    return client.get(app_path(callback))
