"""What the delegation app keeps of other apps' rows, kept in step with them."""

from __future__ import annotations


def follow_client_name(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A business's new legal name, on its relationships as a client
    (``Relationship.client_name``, the order of a provider's clients: DELEG-2, DELEG-4).
    CBSA staff correct names in the admin (LINK-5)."""
    from delegation.models import Relationship

    if created or (update_fields is not None and "legal_name" not in update_fields):
        return
    Relationship.objects.filter(client=instance).exclude(client_name=instance.legal_name).update(
        client_name=instance.legal_name
    )
