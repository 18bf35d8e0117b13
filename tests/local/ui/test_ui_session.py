"""The session cookie: signed, expiring, found among other apps' cookies, useless once forged."""

from __future__ import annotations

import time

import pytest

from brickyard.local.ui.signin import SignIn, safe_next


def _value(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0]


def test_a_session_is_found_among_other_apps_cookies_even_malformed_ones() -> None:
    signin = SignIn("dapi-secret", "42", "http://127.0.0.1:8080")
    ours = _value(signin.session_cookie())
    assert ours.startswith("brickyard_ui_42=") and "dapi-secret" not in ours
    assert signin.signed_in(f'_xsrf=2|ab|"weird"; {ours}; other=1')
    assert not signin.signed_in("_xsrf=2|ab; other=1")
    assert not SignIn("dapi-secret", "43", "http://127.0.0.1:8080").signed_in(ours)  # another workspace


def test_a_forged_or_expired_session_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    signin = SignIn("dapi-secret", "42", "http://127.0.0.1:8080")
    name, _, value = _value(signin.session_cookie()).partition("=")
    expires, _, signature = value.partition(".")
    assert not signin.signed_in(f"{name}={int(expires) + 1}.{signature}")  # a later expiry, same signature
    assert not SignIn("dapi-other", "42", "h").signed_in(f"{name}={value}")  # signed with another token
    monkeypatch.setattr(time, "time", lambda: int(expires) + 1)
    assert not signin.signed_in(f"{name}={value}")


def test_a_one_time_ticket_works_once_and_lands_only_on_this_server() -> None:
    signin = SignIn("dapi-secret", "42", "http://127.0.0.1:8080")
    link = signin.link("http://127.0.0.1:8080", "//evil.example/x")
    ticket = link.split("ticket=", 1)[1].split("&", 1)[0]
    assert link.endswith("&next=/")
    assert signin.redeem(ticket) and not signin.redeem(ticket)
    assert [safe_next(p) for p in ("/jobs/1", "//x", "http://x", "/a\\b", "/#job/1/run/2")] == [
        "/jobs/1",
        "/",
        "/",
        "/",
        "/#job/1/run/2",
    ]
