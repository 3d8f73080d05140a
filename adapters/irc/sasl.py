"""SASL payloads and capability bookkeeping for IRCv3 registration."""

from __future__ import annotations

import base64

_CHUNK = 400  # IRCv3 SASL: AUTHENTICATE payloads are sent in 400-byte pieces


def authenticate_lines(mechanism: str, account: str, password: str) -> list[str]:
    """The ``AUTHENTICATE`` lines answering the server's ``AUTHENTICATE +``."""
    if mechanism == "EXTERNAL":
        return ["AUTHENTICATE +"]  # the client certificate is the credential
    if mechanism != "PLAIN":
        raise ValueError(f"unsupported SASL mechanism {mechanism}")
    token = base64.b64encode(f"{account}\0{account}\0{password}".encode()).decode()
    chunks = [token[i : i + _CHUNK] for i in range(0, len(token), _CHUNK)]
    if len(chunks[-1]) == _CHUNK:
        chunks.append("+")  # an exactly-full last piece needs an explicit end
    return [f"AUTHENTICATE {chunk}" for chunk in chunks]


def parse_caps(text: str) -> dict[str, str]:
    """``CAP LS`` words (``sasl=PLAIN,EXTERNAL server-time``) as name -> value."""
    caps: dict[str, str] = {}
    for word in text.split():
        name, _, value = word.partition("=")
        caps[name.lstrip("-~=")] = value
    return caps


def offers_mechanism(caps: dict[str, str], mechanism: str) -> bool:
    """Whether ``sasl`` is offered with ``mechanism`` (an empty value lists nothing, so allow)."""
    if "sasl" not in caps:
        return False
    listed = caps["sasl"]
    return not listed or mechanism in listed.upper().split(",")
