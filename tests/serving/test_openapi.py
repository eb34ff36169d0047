"""The OpenAPI document and the routes the app registers say the same thing."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from serving.api import BLUEPRINTS

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    names = {blueprint.name for blueprint in BLUEPRINTS}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in names:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                routes.add((path, method.lower()))
    return routes


def test_the_document_lists_exactly_the_api_routes(
    app: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/openapi.json").json

    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }

    assert document["openapi"].startswith("3.1")
    assert documented == _api_routes(app)


def test_every_operation_has_a_summary_and_responses(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["summary"], (path, method)
            assert operation["responses"], (path, method)
