from business.navigation import tiles_for


def navigation(request):
    """The MENU's tiles, for signed-in pages (HOME-1); computed only when a template asks."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"menu_tiles": lambda: tiles_for(request)}
