"""Settings: everything lives here, read from the environment through ``config.env``.

Production behaviour is driven by environment variables (DEBUG defaults to off, secure cookies follow it);
``dev`` and ``test`` are short overrides.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off (set SECRET_KEY or SECRET_KEY_FILE).")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-0123456789abcdefghijklmnop"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "apps.core",
    "apps.org",
    "apps.policy",
    "apps.customers",
    "apps.improvements",
    "apps.surveys",
    "apps.marketing",
    "apps.sales",
    "apps.service",
    "apps.performance",
    "apps.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.errors.FriendlyNotFoundMiddleware",  # DEBUG only: the project's 404 page instead of the URL list
    "apps.core.db_router.ReplicaMiddleware",  # dashboards and reports read from the replica, when there is one
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apps.core.context_processors.shell",
                "apps.policy.context_processors.acknowledgement",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'salesops.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database, for several people at once: WAL lets readers work while one writer writes; every
    # transaction takes the write lock when it begins (IMMEDIATE), so a transaction never fails half-way trying to
    # upgrade a read lock; and a writer waits up to the busy timeout for its turn instead of answering "database is
    # locked". One writer at a time is what serialises the pool's claim cap and the imports on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
        "init_command": "PRAGMA journal_mode=WAL",
    }
# A read replica (PostgreSQL streaming replication), optional: the pages named in REPLICA_URL_NAMES read from it,
# every write and every other page use the primary (apps.core.db_router). Tests mirror it to the primary.
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["apps.core.db_router.ReplicaRouter"]
# ``namespace:name`` or ``namespace:*``: the dashboards, the attainment tree and the reports.
REPLICA_URL_NAMES = env_list(
    "REPLICA_URL_NAMES",
    "marketing:index,sales:index,sales:attainment,sales:attainment_drilldown,service:dashboard,reports:*",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.org.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures (django-axes): 5 failures per username+address, 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT")) if env_str("STATIC_ROOT") else VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Security: secure by default; DEBUG (development) relaxes cookies and redirects.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front append to X-Forwarded-For; 0 trusts REMOTE_ADDR only (the public pages'
# rate limits count per client address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: the client is REMOTE_ADDR; nginx alone:
# 1). The public support form rate-limits by the address found this way; entries beyond them could be forged.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp 4): scripts and style sheets come from our own static files only — no inline
# <script>, no on*= handler, no eval (htmx's allowEval is off in base.html). Data for scripts travels in
# <script type="application/json"> blocks (json_script) and data-* attributes. No <style> element either, except one
# that carries the request's nonce (the printable contract keeps its A4 rules in the page,
# <style nonce="{{ request.csp_nonce }}">; a nonce enters the header only on a page that uses one). Style
# *attributes* stay allowed (style-src-attr): ECharts writes its tooltips as HTML with style attributes and pages
# size their chart boxes with them; an attribute holds no selector, so it cannot be used to read the page. data:
# images are Bootstrap's form-control icons. See docs/architecture.md, "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that hangs must not hold a notification delivery "sending" past core.services.delivery.STALE_CLAIM
# (10 minutes), after which the sweep claims it again: the robots' posts time out after 5 s, mail after this.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "salesops@localhost")
# The public address, for links sent to customers by mail (survey links); the pages build them from the request.
SITE_URL = env_str("SITE_URL", "")
COMPANY_NAME = env_str("COMPANY_NAME", "")  # put before the subject of mails to customers

# Notifications outside the app (core.notifications.channels): e-mail and the WeCom / DingTalk group robots. An
# administrator's entry on the channels page (/notifications/channels/) takes precedence over these.
NOTIFY_CHANNELS = {
    "email": {
        "enabled": env_bool("NOTIFY_EMAIL_ENABLED", False),
        "rate_per_minute": env_int("NOTIFY_EMAIL_RATE_PER_MINUTE", 60),
    },
    "wecom": {
        "enabled": env_bool("NOTIFY_WECOM_ENABLED", bool(env_str("NOTIFY_WECOM_KEY"))),
        "url": env_str("NOTIFY_WECOM_URL"),
        "key": env_str("NOTIFY_WECOM_KEY"),
        "rate_per_minute": env_int("NOTIFY_WECOM_RATE_PER_MINUTE", 20),
    },
    "dingtalk": {
        "enabled": env_bool("NOTIFY_DINGTALK_ENABLED", bool(env_str("NOTIFY_DINGTALK_TOKEN"))),
        "url": env_str("NOTIFY_DINGTALK_URL"),
        "key": env_str("NOTIFY_DINGTALK_TOKEN"),
        "secret": env_str("NOTIFY_DINGTALK_SECRET"),
        "rate_per_minute": env_int("NOTIFY_DINGTALK_RATE_PER_MINUTE", 20),
    },
}
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_BACKOFF = env_int("NOTIFY_RETRY_BACKOFF", 30)  # seconds before the 2nd attempt, doubling after

REDIS_URL = env_str("REDIS_URL", "")
# Without Redis (the embedded default) jobs run in-process; `manage.py run_due_jobs` runs periodic ones.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# One queue name per installation sharing a Redis (several companies or a staging copy on one Redis).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "salesops")
# How long a user's permissions, department and data scopes stay in the shared cache (apps/org/scope.py). Every
# write to users, employees, roles, grants and departments moves the key, so this only bounds what a write that
# bypasses the signals could leave behind. Off without Redis: each process's own memory would not see the others'
# writes.
ACCESS_CACHE_SECONDS = env_int("ACCESS_CACHE_SECONDS", 600 if REDIS_URL else 0)
# The navbar's unread notification count per user (core.selectors.notification_unread_count): every write to a
# user's notifications moves its key, so this bounds only what a raw SQL write could leave. Off without Redis.
NOTIFICATION_COUNT_CACHE_SECONDS = env_int("NOTIFICATION_COUNT_CACHE_SECONDS", 600 if REDIS_URL else 0)
if REDIS_URL:
    # Sessions in Redis (written through to the database, so a Redis restart logs nobody out): any app server
    # behind the load balancer serves any request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The browsable API's forms take related records as ids (apps.core.api.BrowsableAPIRenderer): a page must not
    # carry an <option> for each of 100,000 customers. Any select still rendered stops at 50 options.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "apps.core.api.BrowsableAPIRenderer",
    ],
    "HTML_SELECT_CUTOFF": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "salesops API",
    "DESCRIPTION": _("Market development and sales management system (市场开发与销售管理系统)"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind", "status" or "source"; name each choice set after its class.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"apps.{app}.choices.{name}"
        for app, names in {
            "org": ["DepartmentKind"],
            "customers": ["CustomerKind", "CustomerSource", "NeedStatus", "Lifecycle", "DealStatus", "FollowUpChannel"],
            "improvements": ["ImprovementSource", "ImprovementStatus"],
            "marketing": [
                "ResearchMethod",
                "ResearchStatus",
                "PlanStatus",
                "CampaignKind",
                "CampaignStatus",
                "LeadSource",
                "LeadStatus",
                "IntelStatus",
                "EvaluationStatus",
                "IntelCategory",
            ],
            "sales": [
                "TargetStatus",
                "ContractStatus",
                "ActionItemStatus",
                "PaymentMethod",
                "AdjustmentKind",
                "RequestStatus",
            ],
            "surveys": ["QuestionKind", "SurveyKind", "SurveyStatus", "NpsGroup"],
            "service": [
                "TicketStatus",
                "TicketChannel",
                "TicketEventKind",
                "FeedbackCategory",
                "FeedbackSource",
                "RoutingStatus",
                "DueContactStatus",
                "DueContactReason",
            ],
            "policy": [
                "AssessedKind",
                "AssessmentLevel",
                "KpiCode",
                "RewardPenaltyAction",
                "CustomerLevel",
                "DecisionOutcome",
                "ReviewOutcome",
            ],
            "performance": [
                "CycleStatus",
                "SubjectKind",
                "AssessmentStatus",
                "KpiMethod",
                "KpiUnit",
                "Direction",
                "AppealStatus",
                "ProposalStatus",
                "ViolationStatus",
            ],
        }.items()
        for name in names
    }
    | {"NotificationChannelEnum": "apps.core.models.NotificationChannelName"},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
