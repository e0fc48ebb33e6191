"""The API's contract: a valid OpenAPI 3 schema, interactive docs served without a CDN, token authentication."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


class ApiSchemaTests:
    @pytest.fixture
    def schema(self, personas: dict[str, Any]) -> dict[str, Any]:
        response = personas["admin"].client().get(SCHEMA, {"format": "json"})
        assert response.status_code == 200
        return response.json()

    def test_schema_is_valid_openapi_3(self, schema: dict[str, Any]) -> None:
        validate(schema)
        assert schema["openapi"].startswith("3.")

    def test_schema_describes_the_foundation_resources(self, schema: dict[str, Any]) -> None:
        paths = schema["paths"]
        for path in (
            "/api/v1/departments/",
            "/api/v1/departments/{id}/",
            "/api/v1/employees/",
            "/api/v1/employees/{id}/",
            "/api/v1/me/",
        ):
            assert path in paths, path
        params = {p["name"] for p in paths["/api/v1/employees/"]["get"]["parameters"]}
        assert {"page", "page_size", "department", "active", "search"} <= params
        assert "patch" in paths["/api/v1/me/"]

    def test_schema_names_session_and_token_auth(self, schema: dict[str, Any]) -> None:
        schemes = schema["components"]["securitySchemes"]
        assert {"cookieAuth", "tokenAuth"} <= set(schemes)


class ApiDocsTests:
    def test_docs_render_from_local_assets_only(self, personas: dict[str, Any]) -> None:
        response = personas["rep_alice"].client().get(DOCS)
        assert response.status_code == 200
        html = response.content.decode()
        assert "SwaggerUIBundle" in html
        assert not re.search(r"https?://", html), "the docs page must not load anything from another host"
        assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
        for asset in assets:
            assert finders.find(asset), f"static asset {asset} is not installed"


class TokenAuthTests:
    def test_a_token_authenticates_api_calls(self, personas: dict[str, Any]) -> None:
        token = Token.objects.create(user=personas["rep_alice"].user)
        response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200
        assert response.json()["username"] == "alice"

    def test_a_wrong_token_is_refused(self, personas: dict[str, Any]) -> None:
        response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
        assert response.status_code in (401, 403)

    def test_token_calls_keep_the_data_scope(self, personas: dict[str, Any]) -> None:
        token = Token.objects.create(user=personas["rep_alice"].user)
        carol = personas["rep_carol"].user.employee
        response = Client().get(f"/api/v1/employees/{carol.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 404


class AnonymousVisitorTests:
    """The API's description is not for the public: anonymous visitors are sent to the login page."""

    def test_anonymous_visitor_gets_no_schema(self, db: Any) -> None:
        response = Client().get(SCHEMA, {"format": "json"})
        assert response.status_code in (401, 403)
        assert b"/api/v1/" not in response.content

    def test_anonymous_visitor_is_sent_to_login_from_the_docs(self, db: Any) -> None:
        response = Client().get(DOCS)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/api/docs/")

    def test_a_token_client_reads_the_schema(self, personas: dict[str, Any]) -> None:
        token = Token.objects.create(user=personas["rep_alice"].user)
        response = Client().get(SCHEMA, {"format": "json"}, HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200
