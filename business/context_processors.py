def navigation(request):
    """The MENU's tiles, for signed-in pages (HOME-1); computed only when a template asks,
    once a request (``Navigation.tiles``)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    nav = getattr(request, "nav", None)
    if nav is None:
        from business.navigation import tiles_for

        return {"menu_tiles": lambda: tiles_for(request)}
    return {"menu_tiles": lambda: nav.tiles}
