"""Who may fetch or use which file: each browser gets a random key in a cookie, and the app serves
and processes only the files of the browser that sent or caused them.

Gradio serves any file under its upload folder to any request that names its path
(``/gradio_api/file=PATH``) and takes any such path as an input, with no notion of who sent it; on
a shared computer anyone who can reach 127.0.0.1 could fetch another person's photos by their URL
(a browser's download history keeps it). :class:`FileGuard`, an ASGI middleware in front of
Gradio's routes:

- gives a browser without one a key (``photoguard-browser``: 32 random bytes, ``HttpOnly``,
  ``SameSite=Lax``, no expiry: gone when the browser closes), and sets it on the request itself,
  so the page's own first requests carry it;
- records, from the answer of Gradio's upload route, which files that browser sent
  (:meth:`~photoguard.app.workspace.Workspace.claim`);
- answers ``404`` to a file request unless the file is that browser's
  (:meth:`~photoguard.app.workspace.Workspace.owns`): its uploads and what the app made for it,
  nothing outside the app's workspace (not Gradio's examples cache in the folder the app was
  started from, nor any other path);
- answers ``403`` to an event (``/gradio_api/queue/join``, ``/gradio_api/call/...``) whose data
  names a file that is not that browser's, before Gradio reads it (Gradio would copy another
  browser's upload as an input, or print a traceback for a path outside its folders).

The event handlers check the same before they process a path (:func:`browser_of`). No Gradio import
here; the middleware goes in with ``launch(app_kwargs={"middleware": [...]})``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from photoguard.app.workspace import Workspace

log = logging.getLogger("photoguard.app")

#: The cookie that carries a browser's key.
COOKIE = "photoguard-browser"
#: What a key looks like (``secrets.token_urlsafe(32)``); anything else is no key.
_KEY = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
#: Gradio's routes that serve a file named in the URL (``file/`` is its deprecated spelling).
_FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/")
#: Gradio's route that stores uploads and answers with their paths.
_UPLOAD_ROUTE = "/gradio_api/upload"
#: Gradio's routes that start an event with data (which may name files by path).
_EVENT_ROUTES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")
#: The largest event body read (the app's events carry a few file names and choices).
_MAX_EVENT_BYTES = 1 << 20

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def browser_of(request: Any) -> str | None:
    """The browser key of a request (a ``gradio.Request`` or Starlette's), or None."""
    cookies = getattr(request, "cookies", None) or {}
    key = cookies.get(COOKIE)
    return key if isinstance(key, str) and _KEY.match(key) else None


def _key_from_headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    cookie = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed header is no key
                continue
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel is not None and _KEY.match(morsel.value) else None


def _with_key(headers: list[tuple[bytes, bytes]], key: str) -> list[tuple[bytes, bytes]]:
    """The request's headers with the key added to its cookies."""
    pair = f"{COOKIE}={key}".encode("latin-1")
    out, added = [], False
    for name, value in headers:
        if name == b"cookie" and not added:
            value, added = value + b"; " + pair, True
        out.append((name, value))
    return out if added else [*out, (b"cookie", pair)]


class FileGuard:
    """The ASGI middleware described above, for the app's :class:`Workspace`."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], workspace: Workspace) -> None:
        self.app = app
        self.workspace = workspace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers", []))
        key = _key_from_headers(headers)
        new = key is None
        if key is None:
            key = secrets.token_urlsafe(32)
            scope = {**scope, "headers": _with_key(headers, key)}
        path: str = scope.get("path", "")
        served = next((path.split(route, 1)[1] for route in _FILE_ROUTES if route in path), None)
        if served is not None and not self.workspace.owns(key, served):
            log.info("refused a file that is not this browser's: %s", served)
            await _not_found(send, key if new else None)
            return
        send = _setting_cookie(send, key) if new else send
        if scope.get("method") == "POST" and any(route in path for route in _EVENT_ROUTES):
            body = await _body(receive)
            foreign = None if body is None else next(self._not_owned(key, body), None)
            if body is None or foreign is not None:
                log.info("refused an event naming a file that is not this browser's: %s", foreign)
                await _respond(send, 403, b"Not this browser's file.")
                return
            receive = _replaying(body)
        if path.endswith(_UPLOAD_ROUTE) and scope.get("method") == "POST":
            send = self._claiming(send, key)
        await self.app(scope, receive, send)

    def _not_owned(self, key: str, body: bytes) -> Iterator[str]:
        """The file paths an event's JSON body names that are not ``key``'s (a body that is not
        JSON names none: Gradio refuses it)."""
        try:
            data = json.loads(body)
        except ValueError:
            return
        for path in _named_paths(data):
            if not self.workspace.owns(key, path):
                yield path

    def _claiming(self, send: Send, key: str) -> Send:
        """``send`` that reads the upload route's answer (the stored paths) and records them as
        ``key``'s before the browser gets them."""
        status: list[int] = []
        body: list[bytes] = []

        async def claim(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body") and status == [200]:
                    try:
                        paths = json.loads(b"".join(body))
                    except ValueError:
                        paths = []
                    if isinstance(paths, list):
                        self.workspace.claim(key, [p for p in paths if isinstance(p, str)])
            await send(message)

        return claim


def _named_paths(value: Any) -> Iterator[str]:
    """Every ``"path"`` of a file object (``{"path": ..., "meta": ...}``) anywhere in ``value``."""
    if isinstance(value, dict):
        if isinstance(value.get("path"), str):
            yield value["path"]
        for item in value.values():
            yield from _named_paths(item)
    elif isinstance(value, list):
        for item in value:
            yield from _named_paths(item)


async def _body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is over :data:`_MAX_EVENT_BYTES`."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_EVENT_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    """A ``receive`` that gives the app the body already read, then waits as the server's would."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # never: a disconnect is not reported to the app here
        return {"type": "http.disconnect"}

    return receive


def _cookie_header(key: str) -> tuple[bytes, bytes]:
    return (b"set-cookie", f"{COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax".encode("latin-1"))


def _setting_cookie(send: Send, key: str) -> Send:
    async def with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), _cookie_header(key)]}
        await send(message)

    return with_cookie


async def _not_found(send: Send, new_key: str | None) -> None:
    await _respond(send, 404, b"File not found.", [_cookie_header(new_key)] if new_key is not None else [])


async def _respond(send: Send, status: int, text: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})
