"""The open API /api/v1/ (SPEC CALC): ``serializers`` (what it reads and answers, and
so its schema) and ``views``."""
