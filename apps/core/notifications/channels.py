"""The outside channels of the notification service: e-mail (Django's mail, as surveys send), the WeCom (企业微信)
group robot (webhook with its ``key``) and the DingTalk (钉钉) group robot (webhook with its ``access_token``, signed
mode: ``timestamp`` in ms and ``sign`` = urlencoded base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret).

Configuration: an administrator's ``NotificationChannel`` row when there is one, else the settings (env, see
``config/settings/base.py`` ``NOTIFY_*``). Each channel is rate-limited per minute by a counter in the cache, which
is Redis in production and so shared by every worker (both robots refuse more than ~20 messages a minute).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage

from apps.core.models import NotificationChannel, NotificationChannelName

log = logging.getLogger(__name__)
EMAIL, WECOM, DINGTALK = NotificationChannelName.EMAIL, NotificationChannelName.WECOM, NotificationChannelName.DINGTALK
DEFAULT_URLS = {
    WECOM: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    DINGTALK: "https://oapi.dingtalk.com/robot/send",
}
TIMEOUT_SECONDS = 5


class DeliveryError(Exception):
    """The channel refused or could not take the message (worth retrying)."""


@dataclass(frozen=True)
class ChannelConfig:
    channel: str
    enabled: bool
    url: str = ""
    key: str = ""
    secret: str = ""
    rate_per_minute: int = 20

    @property
    def ready(self) -> bool:
        """Enabled and with what it needs to send (a robot needs its key)."""
        return self.enabled and (self.channel == EMAIL or bool(self.key))


def _from_settings(channel: str) -> ChannelConfig:
    conf = getattr(settings, "NOTIFY_CHANNELS", {}).get(channel, {})
    return ChannelConfig(
        channel=channel,
        enabled=bool(conf.get("enabled", False)),
        url=conf.get("url", "") or "",
        key=conf.get("key", "") or "",
        secret=conf.get("secret", "") or "",
        rate_per_minute=int(conf.get("rate_per_minute", 20) or 20),
    )


def channel_config(channel: str) -> ChannelConfig:
    """The configuration in force for ``channel``: the administrator's row, else the settings."""
    row = NotificationChannel.objects.filter(channel=channel).first()
    if row is None:
        return _from_settings(channel)
    return ChannelConfig(
        channel=channel,
        enabled=row.enabled,
        url=row.url,
        key=row.key,
        secret=row.secret,
        rate_per_minute=row.rate_per_minute,
    )


def channel_configs() -> dict[str, ChannelConfig]:
    rows = {r.channel: r for r in NotificationChannel.objects.all()}
    configs = {}
    for channel in NotificationChannelName.values:
        row = rows.get(channel)
        configs[channel] = (
            _from_settings(channel)
            if row is None
            else ChannelConfig(
                channel=channel,
                enabled=row.enabled,
                url=row.url,
                key=row.key,
                secret=row.secret,
                rate_per_minute=row.rate_per_minute,
            )
        )
    return configs


# --- rate limit -----------------------------------------------------------------------------------------------


def rate_limit_take(channel: str, per_minute: int, *, now: float | None = None) -> float:
    """Take one of ``channel``'s messages of the current minute; return 0 if taken, else the seconds until the next
    minute starts. A fixed window counted in the cache (atomic ``add`` + ``incr``), shared across workers."""
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"notify:rate:{channel}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
            count = 1
    except Exception:  # noqa: BLE001 - the cache is down: send (the robot's own limit still answers an error)
        log.warning("rate limit counter unavailable for %s", channel, exc_info=True)
        return 0.0
    if count <= per_minute:
        return 0.0
    return max((window + 1) * 60 - now, 0.5)


# --- senders --------------------------------------------------------------------------------------------------


def text_of(title: str, body: str = "", url: str = "") -> str:
    parts = [title]
    if body:
        parts.append(body)
    if url:
        parts.append(url if "://" in url else f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{url}")
    return "\n".join(parts)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signed mode: base64 of HMAC-SHA256("timestamp\\nsecret", key=secret), urlencoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _with_query(url: str, **params: str) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + "&".join(f"{k}={v}" for k, v in params.items())


def _post_json(url: str, payload: dict[str, Any]) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError(f"not JSON: {raw[:200]!r}") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def send_wecom(config: ChannelConfig, *, text: str, mobiles: list[str]) -> None:
    url = _with_query(config.url or DEFAULT_URLS[WECOM], key=urllib.parse.quote_plus(config.key))
    payload = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    _post_json(url, payload)


def send_dingtalk(config: ChannelConfig, *, text: str, mobiles: list[str], now_ms: int | None = None) -> None:
    params = {"access_token": urllib.parse.quote_plus(config.key)}
    if config.secret:
        timestamp = int(time.time() * 1000) if now_ms is None else now_ms
        params |= {"timestamp": str(timestamp), "sign": dingtalk_sign(config.secret, timestamp)}
    url = _with_query(config.url or DEFAULT_URLS[DINGTALK], **params)
    mentions = "".join(f" @{m}" for m in mobiles)
    payload = {"msgtype": "text", "text": {"content": text + mentions}, "at": {"atMobiles": mobiles, "isAtAll": False}}
    _post_json(url, payload)


def send_email(config: ChannelConfig, *, subject: str, text: str, addresses: list[str]) -> None:
    if not addresses:
        return
    try:
        # Bcc: the recipients do not see each other's addresses.
        EmailMessage(subject, text, None, [], bcc=addresses).send()
    except Exception as exc:  # SMTP errors, refused connections …
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def user_mobile(user: Any) -> str:
    employee = getattr(user, "employee", None)  # org's Employee, if the user is one (core does not import org)
    return getattr(employee, "mobile", "") or ""


def user_email(user: Any) -> str:
    employee = getattr(user, "employee", None)
    return user.email or getattr(employee, "email", "") or ""
