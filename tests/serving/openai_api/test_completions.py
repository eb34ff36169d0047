"""The /v1 routes through the official `openai` Python client, as front-ends use them.

Plain and streamed completions, several choices, lengths and stop sequences, a
turn of several messages, and every refusal an OpenAI client knows how to read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
import requests

from serving.channels.openai import OpenAILimits
from tests.serving.channels.tiny_persona import BURST
from tests.serving.openai_api.conftest import ApiWorld

TURN = "\n".join(BURST)
HELLO = [{"role": "user", "content": "hey how are you"}]


def test_models_lists_the_personas_anyone_may_use(api_world: ApiWorld) -> None:
    models = api_world.client().models.list()
    assert [m.id for m in models.data] == ["Mercutio", "Romeo"]
    assert {m.object for m in models.data} == {"model"}


def test_a_key_adds_its_private_persona_to_the_list(api_world: ApiWorld) -> None:
    models = api_world.client(api_world.new_key()).models.list()
    assert [m.id for m in models.data] == ["Juliet", "Mercutio", "Romeo"]


def test_a_plain_completion_answers_as_the_persona(api_world: ApiWorld) -> None:
    answer = api_world.client().chat.completions.create(model="romeo", messages=HELLO)
    (choice,) = answer.choices
    assert answer.object == "chat.completion" and answer.model == "Romeo"
    assert choice.message.role == "assistant" and choice.message.content.strip()
    assert choice.finish_reason in ("stop", "length")
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == len("hey how are you")
    assert answer.usage.completion_tokens == len(choice.message.content)


def test_a_turn_of_several_messages_is_one_completion(api_world: ApiWorld) -> None:
    answer = api_world.client().chat.completions.create(
        model="Mercutio", messages=HELLO
    )
    assert answer.choices[0].message.content == TURN
    assert answer.choices[0].finish_reason == "stop"


def test_a_streamed_completion_arrives_as_server_sent_events(
    api_world: ApiWorld,
) -> None:
    stream = api_world.client().chat.completions.create(
        model="Mercutio",
        messages=HELLO,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    assert deltas[0].role == "assistant"
    assert "".join(d.content or "" for d in deltas) == TURN
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1


def test_n_choices_are_written_in_one_request(api_world: ApiWorld) -> None:
    answer = api_world.client().chat.completions.create(
        model="Mercutio", messages=HELLO, n=3
    )
    assert [c.index for c in answer.choices] == [0, 1, 2]
    assert [c.message.content for c in answer.choices] == [TURN] * 3


@pytest.mark.parametrize(
    ("options", "content", "finish_reason"),
    [
        ({"stop": "\n"}, BURST[0], "stop"),
        ({"stop": ["sure", "xyz"]}, BURST[0], "stop"),
        ({"max_tokens": 4}, "ok\ns", "length"),
        ({"max_completion_tokens": 3}, "ok", "length"),
        ({"temperature": 0}, TURN, "stop"),
    ],
)
def test_stop_length_and_temperature(
    api_world: ApiWorld, options: dict[str, Any], content: str, finish_reason: str
) -> None:
    answer = api_world.client().chat.completions.create(
        model="Mercutio", messages=HELLO, **options
    )
    assert answer.choices[0].message.content == content
    assert answer.choices[0].finish_reason == finish_reason


def test_the_whole_conversation_is_read_and_system_prompts_are_left_out(
    api_world: ApiWorld,
) -> None:
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "ok"},
        {"role": "assistant", "content": "sure thing"},
        {"role": "user", "content": [{"type": "text", "text": "see you later then"}]},
    ]
    answer = api_world.client().chat.completions.create(
        model="Mercutio", messages=messages
    )
    assert answer.choices[0].message.content == TURN
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == len("hi" + TURN + "see you later then")


def test_a_wrong_key_is_refused(api_world: ApiWorld) -> None:
    with pytest.raises(openai.AuthenticationError) as refused:
        api_world.client("mimical-not-a-key").chat.completions.create(
            model="Romeo", messages=HELLO
        )
    assert refused.value.status_code == 401
    assert refused.value.code == "invalid_api_key"


@pytest.mark.parametrize("model", ["Nobody", "Juliet"])
def test_unknown_and_private_personas_are_not_found_without_a_key(
    api_world: ApiWorld, model: str
) -> None:
    with pytest.raises(openai.NotFoundError) as refused:
        api_world.client().chat.completions.create(model=model, messages=HELLO)
    assert refused.value.code == "model_not_found"
    assert refused.value.param == "model"


def test_a_private_persona_answers_with_its_key_until_revoked(
    api_world: ApiWorld,
) -> None:
    key = api_world.new_key("my front-end")
    answer = api_world.client(key).chat.completions.create(
        model="Juliet", messages=HELLO
    )
    assert answer.model == "Juliet" and answer.choices[0].message.content.strip()
    owner = {"Authorization": f"Bearer {api_world.juliet_token}"}
    listed = requests.get(
        f"{api_world.url}/api/personas/Juliet/keys", headers=owner, timeout=10
    ).json()["keys"]
    (mine,) = [k for k in listed if k["label"] == "my front-end"]
    assert key.startswith(mine["prefix"]) and "key" not in mine
    revoked = requests.delete(
        f"{api_world.url}/api/personas/Juliet/keys/{mine['id']}",
        headers=owner,
        timeout=10,
    )
    assert revoked.json() == {"revoked": mine["id"]}
    with pytest.raises(openai.AuthenticationError):
        api_world.client(key).chat.completions.create(model="Juliet", messages=HELLO)


def test_a_persona_still_being_built_says_so(api_world: ApiWorld) -> None:
    with pytest.raises(openai.InternalServerError) as refused:
        api_world.client().chat.completions.create(model="Tybalt", messages=HELLO)
    assert refused.value.status_code == 503
    assert refused.value.code == "model_not_ready"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": HELLO}, "model"),
        ({"model": "Romeo"}, "messages"),
        ({"model": "Romeo", "messages": []}, "messages"),
        ({"model": "Romeo", "messages": [{"role": "tool", "content": "x"}]}, None),
        ({"model": "Romeo", "messages": [{"role": "system", "content": "x"}]}, None),
        ({"model": "Romeo", "messages": HELLO, "n": 0}, "n"),
        ({"model": "Romeo", "messages": HELLO, "n": 9}, "n"),
        ({"model": "Romeo", "messages": HELLO, "temperature": 2.5}, "temperature"),
        ({"model": "Romeo", "messages": HELLO, "max_tokens": 0}, "max_tokens"),
        ({"model": "Romeo", "messages": HELLO, "stop": ["a"] * 5}, "stop"),
        ({"model": "Romeo", "messages": HELLO, "stream": "yes"}, "stream"),
        (
            {
                "model": "Romeo",
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "x": 1}]}
                ],
            },
            "messages[0].content",
        ),
    ],
)
def test_malformed_requests_get_openai_shaped_400s(
    api_world: ApiWorld, body: dict[str, Any], param: str | None
) -> None:
    response = requests.post(
        f"{api_world.url}/v1/chat/completions", json=body, timeout=10
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    if param is not None:
        assert error["param"] == param


def test_anonymous_callers_are_rate_limited_per_address(
    api_world: ApiWorld, serve_with: Callable[[OpenAILimits], str]
) -> None:
    url = serve_with(OpenAILimits(burst=2, per_minute=0.001))
    client = api_world.client(url=url)
    for _ in range(2):
        client.models.list()
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model="Romeo", messages=HELLO)
    assert int(refused.value.response.headers["Retry-After"]) > 0
    keyed = api_world.client(api_world.new_key(), url=url)
    assert keyed.chat.completions.create(model="Romeo", messages=HELLO).choices
