"""Certificate, verification and watchlist API under /api/v1/."""

urlpatterns: list = []
