"""{% partner_sign_in_available as available %}: whether the Sign-In Partner option can
be offered on this server (SPEC SIGN-2)."""

from django import template

from accounts import partner

register = template.Library()


@register.simple_tag
def partner_sign_in_available() -> bool:
    return partner.is_configured()
