"""Models of this area arrive with its issue; the app is registered from day one so that
its migrations, admin and URLs have a home."""
