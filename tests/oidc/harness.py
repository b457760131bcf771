"""Run the test OpenID Connect provider (provider.mjs, the npm package oidc-provider) and
walk a person through it over real HTTP (SPEC SIGN-3, ADR 0006).

Django's side of a journey goes through Django's test client; the provider's side
through `requests`, as a browser would, following each redirect by hand so that the test
can see (and tamper with) the URLs in between.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
CLIENT_ID = "carm-portal"
CLIENT_SECRET = "carm-portal-test-secret"  # noqa: S105 - test provider only
START_TIMEOUT = 15.0
NODE_MINIMUM = (18, 0)  # oidc-provider 8 runs on Node 18 and later


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    log: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_provider(*, workdir: Path, name: str, redirect_uris: list[str], keys: Path):
    """Start provider.mjs on a free loopback port; wait for its discovery document."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required for the Sign-In Partner tests (README)")
    version = subprocess.run(  # noqa: S603
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if tuple(int(part) for part in version.lstrip("v").split(".")[:2]) < NODE_MINIMUM:
        pytest.fail(f"the test OpenID Connect provider needs Node.js 18 or later, not {version}")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: run `make test` (or `make oidc-provider`)")
    ready = workdir / f"{name}.ready"
    log = workdir / f"{name}.log"
    ready.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(workdir)),
        "NODE_ENV": "test",
        "OIDC_TEST_PORT": "0",
        "OIDC_TEST_CLIENT_ID": CLIENT_ID,
        "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TEST_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_TEST_KEYS": str(keys),
        "OIDC_TEST_READY_FILE": str(ready),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [node, str(SCRIPT)], cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    provider = None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the test OpenID Connect provider stopped:\n{log.read_text()}")
        if ready.exists() and ready.read_text():
            provider = RunningProvider(issuer=ready.read_text().strip(), process=process, log=log)
            try:
                if requests.get(provider.discovery_url, timeout=2).ok:
                    return provider
            except requests.ConnectionError:
                pass
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=5)
    pytest.fail(f"the test OpenID Connect provider did not start:\n{log.read_text()}")


def subject_for(bank: str, account: str) -> str:
    """The `sub` provider.mjs gives the test account `account` at `bank`."""
    return hashlib.sha256(f"{bank}:{account.strip().lower()}".encode()).hexdigest()


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters replaced (None removes one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class AtProvider:
    """A browser at the provider: its own cookie jar, redirects followed by hand."""

    portal_origin: str = "http://testserver"
    session: requests.Session = field(default_factory=requests.Session)
    pages: list[str] = field(default_factory=list)

    def _follow(self, response: requests.Response) -> requests.Response | str:
        """Follow redirects within the provider; return the portal URL it sends back to."""
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(self.portal_origin + "/"):
                return target
            response = self.session.get(target, allow_redirects=False, timeout=10)
        return response

    def sign_in(
        self,
        authorization_url: str,
        *,
        bank: str = "tangerine",
        account: str = "alice",
        email: str = "",
        cancel: bool = False,
    ) -> str:
        """Open the authorization URL, pick the bank, sign in; return the callback URL."""
        response = self._follow(
            self.session.get(authorization_url, allow_redirects=False, timeout=10)
        )
        if isinstance(response, str):
            return response  # the provider remembered the person: no page shown
        assert response.status_code == 200, response.text
        self.pages.append(response.text)
        page = BeautifulSoup(response.text, "html.parser")
        banks = [option["value"] for option in page.select("select[name=bank] option")]
        assert bank in banks, banks
        forms = page.find_all("form")
        form = forms[1] if cancel else forms[0]
        data = {} if cancel else {"bank": bank, "account": account, "email": email}
        response = self._follow(
            self.session.post(
                urljoin(response.url, form["action"]), data=data, allow_redirects=False, timeout=10
            )
        )
        assert isinstance(response, str), getattr(response, "text", response)
        return response
