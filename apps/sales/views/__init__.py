"""Split by topic; import the module you need."""
