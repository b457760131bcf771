"""``request.access``: the person's grants (delegation.access), computed on first use."""

from django.utils.functional import SimpleLazyObject

from delegation.access import access_for


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.access = SimpleLazyObject(lambda: access_for(request))
        return self.get_response(request)
