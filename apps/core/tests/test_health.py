"""``/healthz/`` for the load balancer, and the beat's heartbeat it reports."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from apps.core import health, tasks

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_login_with_each_check() -> None:
    cache.delete(health.HEARTBEAT_KEY)
    response = Client().get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"]
    assert body["celery_heartbeat_age_s"] is None  # no beat has run
    assert "no-cache" in response["Cache-Control"]


def test_the_heartbeat_task_makes_the_age_known() -> None:
    tasks.heartbeat()
    age = Client().get("/healthz/").json()["celery_heartbeat_age_s"]
    assert age is not None and 0 <= age < 5
    health.heartbeat_write(time.time() - 600)
    assert 599 <= health.heartbeat_age() <= 605


def test_a_broken_cache_answers_503(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(health.cache, "set", broken)
    response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json()["cache"] == {"ok": False, "error": "ConnectionError"}


def test_the_heartbeat_is_on_the_beat_schedule() -> None:
    from config.celery import app

    assert any(entry["task"] == "core.heartbeat" for entry in app.conf.beat_schedule.values())
