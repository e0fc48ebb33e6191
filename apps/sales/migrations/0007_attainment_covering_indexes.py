"""Covering indexes for attainment and the leaderboard (issue 14), PostgreSQL only.

Attainment groups the approved contracts of a year by owner, stamped unit and month, and the leaderboard ranks the
approved contracts (and the payments) of a period: with every column those queries read in the index, PostgreSQL
answers them by an index-only scan of the period instead of fetching each contract row (wide: title, terms) from the
table; and the test "is this the customer's first approved contract" probes an index of approved contracts by
customer. Partial indexes over approved contracts only (what attainment counts), so drafts and pending contracts
cost nothing. SQLite has no INCLUDE and keeps the plain indexes of the models; nothing in the models changes, so the
migration state is the same on both.
"""

from django.db import migrations

INDEXES = (
    (
        "sales_contract_approved_cover",
        "sales_contract (signed_on) INCLUDE (owner_id, owner_unit_id, customer_id, amount, signed_amount)"
        " WHERE status = 'approved'",
    ),
    ("sales_payment_received_cover", "sales_payment (received_on) INCLUDE (contract_id, amount)"),
    # "The customer's first approved contract" (new customers: attainment, the leaderboard, the pipeline) asks for
    # an earlier approved contract of the same customer: a probe of this index per contract of the period, instead
    # of hashing every approved contract on each request.
    ("sales_contract_approved_customer", "sales_contract (customer_id, signed_on, id) WHERE status = 'approved'"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_opportunity_stages_reached"),
    ]

    operations = [migrations.RunPython(create, drop)]
