"""Split by topic; import the module you need, e.g. ``from apps.marketing.services import …``."""
