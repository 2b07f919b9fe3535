"""The edge's screen for hostile HTTP bodies, applied before authentication and before botbuilder sees them.

A body the Bot Connector could never have sent is refused with 400 (a reason, never a server error):
JSON nested deeper than any activity, addressing fields (serviceUrl, conversation, recipient, from, the
ids) of the wrong type or longer than the columns that store them, a serviceUrl that is no http(s) URL.
What a person can type is sanitised instead: lone UTF-16 surrogates become U+FFFD (they cannot be
encoded as UTF-8, for a card or for the database) and NUL characters are dropped (PostgreSQL text cannot
hold them); a display name is cut to the length stored.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

MAX_DEPTH = 64  # an activity with card data is < 15 levels deep
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_URL_CHARS = re.compile(r"[!-~]+")  # printable ASCII, no space: what the Bot Connector sends
_BRACES = re.compile(r"[{}]")

# (path, longest accepted): the column lengths in storage/models/core.py (conversation_refs, people,
# processed_activities) and what a URL path to the Bot Connector can carry
_LIMITS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("id",), 300), (("serviceUrl",), 500), (("channelId",), 40), (("locale",), 40),
    (("conversation", "id"), 300), (("conversation", "conversationType"), 20), (("conversation", "tenantId"), 64),
    (("recipient", "id"), 200), (("from", "id"), 300), (("from", "aadObjectId"), 64),
    (("channelData", "tenant", "id"), 64), (("replyToId",), 300),
)
_NAMES = (("from", "name"), ("recipient", "name"))
MAX_NAME = 200


class Refused(ValueError):
    """The body is not an activity the bot accepts; the message is the reason given with HTTP 400."""


def parse(raw: bytes) -> Any:
    """The JSON body, or Refused (malformed, nested too deep for the parser, numbers too long)."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise Refused("body is not valid JSON") from exc


def clean(value: Any, depth: int = 0) -> Any:
    """A copy with lone surrogates replaced and NUL characters removed, in keys and values alike;
    Refused when nested deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise Refused(f"body nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(str(k)): clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v, depth + 1) for v in value]
    return value


def _clean_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _at(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = body
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def screen(body: Any) -> dict[str, Any]:
    """The cleaned activity, or Refused with the reason."""
    if not isinstance(body, dict):
        raise Refused("body is not a Bot Framework activity (no 'type')")
    body = clean(body)
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise Refused("body is not a Bot Framework activity (no 'type')")
    for key in ("conversation", "recipient", "from", "channelData"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            raise Refused(f"'{key}' is not an object")
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"]:
        raise Refused("activity has no conversation or serviceUrl")
    if not _URL_CHARS.fullmatch(conversation["id"]):  # it travels in an HTTP header (x-ms-conversation-id)
        raise Refused("conversation id is not printable ASCII")
    if not _path_segment(conversation["id"]):
        raise Refused("conversation id cannot be part of a URL path")
    if isinstance(body.get("id"), str) and not _path_segment(body["id"]):
        raise Refused("activity id cannot be part of a URL path")
    recipient = body.get("recipient")
    if recipient is not None and not (isinstance(recipient.get("id"), str) and recipient["id"]):
        raise Refused("recipient has no id")
    for path, longest in _LIMITS:
        value = _at(body, path)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Refused(f"'{'.'.join(path)}' is not a string")
        if len(value) > longest:
            raise Refused(f"'{'.'.join(path)}' is longer than {longest} characters")
    _check_service_url(body.get("serviceUrl"))
    for path in _NAMES:
        parent = _at(body, path[:-1])
        name = parent.get(path[-1]) if isinstance(parent, dict) else None
        if name is not None and not isinstance(name, str):
            parent[path[-1]] = str(name) if isinstance(name, (int, float)) else ""
        elif isinstance(name, str) and len(name) > MAX_NAME:
            parent[path[-1]] = name[:MAX_NAME]
    return body


def _path_segment(value: str) -> bool:
    """Whether an id can be one segment of a reply's URL (`/v3/conversations/{conversation}/activities/{id}`):
    braces are no URL characters (RFC 3986), and "." or ".." is resolved away by the client, so the reply
    went to another endpoint and failed the turn. The Bot Connector's ids never hold them."""
    return not (_BRACES.search(value) or (value and not value.strip(".")))


def _check_service_url(url: Any) -> None:
    if not isinstance(url, str) or not url:
        raise Refused("activity has no conversation or serviceUrl")
    if not _URL_CHARS.fullmatch(url):
        raise Refused("serviceUrl is not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise Refused("serviceUrl is not a URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise Refused("serviceUrl is not an http(s) URL")
