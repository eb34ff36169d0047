"""The owner's page forms that change a persona: public, password, kept
conversations, widget origins, API keys, and training again.

Each is a plain HTML form (it works without scripts and with the keyboard)
carrying the CSRF token; each answers with a redirect back to the page, except
a new API key, which is shown in the answer itself, once, and kept nowhere.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for

from serving.api.errors import BadRequest, NotFound
from serving.api.state import app_state
from serving.api_keys import create_api_key, revoke_api_key
from serving.channels.web.origins import normalize_origins
from serving.jobs.uploads import discard_upload, stash_upload
from serving.owner_actions import (
    conversations_download,
    forget_conversations,
    start_retrain,
    stored_conversation_rows,
)
from serving.pages.common import owned_here, page, show_errors_as_pages
from serving.pages.csrf import check_csrf
from serving.pages.manage import manage_context
from serving.personas import set_password

bp = Blueprint("settings", __name__, url_prefix="/personas/<name>")
show_errors_as_pages(bp)


@bp.before_request
def guard() -> None:
    """Every form here changes something: it must come from our own page."""
    if request.method == "POST":
        check_csrf()


def _back(name: str, notice: str, section: str = "settings") -> Response:
    flash(notice)
    return redirect(url_for("manage.manage_page", name=name) + f"#{section}", 303)


@bp.post("/settings")
def settings(name: str) -> Response:
    """Listed in `%show all` or not; visitors' web chats kept or not."""
    with owned_here(name) as (_session, persona):
        persona.public = request.form.get("public") == "on"
        persona.store_conversations = request.form.get("store_conversations") == "on"
        return _back(persona.name, "Settings saved.")


@bp.post("/password")
def password(name: str) -> Response:
    """Set or change the chat password, or remove it."""
    remove = request.form.get("remove") == "on"
    new = request.form.get("password", "")
    if not remove and not new:
        raise BadRequest("type a password, or tick “no password”")
    with owned_here(name) as (session, persona):
        set_password(session, persona, None if remove else new)
        notice = "Password removed." if remove else "Password set."
        return _back(persona.name, notice, "password")


@bp.post("/origins")
def origins(name: str) -> Response:
    """The sites whose pages may show the chat widget, one per line."""
    lines = [line for line in request.form.get("origins", "").splitlines() if line]
    allowed = normalize_origins([line.strip() for line in lines if line.strip()])
    with owned_here(name) as (_session, persona):
        persona.embed_origins = allowed
        return _back(persona.name, "Widget sites saved.", "widget")


@bp.post("/keys")
def new_key(name: str) -> Response:
    """Make an API key and show it in this answer only."""
    label = request.form.get("label", "").strip()
    secret_key = app_state().services.config.secret_key
    with owned_here(name) as (session, persona):
        row, key = create_api_key(session, secret_key, persona, label)
        context = manage_context(session, persona, new_key={"key": key, "row": row})
        return page("pages/manage.html", 201, **context)


@bp.post("/keys/<int:key_id>/revoke")
def revoke_key(name: str, key_id: int) -> Response:
    """Revoke an API key: programs using it are refused from now on."""
    with owned_here(name) as (session, persona):
        if not revoke_api_key(session, persona, key_id):
            raise NotFound(f"{persona.name} has no key {key_id}")
        return _back(persona.name, "Key revoked.", "keys")


@bp.get("/conversations.jsonl")
def download_conversations(name: str) -> Response:
    """The kept web conversations as Message JSON lines."""
    with owned_here(name) as (session, persona):
        rows = stored_conversation_rows(session, persona)
        return conversations_download(persona.name, rows)


@bp.post("/conversations/forget")
def forget(name: str) -> Response:
    """Delete every kept web conversation."""
    with owned_here(name) as (session, persona):
        gone = forget_conversations(session, persona)
        return _back(persona.name, f"{gone} kept messages deleted.", "conversations")


@bp.post("/retrain")
def retrain(name: str) -> Response:
    """Train again with more minutes; then watch it on /create."""
    try:
        minutes = float(request.form.get("minutes", ""))
    except ValueError:
        raise BadRequest("give the training time in minutes") from None
    app = app_state()
    most = app.services.config.api_max_minutes
    if not 0 < minutes <= most:  # NaN fails this too
        raise BadRequest(f"training time is above 0 and at most {most:g} minutes")
    with owned_here(name) as (session, persona):
        upload = None
        export = request.files.get("export")
        if export is not None and export.filename:
            config, storage = app.services.config, app.services.storage
            upload = stash_upload(config, storage, export.stream, export.filename)
        try:
            start_retrain(app.services, app.runner, session, persona, minutes, upload)
        except BaseException:
            if upload is not None:
                discard_upload(app.services.config, app.services.storage, upload)
            raise
    return redirect(url_for("create.create_page"), 303)
