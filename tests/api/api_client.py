"""A tiny client for API tests: ``api.post(user, path, json)`` with that user's bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient


class Api:
    """A tiny client: ``api.post(user, path, json)`` returns the response; paths are under /api/v1."""

    def __init__(self, client: FlaskClient, token: Callable[[str], dict[str, str]]) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, user: str | None, path: str, **kwargs: Any) -> Any:
        headers = {**(self.token(user) if user else {}), **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, user: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("GET", user, path, **kwargs)

    def post(self, user: str | None, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", user, path, json=json if json is not None else {}, **kwargs)

    def delete(self, user: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", user, path, **kwargs)

    def start(self, user: str, locality: str, key: str, **data: Any) -> Any:
        body = {"process_key": "approval", "locality": locality, "business_key": key, "data": data}
        return self.post(user, "/instances", body)
