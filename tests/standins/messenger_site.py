"""A local stand-in for basic-HTML Messenger (mbasic.facebook.com/messages/).

It serves a generated history in the layout `scraper.messenger` parses: a paged
thread list, thread pages with "See older messages", a login page that sets the
`c_user` and `xs` session cookies, a redirect to login without them, and a
security-checkpoint mode. Over HTTP or HTTPS (a certificate made at test time), on
127.0.0.1; it records every request so tests can check what the scraper asked for.
"""

from __future__ import annotations

import secrets
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, abort, redirect, request

from tests.local_http import serving_in_thread
from tests.standins.messenger_history import (
    OWNER,
    StandinMessage,
    StandinThread,
    generate_history,
)
from tests.standins.selfsigned import CertFiles, make_certificate

OWNER_ID = "100004242"
COOKIE_DOMAINS = ("messenger.com", "facebook.com")


@dataclass(frozen=True)
class SeenRequest:
    """What the site received: method, path, thread id, login, cookie names, when."""

    method: str
    path: str
    tid: str | None
    logged_in: bool
    at: float
    cookie_names: frozenset[str] = frozenset()


class MessengerSite:
    """The stand-in's state; `app` is its WSGI app, `serve()` runs it on a port."""

    def __init__(
        self,
        history: list[StandinThread] | None = None,
        page_size: int = 20,
        list_page_size: int = 2,
        password: str = "correct horse",
    ) -> None:
        self.threads = {t.thread_id: t for t in history or generate_history()}
        self.page_size, self.list_page_size = page_size, list_page_size
        self.password = password
        self.sessions: set[str] = set()
        self.checkpoint = False
        self.moved_to: str | None = None  # redirect thread pages to this base URL
        self.failures: list[int] = []  # statuses to answer before serving normally
        self.requests: list[SeenRequest] = []
        self.app = self._build_app()

    def issue_session(self) -> dict[str, str]:
        """Log in without a browser: the cookies a successful login sets."""
        token = secrets.token_urlsafe(16)
        self.sessions.add(token)
        return {"c_user": OWNER_ID, "xs": token, "datr": "standin-datr"}

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next `count` requests with `status` (to exercise retries)."""
        self.failures.extend([status] * count)

    def thread_reads(self) -> list[str | None]:
        """The thread ids of every thread page requested, in order."""
        return [
            r.tid for r in self.requests if r.path.startswith(("/messages/read", "/t/"))
        ]

    @contextmanager
    def serve(self, tls: CertFiles | Path | None = None) -> Iterator[str]:
        """Run on 127.0.0.1 in a thread; yield the base URL (https when `tls`)."""
        if isinstance(tls, Path):
            tls = make_certificate(tls, ("www.messenger.com", "*.messenger.com"))
        context = (str(tls.cert), str(tls.key)) if tls else None
        with serving_in_thread(self.app, ssl_context=context) as server:
            yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_port}"

    # -- the app ---------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("messenger_standin")

        @app.before_request
        def record_and_fail() -> Response | None:
            self.requests.append(
                SeenRequest(
                    request.method,
                    request.path,
                    request.args.get("tid") or _t_id(request.path),
                    self._logged_in(),
                    time.monotonic(),
                    frozenset(request.cookies),
                )
            )
            if self.failures:
                return Response("busy", status=self.failures.pop(0))
            return None

        app.add_url_rule("/", view_func=lambda: redirect("/messages/"))
        app.add_url_rule("/login.php", view_func=self._login, methods=["GET", "POST"])
        app.add_url_rule("/checkpoint/", view_func=self._checkpoint_page)
        app.add_url_rule("/messages/", view_func=self._thread_list)
        app.add_url_rule("/messages/read/", view_func=self._thread_view)
        app.add_url_rule("/t/<tid>", view_func=self._thread_view)
        return app

    def _logged_in(self) -> bool:
        cookies = request.cookies
        return cookies.get("c_user") == OWNER_ID and cookies.get("xs") in self.sessions

    def _gate(self) -> Response | None:
        """Redirect to login (no session) or the checkpoint (checkpoint mode)."""
        if not self._logged_in():
            return redirect(f"/login.php?next={quote(request.full_path)}")
        if self.checkpoint:
            return redirect(f"/checkpoint/?next={quote(request.full_path)}")
        return None

    def _login(self) -> Response:
        if request.method == "GET":
            return _page(
                "Log in to Facebook",
                LOGIN_FORM.format(next=escape(request.args.get("next", "/messages/"))),
            )
        if request.form.get("pass") != self.password or not request.form.get("email"):
            return _page(
                "Log in to Facebook",
                "<p>Wrong password.</p>" + LOGIN_FORM.format(next="/messages/"),
            )
        cookies = self.issue_session()
        target = request.form.get("next") or "/messages/"
        response = redirect(target if target.startswith("/") else "/messages/")
        host = (request.host or "").split(":")[0]
        domain = next((f".{d}" for d in COOKIE_DOMAINS if host.endswith(d)), None)
        secure = request.scheme == "https"
        for name, value in cookies.items():
            response.set_cookie(
                name,
                value,
                max_age=3600,
                domain=domain,
                secure=secure,
                httponly=name == "xs",
                samesite="None" if secure else "Lax",
            )
        return response

    def _checkpoint_page(self) -> Response:
        return _page(
            "Security check",
            '<form method="post" action="/checkpoint/?next=/messages/">'
            "<p>Your account has been temporarily locked.</p>"
            '<input type="submit" value="Continue"></form>',
        )

    def _thread_list(self) -> Response:
        if gate := self._gate():
            return gate
        page = int(request.args.get("pageNum", "1"))
        ordered = sorted(
            self.threads.values(), key=lambda t: t.messages[-1].sent_at, reverse=True
        )
        size = self.list_page_size
        rows = "".join(
            _thread_row(thread) for thread in ordered[(page - 1) * size : page * size]
        )
        older = ""
        if page * size < len(ordered):
            older = (
                f'<div id="see_older_threads"><a href="/messages/?pageNum={page + 1}'
                '&amp;see_older_newer=1"><span>See older messages</span></a></div>'
            )
        return _page("Messages", f'<div id="threadlist_rows">{rows}</div>{older}')

    def _thread_view(self, tid: str | None = None) -> Response:
        if gate := self._gate():
            return gate
        tid = tid or request.args.get("tid", "")
        if self.moved_to:
            return redirect(f"{self.moved_to}/messages/read/?tid={quote(tid)}")
        thread = self.threads.get(tid)
        if thread is None:
            abort(404)
        start = int(request.args.get("start", "0"))
        end = len(thread.messages) - start
        shown = thread.messages[max(0, end - self.page_size) : max(0, end)]
        older = ""
        if end - self.page_size > 0:
            older = (
                f'<div id="see_older"><a href="/messages/read/?tid={quote(tid)}'
                f'&amp;start={start + self.page_size}">'
                "<span>See older messages</span></a></div>"
            )
        groups = "".join(_group(g) for g in _groups(shown))
        body = f'<div id="messageGroup">{older}<div>{groups}</div></div>' + COMPOSE
        return _page(thread.title, body)


def _groups(messages: list[StandinMessage]) -> list[list[StandinMessage]]:
    """Consecutive messages from one sender in one minute share a group."""
    groups: list[list[StandinMessage]] = []
    for message in messages:
        last = groups[-1][-1] if groups else None
        if last and last.sender == message.sender and last.sent_at == message.sent_at:
            groups[-1].append(message)
        else:
            groups.append([message])
    return groups


def _thread_row(thread: StandinThread) -> str:
    link = f"/messages/read/?tid={quote(thread.thread_id)}&amp;refid=11"
    last = thread.messages[-1]
    return (
        f'<table><tr><td><h3><a href="{link}">{escape(thread.title)}</a></h3>'
        f"<h3><span>{escape(last.text)}</span></h3>"
        f"<h3><abbr>{_label(last)}</abbr></h3></td></tr></table>"
    )


def _group(messages: list[StandinMessage]) -> str:
    sender = messages[0].sender
    profile = (
        OWNER_ID
        if sender == OWNER
        else str(100000 + zlib.crc32(sender.encode()) % 10**6)
    )
    spans = "".join(
        f"<div><span><p>{escape(m.text)}</p></span></div>"
        if m.text
        else '<div><span><img src="/photo.jpg" alt="photo"></span></div>'
        for m in messages
    )
    return (
        f'<div class="msg"><div><a href="/profile.php?id={profile}"><strong>'
        f"{escape(sender)}</strong></a>{spans}</div>"
        f"<div><abbr>{_label(messages[0])}</abbr></div></div>"
    )


def _label(message: StandinMessage) -> str:
    """The time as basic HTML shows it: "Mar 1, 2023 at 9:05 AM"."""
    t = message.sent_at
    return f"{t:%b} {t.day}, {t.year} at {t.hour % 12 or 12}:{t:%M} {t:%p}"


def _t_id(path: str) -> str | None:
    return path[3:] if path.startswith("/t/") else None


def _page(title: str, body: str) -> Response:
    html = (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head>"
        f'<body><div id="objects_container"><div id="root" role="main">{body}'
        "</div></div></body></html>"
    )
    return Response(html, mimetype="text/html")


LOGIN_FORM = (
    '<form id="login_form" method="post" action="/login.php">'
    '<input type="hidden" name="next" value="{next}">'
    '<input type="text" name="email" placeholder="Email or phone">'
    '<input type="password" name="pass" placeholder="Password">'
    '<input type="submit" name="login" value="Log in"></form>'
)
COMPOSE = (
    '<form method="post" action="/messages/send/"><textarea name="body"></textarea>'
    '<input type="submit" value="Send"></form>'
)
