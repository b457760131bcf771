"""A submitted version of a commercial accounting declaration never changes (DECL-1), as
an issued statement of account (finance 0003): the database refuses any update of a
submitted version's header, figures or lines, and any deletion of them. Only the decision
on a pending adjustment may still be written, once (pending → accepted or refused, with
who, when, why and the transaction it posted). A line cannot be added to a submitted
version either.

The 14-digit transaction numbers come from a PostgreSQL sequence (as rulings' case
numbers, ADR 0012)."""

from django.db import migrations

from calculator.models import TRANSACTION_NUMBER_SEQUENCE

# Every column but the decision's: a submitted version's content.
CONTENT = (
    "id, declaration_id, number, kind, release_date, port_code, office, carrier_code, "
    "cargo_control_number, vendor_name, vendor_country, currency, exchange_rate_date, reason, "
    "duty, sima, excise, gst, total, difference, created_by_id, acting_for_provider_id, "
    "created_at, submitted_at"
)
NEW = ", ".join(f"NEW.{c.strip()}" for c in CONTENT.split(","))
OLD = ", ".join(f"OLD.{c.strip()}" for c in CONTENT.split(","))

SQL = f"""
CREATE OR REPLACE FUNCTION calculator_declaration_version_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.submitted_at IS NULL THEN
        RETURN COALESCE(NEW, OLD);  -- a draft changes freely
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a submitted declaration version cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF ROW({NEW}) IS DISTINCT FROM ROW({OLD}) THEN
        RAISE EXCEPTION 'a submitted declaration version cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW IS DISTINCT FROM OLD AND NOT (
        OLD.status = 'pending' AND NEW.status IN ('accepted', 'refused')
    ) THEN
        RAISE EXCEPTION 'only a pending adjustment may be decided, once'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION calculator_declaration_line_frozen() RETURNS trigger AS $$
DECLARE
    frozen boolean;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT submitted_at IS NOT NULL INTO frozen
          FROM calculator_declarationversion WHERE id = OLD.version_id;
        IF frozen THEN
            RAISE EXCEPTION 'a line of a submitted declaration version cannot be changed'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT submitted_at IS NOT NULL INTO frozen
          FROM calculator_declarationversion WHERE id = NEW.version_id;
        IF frozen THEN
            RAISE EXCEPTION 'a line cannot be added to a submitted declaration version'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER calculator_declaration_version_frozen
    BEFORE UPDATE OR DELETE ON calculator_declarationversion
    FOR EACH ROW EXECUTE FUNCTION calculator_declaration_version_frozen();
CREATE TRIGGER calculator_declaration_line_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON calculator_declarationline
    FOR EACH ROW EXECUTE FUNCTION calculator_declaration_line_frozen();

CREATE SEQUENCE {TRANSACTION_NUMBER_SEQUENCE} AS bigint
    START WITH 10000000000001 MINVALUE 10000000000001 MAXVALUE 99999999999999 NO CYCLE;
"""

REVERSE = f"""
DROP SEQUENCE IF EXISTS {TRANSACTION_NUMBER_SEQUENCE};
DROP TRIGGER IF EXISTS calculator_declaration_line_frozen ON calculator_declarationline;
DROP TRIGGER IF EXISTS calculator_declaration_version_frozen ON calculator_declarationversion;
DROP FUNCTION IF EXISTS calculator_declaration_line_frozen();
DROP FUNCTION IF EXISTS calculator_declaration_version_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("calculator", "0004_commercial_accounting_declarations")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
