"""Public routes of the certificates."""

from django.urls import path

from reports import views

urlpatterns = [
    path(".well-known/ssb-signing-key.pem", views.signing_key_pem, name="signing-key-pem"),
    path(".well-known/jwks.json", views.jwks, name="signing-jwks"),
    path(
        ".well-known/ssb-signing-keys/<str:kid>.pem",
        views.signing_key_pem_by_id,
        name="signing-key-pem-by-id",
    ),
]
