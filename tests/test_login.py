"""Login: Argon2 in production, lock-out after repeated failures (django-axes), Chinese by default."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

import config.settings.base as production

pytestmark = pytest.mark.django_db


def test_production_hashes_passwords_with_argon2() -> None:
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_page_is_chinese_by_default() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.content.decode()


def test_successful_login_lands_on_the_workbench(personas: dict) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": "pw-123456"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_repeated_failures_lock_the_account_out(personas: dict) -> None:
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200  # the form again, with the error
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429  # the limit-th failure locks
    # Locked: even the right password is refused now.
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-123456"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
