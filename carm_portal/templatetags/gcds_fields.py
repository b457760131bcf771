"""``{% gcds_field form.name %}``: a field as ``templates/gcds/field.html`` draws it, without
the include (``carm_portal.fields.render_field``)."""

from django import template

from carm_portal.fields import render_field

register = template.Library()


@register.simple_tag
def gcds_field(field):
    return render_field(field)
