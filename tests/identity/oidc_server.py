"""A real OpenID provider for the tests: node's ``oidc-provider`` run from ``oidc_provider/provider.mjs``.

Installed by npm from the test-only ``oidc_provider/package.json`` (``make identity-servers``). The people it
knows are a JSON file the test may rewrite (someone's groups change at the provider, or their account is
disabled there); each test's app registers itself as a client over HTTP (dynamic registration), with its
own redirect address, allowed refresh tokens.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from identity.slapd_server import free_port

FOLDER = Path(__file__).resolve().parent / "oidc_provider"
PEOPLE: dict[str, dict[str, Any]] = {
    "chenjing": {"name": "陈静", "email": "chenjing@servflow.test", "groups": ["minzheng-purchasers"]},
    "zhaolei": {"name": "赵磊", "email": "zhaolei@servflow.test", "groups": ["finance-urumqi"]},
}


def available() -> bool:
    return shutil.which("node") is not None and (FOLDER / "node_modules" / "oidc-provider").is_dir()


@dataclass
class OpenIdProvider:
    issuer: str
    accounts: Path

    def set_groups(self, person: str, groups: list[str]) -> None:
        self._change(person, groups=groups)

    def set_disabled(self, person: str, disabled: bool = True) -> None:
        """Switch the account off (or on again) at the provider: its sign-in is refused with access_denied
        and its refresh tokens answer invalid_grant."""
        self._change(person, disabled=disabled)

    def _change(self, person: str, **values: Any) -> None:
        people = json.loads(self.accounts.read_text(encoding="utf-8"))
        people[person].update(values)
        self.accounts.write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")

    def register(self, redirect_uri: str, logout_uri: str) -> dict[str, str]:
        """A new confidential client of this provider (its ``client_id`` and ``client_secret``)."""
        response = requests.post(
            f"{self.issuer}/reg",
            json={
                "redirect_uris": [redirect_uri],
                "post_logout_redirect_uris": [logout_uri],
                "response_types": ["code"],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "client_secret_basic",
            },
            timeout=5,
        )
        response.raise_for_status()
        return response.json()

    def app_settings(self, client: dict[str, str], name: str = "gov") -> dict[str, str]:
        """The app's ``OIDC_*`` settings for this provider and client (what ``SERVFLOW_OIDC_*`` would say)."""
        prefix = f"OIDC_{name.upper()}_"
        return {
            "OIDC_PROVIDERS": name,
            prefix + "ISSUER": self.issuer,
            prefix + "CLIENT_ID": client["client_id"],
            prefix + "CLIENT_SECRET": client["client_secret"],
            prefix + "LABEL_ZH": "政务统一身份认证",
            prefix + "LABEL_EN": "Government single sign-on",
            prefix + "SCOPE": "openid profile email groups",
        }


@contextmanager
def running_provider(root: Path) -> Iterator[OpenIdProvider]:
    accounts = root / "accounts.json"
    accounts.write_text(json.dumps(PEOPLE, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        ["node", str(FOLDER / "provider.mjs"), str(port), str(accounts)],
        stdout=subprocess.PIPE,
        stderr=(root / "provider.log").open("wb"),
        cwd=FOLDER,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise RuntimeError("the OpenID provider stopped")
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield OpenIdProvider(issuer, accounts)
    finally:
        process.terminate()
        process.wait(timeout=10)
