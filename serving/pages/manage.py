"""`/personas/NAME/manage`: the owner's page, unlocked with the manage token.

The token is posted once in a form (never in a URL) and swapped for the owner's
cookie (`grants`). The page shows status and figures, the "does it sound like
you?" report, the switches (`settings`), retraining, and deleting after a
confirmation page that lists what goes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from serving.api.owner import limit_owner_tries
from serving.api.state import app_state
from serving.api.views import job_json
from serving.api_keys import list_api_keys
from serving.models import Persona, StoredMessage
from serving.owner_actions import (
    UNFINISHED,
    kept_source,
    latest_job,
    removal_inventory,
    remove_persona,
)
from serving.pages.common import (
    grants,
    owned_here,
    owns,
    page,
    show_errors_as_pages,
)
from serving.pages.csrf import check_csrf
from serving.pages.report import report_view
from serving.personas import check_manage_token, get_persona

bp = Blueprint("manage", __name__)
show_errors_as_pages(bp)


@bp.get("/personas/<name>/manage")
def manage_page(name: str) -> Response:
    """The owner's page, or the form that unlocks it."""
    with app_state().services.db.session() as session:
        persona = get_persona(session, name)
        if not owns(persona):
            return page("pages/unlock.html", 401, name=persona.name, error="")
        return page("pages/manage.html", **manage_context(session, persona))


def manage_context(session: Session, persona: Persona, **extra: Any) -> dict[str, Any]:
    """Everything the owner's page shows of a persona."""
    job = latest_job(session, persona)
    stored = session.scalar(
        select(func.count()).where(StoredMessage.persona_id == persona.id)
    )
    figures = dict(persona.figures or {})
    return {
        "persona": persona,
        "figures": figures,
        "job": job_json(job) if job is not None else None,
        "building": job is not None and job.state in UNFINISHED,
        "keys": list_api_keys(session, persona),
        "stored_messages": int(stored or 0),
        "report": report_view(app_state().services.storage, persona.artifact_key),
        "kept_export": kept_source(app_state().services, persona) is not None,
        "minutes": app_state().services.config.train_minutes,
        "max_minutes": app_state().services.config.api_max_minutes,
        "widget_src": url_for("static", filename="widget.js", _external=True),
        "new_key": None,
        **extra,
    }


@bp.post("/personas/<name>/unlock")
def unlock(name: str) -> Response:
    """Swap the manage token for the owner's cookie; a wrong one is refused."""
    check_csrf()
    limit_owner_tries()
    token = request.form.get("token", "").strip()
    with app_state().services.db.session() as session:
        persona = get_persona(session, name)
        if not token or not check_manage_token(persona, token):
            error = "That is not the manage token of this persona."
            return page("pages/unlock.html", 403, name=persona.name, error=error)
        response = redirect(url_for("manage.manage_page", name=persona.name), 303)
        grants().grant(request, response, persona)
    return response


@bp.post("/personas/<name>/lock")
def lock(name: str) -> Response:
    """Forget this browser's right to manage the persona."""
    check_csrf()
    with app_state().services.db.session() as session:
        persona = get_persona(session, name)
        response = redirect(url_for("manage.manage_page", name=persona.name), 303)
        grants().revoke(request, response, persona.id)
    return response


@bp.get("/personas/<name>/delete")
def confirm_delete(name: str) -> Response:
    """What deleting removes, with the button that does it."""
    with owned_here(name) as (session, persona):
        inventory = removal_inventory(session, persona)
        return page("pages/delete.html", persona=persona, inventory=inventory)


@bp.post("/personas/<name>/delete")
def delete(name: str) -> Response:
    """Delete the persona and every trace of it; this browser's grant goes too."""
    check_csrf()
    app = app_state()
    with owned_here(name) as (_session, persona):
        persona_id = persona.id
    deleted = remove_persona(app.services, app.cache, persona_id)
    response = page("pages/message.html", title="Deleted",
                    message=f"{deleted} and everything it held are gone.")  # fmt: skip
    grants().revoke(request, response, persona_id)
    return response
