"""Who may read the web UI: a one-time sign-in link, or the workspace token typed into a form.

As Jupyter does it: `brickyard ui` asks the server (with the workspace token) for a link that works
once, within five minutes; opening it sets a session cookie and lands on the page asked for. The
sign-in form takes the workspace token itself. The cookie is `HttpOnly` and `SameSite=Strict`, its
value an expiry signed with a key derived from the workspace token, so it says nothing about the
token, survives a server restart, and stops working when the workspace is reset (a new token). Its
name carries the workspace id: every local workspace on 127.0.0.1 shares one cookie jar, whatever
its port.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from urllib.parse import quote

TICKET_SECONDS = 300
SESSION_SECONDS = 7 * 24 * 3600
LOGIN_PATH = "/login"


class SignIn:
    def __init__(self, token: str, workspace_id: str, host: str) -> None:
        self._token = token
        self._key = hmac.new(token.encode(), b"brickyard web ui session", hashlib.sha256).digest()
        self.cookie_name = f"brickyard_ui_{workspace_id}"
        self._secure = host.startswith("https://")
        self._tickets: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- one-time links ----------------------------------------------------------------------------

    def link(self, host: str, next_path: str = "/") -> str:
        """A sign-in URL that works once, within `TICKET_SECONDS`, and lands on `next_path`."""
        ticket = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._tickets = {t: until for t, until in self._tickets.items() if until > now}
            self._tickets[ticket] = now + TICKET_SECONDS
        return f"{host.rstrip('/')}{LOGIN_PATH}?ticket={ticket}&next={quote(safe_next(next_path), safe='/')}"

    def redeem(self, ticket: str) -> bool:
        with self._lock:
            until = self._tickets.pop(ticket, None)
        return until is not None and until > time.monotonic()

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.strip().encode(), self._token.encode())

    # -- the session cookie ------------------------------------------------------------------------

    def session_cookie(self) -> str:
        """The `Set-Cookie` value of a new session."""
        expires = int(time.time()) + SESSION_SECONDS
        value = f"{expires}.{self._sign(str(expires))}"
        secure = "; Secure" if self._secure else ""
        return f"{self.cookie_name}={value}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; SameSite=Strict{secure}"

    def ended_cookie(self) -> str:
        return f"{self.cookie_name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"

    def signed_in(self, cookie_header: str) -> bool:
        """Whether a `Cookie` request header carries a valid, unexpired session."""
        # Read by hand: other apps on 127.0.0.1 share the jar, and one cookie the standard parser
        # finds malformed would make it drop every cookie after it, ours included.
        for pair in cookie_header.split(";"):
            name, _, value = pair.strip().partition("=")
            if name != self.cookie_name:
                continue
            expires, _, signature = value.partition(".")
            if expires.isdigit() and int(expires) >= time.time():
                return hmac.compare_digest(signature.encode(), self._sign(expires).encode())
        return False

    # -- pre-signed links (dbt artifact archives) --------------------------------------------------

    def presign(self, path: str, expires: int) -> str:
        """The signature of a link to `path` that works without a token until `expires` (epoch s)."""
        return self._sign(f"link {path} {expires}")

    def verify_presigned(self, path: str, expires: int, signature: str) -> bool:
        return expires >= time.time() and hmac.compare_digest(
            signature.encode(), self.presign(path, expires).encode()
        )

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()


def safe_next(path: str) -> str:
    """Where to land after signing in: a path of this server only (never `//other.host`)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return "/"
    return path
