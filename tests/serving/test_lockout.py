"""The lock-out holds across new sessions, channels and server processes.

Two gunicorn servers share one PostgreSQL database, as a scaled deployment does.
An attacker at one address sends 1,000 wrong passwords for a private persona, all
at once from many threads: through the original `/getModel` API and through new
web chat sessions (a new WebSocket, so a new session, every two guesses), to
both servers in turn; a Messenger user keeps guessing too, through both servers.
Each gets exactly the documented number of tries (answers that say "wrong"),
never more; and the owner, from their own address, gets in on every channel.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from simple_websocket import Client, ConnectionClosed

from serving.chat import MAX_PASSWORD_ATTEMPTS, texts
from serving.config import Config
from serving.services import open_services
from tests.serving.channels import payloads
from tests.serving.channels.tiny_persona import add_ready_persona, tiny_artifact
from tests.serving.server_process import ServerProcess, server_env
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn

pytestmark = pytest.mark.slow

PASSWORD = "the-owner-knows-this-one"
SECRET = "lockout-app-secret"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.10"
API_GUESSES, WEB_SESSIONS, GUESSES_PER_SESSION, MESSENGER_GUESSES = 900, 30, 2, 40
# Answers that mean the password was checked (and was wrong), and the start of
# the one that means it was not (locked out; the minutes left follow).
TRIED = (texts.WRONG_PASSWORD, texts.LOCKED_NOW.format(minutes=15))
LOCKED = texts.LOCKED.split("{")[0]


@pytest.fixture
def servers(
    tmp_path: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[str], GraphStandIn]]:
    """Two servers on one database, with Juliet (private) and Messenger set up."""
    home = tmp_path / "home"
    services = open_services(
        Config(
            home=home,
            database_url=postgres_url,
            secret_key="lockout-secret-of-at-least-32-chars",
        )
    )
    artifact = tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))
    add_ready_persona(services, artifact, "Juliet", public=False, password=PASSWORD)
    services.db.dispose()
    graph = GraphStandIn()
    with graph.serve() as graph_url:
        env = server_env(
            MIMICAL_HOME=str(home),
            MIMICAL_DATABASE_URL=postgres_url,
            MIMICAL_SECRET_KEY="lockout-secret-of-at-least-32-chars",
            MIMICAL_PROXY_HOPS="1",
            FB_APP_SECRET=SECRET,
            FB_PAGE_ACCESS_TOKEN=PAGE_TOKEN,
            FB_VERIFY_TOKEN="lockout",
            FB_GRAPH_URL=graph_url,
            OMP_NUM_THREADS="1",
        )
        started = [
            ServerProcess(env, tmp_path / f"server-{n}.log", threads=16)
            for n in range(2)
        ]
        try:
            for server in started:
                server.wait_ready()
            yield [server.url for server in started], graph
        finally:
            for server in started:
                server.stop()


def api_guess(url: str, password: str, address: str = ATTACKER) -> int:
    """One `/getModel` try; its status (403 wrong, 429 locked, 200 right)."""
    response = requests.post(
        f"{url}/getModel",
        json={"chatbotName": "Juliet", "password": password},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )
    return response.status_code


def web_session(url: str, passwords: list[str], address: str = ATTACKER) -> list[str]:
    """A new web chat session: pick Juliet, send each password; what came back.

    A message the web's rate limit refuses comes back as its error code.
    """
    ws = Client.connect(
        url.replace("http://", "ws://") + "/chat/ws",
        headers={"X-Forwarded-For": address},
    )
    answers = []
    try:
        ws.send(json.dumps({"type": "hello"}))
        _next(ws, "history")
        # The bot disclosure, hello, and the list (here: no public persona).
        for _greeting in range(3):
            _next(ws, "reply")
        ws.send(json.dumps({"type": "choose", "persona": "Juliet"}))
        _next(ws, "reply", "error")
        for password in passwords:
            ws.send(json.dumps({"type": "message", "text": password}))
            frame = _next(ws, "reply", "error")
            answers.append(frame.get("text") if frame["type"] == "reply" else "error")
    except ConnectionClosed:  # closed for sending too fast: nothing more to say
        pass
    finally:
        ws.close()
    return answers


def _next(ws: Client, *kinds: str) -> dict:
    while True:
        data = ws.receive(timeout=30)
        assert data is not None, f"no {kinds} frame in time"
        frame = json.loads(data)
        if frame["type"] in kinds:
            return frame


def messenger_guesses(urls: list[str], graph: GraphStandIn, psid: str) -> list[str]:
    """A Messenger user picks Juliet and guesses, each message to the next server."""
    servers = itertools.cycle(urls)
    # A new user naming a persona is told it is a bot, greeted and asked for the
    # password.
    opening = _messenger_say(next(servers), graph, psid, "Juliet", replies=3)
    assert opening[-1] == texts.PASSWORD_PROMPT
    return [
        answer
        for n in range(MESSENGER_GUESSES)
        for answer in _messenger_say(next(servers), graph, psid, f"guess {n}")
    ]


def _messenger_say(
    url: str, graph: GraphStandIn, psid: str, text: str, replies: int = 1
) -> list[str]:
    """Post one signed message; the texts sent back once `replies` have come."""
    before = len(graph.texts(psid))
    body = payloads.encode(payloads.webhook([payloads.text(psid, text)]))
    posted = requests.post(
        f"{url}/webhooks/messenger",
        data=body,
        headers={
            "X-Hub-Signature-256": payloads.sign(body, SECRET),
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    assert posted.status_code == 200
    deadline = time.monotonic() + 30
    while len(graph.texts(psid)) < before + replies:
        assert time.monotonic() < deadline, "no Messenger reply in time"
        time.sleep(0.02)
    return graph.texts(psid)[before:]


def test_a_thousand_wrong_guesses_get_five_tries_and_the_owner_still_gets_in(
    servers: tuple[list[str], GraphStandIn],
) -> None:
    urls, graph = servers
    one, two = urls
    # Web sessions run four at a time: each server allows an address ten open
    # chats (more would be refused before any password is read).
    with ThreadPoolExecutor(8) as pool, ThreadPoolExecutor(4) as web_pool:
        messenger = pool.submit(messenger_guesses, urls, graph, "psid-guesser")
        web = web_pool.map(
            lambda n: web_session(
                urls[n % 2], [f"web {n}.{k}" for k in range(GUESSES_PER_SESSION)]
            ),
            range(WEB_SESSIONS),
        )
        api = pool.map(
            lambda n: api_guess(urls[n % 2], f"wrong {n}"), range(API_GUESSES)
        )
        api_statuses = Counter(api)
        web_answers = [answer for session in web for answer in session]
        messenger_answers = messenger.result()

    guesses = API_GUESSES + WEB_SESSIONS * GUESSES_PER_SESSION + MESSENGER_GUESSES
    assert guesses == 1000
    assert set(api_statuses) <= {403, 429}
    address_tries = api_statuses[403] + sum(a in TRIED for a in web_answers)
    assert address_tries == MAX_PASSWORD_ATTEMPTS
    # Both channels met the lock, the web in sessions opened after it began.
    assert api_statuses[429] > 0 and any(a.startswith(LOCKED) for a in web_answers)
    assert sum(a in TRIED for a in messenger_answers) == MAX_PASSWORD_ATTEMPTS
    assert len(messenger_answers) == MESSENGER_GUESSES

    # The attacker's address stays locked even with the right password ...
    assert api_guess(one, PASSWORD) == 429
    (refused,) = web_session(two, [PASSWORD])
    assert refused.startswith(LOCKED)
    # ... while the owner, from their own address, gets in everywhere.
    assert api_guess(two, PASSWORD, OWNER) == 200
    for url in urls:
        assert web_session(url, [PASSWORD], OWNER) == [
            texts.CHATTING.format(name="Juliet")
        ]
