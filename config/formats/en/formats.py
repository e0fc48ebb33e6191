"""English: the same grouping as the Chinese interface, so figures read the same in both languages."""

from django.conf.locale.en.formats import *  # noqa: F401,F403

NUMBER_GROUPING = 3
