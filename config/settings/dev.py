"""Development: `make run` uses these (DEBUG on, embedded SQLite unless DATABASE_URL is set)."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings.base import *  # noqa: E402,F403
