"""outbox parents checked per statement on PostgreSQL; partial indexes for null-heavy columns

Revision ID: 0009
Revises: 0008

The matcher writes a large run's deliveries in one COPY (1.8 million rows in the matching
benchmark), and PostgreSQL checks each row-level foreign key with a query per row: five
per delivery, 22 s of a 62 s run. On PostgreSQL the outbox's five foreign keys become two
statement-level triggers per table with the same meaning, working on the statement's rows at
once (transition tables):

- inserting or updating deliveries locks the referenced users, documents, changes and
  subscriptions FOR KEY SHARE, as the row-level checks do, and refuses the statement with a
  foreign_key_violation if any is missing;
- deleting users, opportunities, plan lines or changes deletes their deliveries, and deleting
  subscriptions sets the deliveries' subscription to NULL, as ON DELETE CASCADE / SET NULL did.

Parent keys are never updated (they are identities), so no trigger covers that. SQLite keeps
its declared foreign keys (its matcher checks a batch's parents itself; see
notifications.matching). Plan line and sent-at indexes become partial: most deliveries have no
plan line, and every delivery starts unsent, so those NULLs cost an index entry each and are
never looked up.
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# (column, parent table, what deleting the parent does to the delivery)
PARENTS = (
    ('user_id', 'users', 'delete'),
    ('opportunity_id', 'opportunities', 'delete'),
    ('plan_line_id', 'plan_lines', 'delete'),
    ('change_id', 'opportunity_changes', 'delete'),
    ('subscription_id', 'subscriptions', 'set null'),
)
ON_DELETE = {'delete': 'CASCADE', 'set null': 'SET NULL'}
PARTIAL = ('plan_line_id', 'sent_at')


def _foreign_key_name(column: str, parent: str) -> str:
    return f'fk_alert_deliveries_{column}_{parent}'


def _check_function() -> str:
    locks = "\n".join(
        f"    PERFORM 1 FROM {parent} WHERE id IN (SELECT {column} FROM new_rows) FOR KEY SHARE;"
        for column, parent, _action in PARENTS
    )
    missing = "\n       OR ".join(
        f"EXISTS (SELECT 1 FROM new_rows n WHERE n.{column} IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = n.{column}))"
        for column, parent, _action in PARENTS
    )
    return f"""
CREATE FUNCTION alert_deliveries_parents_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{locks}
    IF {missing} THEN
        RAISE EXCEPTION 'alert_deliveries refers to a user, document, change or subscription that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def _parent_function(column: str, parent: str, action: str) -> str:
    if action == 'delete':
        statement = f"DELETE FROM alert_deliveries WHERE {column} IN (SELECT id FROM old_rows)"
    else:
        statement = (
            f"UPDATE alert_deliveries SET {column} = NULL "
            f"WHERE {column} IN (SELECT id FROM old_rows)"
        )
    return f"""
CREATE FUNCTION alert_deliveries_after_{parent}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {statement};
    RETURN NULL;
END $$"""


def _statement_triggers() -> None:
    op.execute(_check_function())
    for event in ('INSERT', 'UPDATE'):
        op.execute(
            f"CREATE TRIGGER alert_deliveries_parents_after_{event.lower()} "
            f"AFTER {event} ON alert_deliveries REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_parents_exist()"
        )
    for column, parent, action in PARENTS:
        op.execute(_parent_function(column, parent, action))
        op.execute(
            f"CREATE TRIGGER alert_deliveries_after_{parent}_deleted "
            f"AFTER DELETE ON {parent} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_after_{parent}_deleted()"
        )


def _drop_statement_triggers() -> None:
    for column, parent, _action in PARENTS:
        op.execute(f"DROP TRIGGER alert_deliveries_after_{parent}_deleted ON {parent}")
        op.execute(f"DROP FUNCTION alert_deliveries_after_{parent}_deleted()")
    for event in ('insert', 'update'):
        op.execute(f"DROP TRIGGER alert_deliveries_parents_after_{event} ON alert_deliveries")
    op.execute("DROP FUNCTION alert_deliveries_parents_exist()")


def upgrade() -> None:
    for column in PARTIAL:
        op.drop_index(f'ix_alert_deliveries_{column}', table_name='alert_deliveries')
        op.execute(
            f"CREATE INDEX ix_alert_deliveries_{column} ON alert_deliveries ({column}) "
            f"WHERE {column} IS NOT NULL"
        )
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column, parent, _action in PARENTS:
        op.drop_constraint(_foreign_key_name(column, parent), 'alert_deliveries', type_='foreignkey')
    _statement_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _drop_statement_triggers()
        for column, parent, action in PARENTS:
            op.create_foreign_key(
                _foreign_key_name(column, parent),
                'alert_deliveries',
                parent,
                [column],
                ['id'],
                ondelete=ON_DELETE[action],
            )
    for column in PARTIAL:
        op.drop_index(f'ix_alert_deliveries_{column}', table_name='alert_deliveries')
        op.create_index(f'ix_alert_deliveries_{column}', 'alert_deliveries', [column])
