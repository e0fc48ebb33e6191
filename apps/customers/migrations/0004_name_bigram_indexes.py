"""Two-character Chinese search at scale (issue 14), PostgreSQL only.

A trigram index cannot answer a two-character term (瑞丰 has no trigram), so names are indexed by their character
bigrams: ``salesops_bigrams(text)`` (the distinct lower-cased two-character pieces of the text) with a GIN index over
the customer's name and pinyin initials and the contact's name and mobile. An expression index, so PostgreSQL keeps it on every write (services, imports, bulk
paths) and there is no column to maintain. The search asks ``salesops_bigrams(name) @> bigrams(term)`` and still
checks ``name ILIKE %term%`` (``apps.customers.selectors.search``). SQLite keeps the plain ``icontains``.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION salesops_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
INDEXES = (
    ("customer_name_bigram_gin", "customers_customer", "name"),
    ("customer_initials_bigram_gin", "customers_customer", "name_initials"),
    ("contact_name_bigram_gin", "customers_contact", "name"),
    ("contact_mobile_bigram_gin", "customers_contact", "mobile"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (salesops_bigrams({column}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS salesops_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_name_initials"),
    ]

    operations = [migrations.RunPython(create, drop)]
