"""Replay recorded Google API exchanges (the gspread cassette format) with `responses`.

Each interaction is registered in order; `responses` answers a repeated URL
with its registrations in turn. A body "@path" is read from that file (binary
downloads). Requests nobody recorded fail the test (responses raises).
"""

from __future__ import annotations

import json
from pathlib import Path

import responses

from tests.conftest import ROOT

TOKEN_URI = "https://oauth2.googleapis.com/token"


def load(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["interactions"]


def register(rsps: responses.RequestsMock, interactions: list[dict], skip_setup: bool = False) -> None:
    for x in interactions:
        req, res = x["request"], x["response"]
        if skip_setup and req["method"] in ("POST", "PUT", "DELETE"):
            continue  # the recordings create and delete their test sheets; we only read
        body = res["body"]["string"] or ""
        raw = (ROOT / body[1:]).read_bytes() if body.startswith("@") else body.encode("utf-8")
        ctype = (res.get("headers", {}).get("Content-Type") or ["application/json"])[0]
        rsps.add(
            req["method"],
            req["uri"],
            body=raw,
            status=res["status"]["code"],
            content_type=ctype.split(";")[0],
        )


def token_endpoint(rsps: responses.RequestsMock) -> None:
    """google-auth's real service-account flow signs a JWT and posts it here. google-auth 2.62
    may also ask IAM for the account's regional access boundary, now or in the background;
    that lookup is optional, finds no mock here, and google-auth carries on without it
    (it is not a Sheets or Drive request, so counts leave it out)."""
    rsps.add("POST", TOKEN_URI, json={"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"})


def sheets_and_drive(calls) -> list:
    """The calls that count against the Sheets and Drive quotas."""
    return [c for c in calls if "sheets.googleapis.com" in c.request.url or "/drive/v3/" in c.request.url]


def service_account_info() -> dict:
    """A real RSA key, made for the test: google-auth signs with it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "nq71-test",
        "private_key_id": "abc123",
        "private_key": pem,
        "client_email": "nq71-dashboard@nq71-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": TOKEN_URI,
    }
