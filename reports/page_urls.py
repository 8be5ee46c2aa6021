"""Public verification and automaker pages."""

urlpatterns: list = []
