"""Amounts in Chinese finance documents are grouped by thousands with commas: 170,000.00 (Django's zh_Hans has no
grouping). Dates stay ISO-like, as Chinese offices write them."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
