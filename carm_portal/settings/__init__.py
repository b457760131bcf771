"""Settings split by environment (ADR 0003): base, local, test, production."""
