"""A statement of account never changes once issued (FIN-2): the database refuses any
update that changes a statement or one of its lines, and any deletion of them. Updates
that change nothing (loading the same reference data again) pass."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION finance_statement_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued statement of account cannot be deleted (%)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'an issued statement of account cannot be changed (%)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER finance_statement_frozen BEFORE UPDATE OR DELETE ON finance_statement
    FOR EACH ROW EXECUTE FUNCTION finance_statement_frozen();
CREATE TRIGGER finance_statementline_frozen BEFORE UPDATE OR DELETE ON finance_statementline
    FOR EACH ROW EXECUTE FUNCTION finance_statement_frozen();
"""

REVERSE = """
DROP TRIGGER IF EXISTS finance_statementline_frozen ON finance_statementline;
DROP TRIGGER IF EXISTS finance_statement_frozen ON finance_statement;
DROP FUNCTION IF EXISTS finance_statement_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_ledger_statements_pad_security")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
