"""The OpenAPI document and the routes the app serves say the same thing."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _served_routes(app: Flask) -> set[tuple[str, str]]:
    """Every (path, method) in the app's URL map, in OpenAPI's path syntax."""
    routes = set()
    for rule in app.url_map.iter_rules():
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                routes.add((path, method.lower()))
    return routes


def test_the_document_lists_exactly_the_routes_the_app_serves(
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
    assert documented == _served_routes(app)


def test_every_operation_has_a_summary_and_responses(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["summary"], (path, method)
            assert operation["responses"], (path, method)


def test_every_reference_resolves(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    text = str(document)
    schemes = document["components"]["securitySchemes"]

    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"], name
    for operations in document["paths"].values():
        for method, operation in operations.items():
            for requirement in (
                operation.get("security", []) if method != "parameters" else []
            ):
                assert set(requirement) <= set(schemes), requirement
