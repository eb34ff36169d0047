"""The owner's pages: `/create` (upload an export, watch the build, keep the
manage token) and `/personas/NAME/manage` (the report, the switches, retraining,
deleting), with their templates and scripts beside the chat page's."""

from __future__ import annotations

from flask import Flask

from serving.pages import create, manage, report, settings
from serving.pages.common import register_page_errors

BLUEPRINTS = (create.bp, manage.bp, settings.bp, report.bp)


def register_pages(app: Flask) -> None:
    """Attach the pages; their forms' errors become pages, their scripts' JSON."""
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # the CSRF token's cookie
    register_page_errors(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


__all__ = ["BLUEPRINTS", "register_pages"]
