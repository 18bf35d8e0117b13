"""Delivering one message: a webhook POST (Slack-compatible `{"text": …}`) or an email over SMTP.

Shared by `brickyard alerts check` and the local workspace's job notifications. Both raise
`DeliveryError` with a message that names what failed without the URL or any credential: a
webhook URL usually is its token.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage


class DeliveryError(Exception):
    """A message could not be delivered; the text is safe to print and log."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


def post_webhook(url: str, payload: Mapping[str, object], timeout: float = 10.0) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "brickyard"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        raise DeliveryError(f"the webhook answered HTTP {err.code}") from None
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or type(err).__name__
        raise DeliveryError(f"the webhook could not be reached ({reason})") from None


def send_email(server: Smtp, sender: str, to: Sequence[str], subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    try:
        client: smtplib.SMTP
        if server.ssl:
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with client:
            if server.starttls:
                client.starttls(context=ssl.create_default_context())
            if server.username is not None and server.password is not None:
                client.login(server.username, server.password)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as err:
        raise DeliveryError(f"SMTP {server.host}:{server.port} refused the login ({err.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryError(
            f"SMTP {server.host}:{server.port} failed: {type(err).__name__}: {_first_line(err)}"
        ) from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else ""
