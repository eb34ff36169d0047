"""Reading a create-persona request: a multipart export upload or a JSON body.

Multipart fields: `name`, `password` (optional), `public`, `me` (optional),
`keep_data`, `minutes`, `train` (a JSON object) and the file `export`. JSON body:
`{name, password?, public, me?, keep_data?, minutes?, train?, source: {type:
"messenger", cookies: {name: value}, thread_ids: [...]}}`. Cookies are sealed before
anything is stored; the password goes only to the hasher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Request

from serving.api.admission import admit_creation
from serving.api.errors import BadRequest
from serving.api.state import AppState
from serving.jobs import Registration, register_persona
from serving.jobs.runner import SubmitError
from serving.jobs.sealing import seal_cookies
from serving.jobs.uploads import discard_upload, stash_upload
from serving.logs import request_id_var
from serving.models import Persona
from serving.personas import check_name
from serving.services import Services

MAX_JSON_BYTES = 256 * 1024
MAX_THREADS = 200
# Training settings a caller may choose, with their allowed range: enough for a
# good persona, small enough that no caller can hold a worker's memory hostage.
TRAIN_KEYS: dict[str, tuple[type, float, float]] = {
    "max_steps": (int, 1, 200_000),
    "checkpoint_seconds": (float, 1.0, 3600.0),
    "batch_size": (int, 1, 64),
    "seq_len": (int, 8, 256),
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass
class CreateRequest:
    """A validated request: what to register and the job's source."""

    name: str
    public: bool
    password: str | None = field(repr=False)
    source: dict[str, Any]


def start_build(state: AppState, request: Request, **source: Any) -> Registration:
    """Register the persona a request asks for and queue its build.

    `source` adds job options the caller decides (the /create page asks to
    confirm the owner); an upload is dropped again if registering fails.
    """
    services = state.services
    client = admit_creation(state)  # before a byte of the body is read
    name = request.form.get("name") if request.form else None
    if name:
        check_name(name)  # refuse a bad name before saving a large upload
    wanted = read_create_request(request, services)
    wanted.source.update(source, request_id=request_id_var.get(), client=client)
    try:
        registration = register_persona(
            services.db, wanted.name, wanted.public, wanted.password, wanted.source
        )
    except BaseException:
        discard_upload(services.config, services.storage, wanted.source)
        raise
    try:
        state.runner.submit(registration.job_id)
    except SubmitError:
        # Nothing may stay pending with nobody to build it: the name is free again.
        with services.db.session() as session:
            persona = session.get(Persona, registration.persona_id)
            if persona is not None:
                session.delete(persona)
        discard_upload(services.config, services.storage, wanted.source)
        raise
    return registration


def read_create_request(request: Request, services: Services) -> CreateRequest:
    """Validate the request; save the upload or seal the cookies for the job."""
    if request.mimetype == "multipart/form-data":
        return _from_form(request, services)
    if request.mimetype == "application/json":
        if (request.content_length or 0) > MAX_JSON_BYTES:
            raise BadRequest(f"a JSON body is at most {MAX_JSON_BYTES} bytes")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("the body is not a JSON object")
        return _from_json(body, services)
    raise BadRequest(
        "send multipart/form-data with an `export` file, or JSON with a Messenger "
        "`source`"
    )


def _from_form(request: Request, services: Services) -> CreateRequest:
    form = request.form
    upload = request.files.get("export")
    if upload is None or not upload.filename:
        raise BadRequest("the `export` file is missing")
    options = _options(
        services.config.api_max_minutes,
        minutes=form.get("minutes") or None,
        train=_json_field(form.get("train")),
        me=form.get("me") or None,
        keep_data=_flag(form.get("keep_data", ""), "keep_data"),
        from_scratch=_flag(form.get("from_scratch", ""), "from_scratch"),
    )
    name, public = (
        _required_name(form.get("name")),
        _flag(form.get("public", ""), "public"),
    )
    # A blank password field in an HTML form means "no password".
    password = form.get("password") or None
    source = {"type": "export", **options}
    source.update(
        stash_upload(services.config, services.storage, upload.stream, upload.filename)
    )
    return CreateRequest(name, public, password, source)


def _from_json(body: dict[str, Any], services: Services) -> CreateRequest:
    spec = body.get("source")
    if not isinstance(spec, dict) or spec.get("type") != "messenger":
        raise BadRequest(
            'JSON requests need `source: {"type": "messenger", ...}`; upload an '
            "export as multipart/form-data instead"
        )
    cookies = spec.get("cookies")
    if (
        not isinstance(cookies, dict)
        or not cookies
        or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in cookies.items()
        )
    ):
        raise BadRequest("`source.cookies` must be an object of cookie name: value")
    threads = spec.get("thread_ids")
    if (
        not isinstance(threads, list)
        or not threads
        or len(threads) > MAX_THREADS
        or not all(isinstance(t, str | int) and str(t) for t in threads)
    ):
        raise BadRequest(f"`source.thread_ids` must list 1-{MAX_THREADS} thread ids")
    password = body.get("password")
    if password is not None and not isinstance(password, str):
        raise BadRequest("`password` must be a string")
    public = body.get("public", False)
    if not isinstance(public, bool):
        raise BadRequest("`public` must be true or false")
    keep_data = body.get("keep_data", False)
    from_scratch = body.get("from_scratch", False)
    if not isinstance(keep_data, bool) or not isinstance(from_scratch, bool):
        raise BadRequest("`keep_data` and `from_scratch` must be true or false")
    me = body.get("me")
    if me is not None and not isinstance(me, str):
        raise BadRequest("`me` must be a string")
    options = _options(
        services.config.api_max_minutes,
        minutes=body.get("minutes"),
        train=body.get("train"),
        me=me,
        keep_data=keep_data,
        from_scratch=from_scratch,
    )
    source = {
        "type": "messenger",
        **options,
        "thread_ids": [str(t) for t in threads],
        "cookies_sealed": seal_cookies(services.config.secret_key, cookies),
    }
    return CreateRequest(_required_name(body.get("name")), public, password, source)


def _options(
    max_minutes: float,
    minutes: Any,
    train: Any,
    me: str | None,
    keep_data: bool,
    from_scratch: bool,
) -> dict[str, Any]:
    options: dict[str, Any] = {"me": me, "keep_data": keep_data}
    if from_scratch:
        options["from_scratch"] = True
    if minutes is not None:
        try:
            value = float(minutes)
        except (TypeError, ValueError):
            raise BadRequest("`minutes` must be a number") from None
        if not 0 < value <= max_minutes:  # NaN fails this too
            raise BadRequest(f"`minutes` must be above 0 and at most {max_minutes:g}")
        options["minutes"] = value
    if train is not None:
        options["train"] = _train_options(train)
    return options


def _train_options(train: Any) -> dict[str, Any]:
    if not isinstance(train, dict):
        raise BadRequest("`train` must be an object")
    unknown = sorted(set(train) - set(TRAIN_KEYS))
    if unknown:
        raise BadRequest(
            f"unknown `train` keys: {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(TRAIN_KEYS))}"
        )
    checked: dict[str, Any] = {}
    for key, value in train.items():
        kind, lowest, highest = TRAIN_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(f"`train.{key}` must be a number")
        if kind is int and value != int(value):
            raise BadRequest(f"`train.{key}` must be a whole number")
        if not lowest <= value <= highest:
            raise BadRequest(f"`train.{key}` must be from {lowest} to {highest}")
        checked[key] = kind(value)
    return checked


def _json_field(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise BadRequest("`train` must be a JSON object") from None


def _flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest(f"`{name}` must be true or false")


def _required_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("`name` is required")
    return name
