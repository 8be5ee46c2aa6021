"""HTML routes of reports: certificate pages, public verification, the automakers' watchlist and
webhooks, and the public signing keys under /.well-known/."""

from django.urls import include, path

from reports import wellknown
from reports.pages import audit, automaker, certificates, evaluation_report, operations, verify

urlpatterns = [
    path(".well-known/ssb-signing-key.pem", wellknown.signing_key_pem, name="signing-key-pem"),
    path(".well-known/jwks.json", wellknown.jwks, name="signing-jwks"),
    path(".well-known/did.json", wellknown.did_document, name="did-document"),
    path(
        "status-lists/<str:purpose>/<int:number>",
        wellknown.status_list_credential,
        name="status-list",
    ),
    path(
        ".well-known/ssb-signing-keys/<str:kid>.pem",
        wellknown.signing_key_pem_by_id,
        name="signing-key-pem-by-id",
    ),
    path("audit/checkpoints/", audit.checkpoints, name="audit-checkpoints"),
    path("audit/checkpoints/latest.json", audit.latest_json, name="audit-checkpoint-latest"),
    path("audit/checkpoints/<int:pk>.json", audit.checkpoint_json, name="audit-checkpoint-json"),
    path("audit/checkpoints/publish/", audit.publish, name="audit-checkpoint-publish"),
    path("verify/", verify.verify, name="verify"),
    # Before verify/<number>/, which would take "document" for a number.
    path("verify/document/", verify.verify_document, name="verify-document"),
    path("verify/<str:number>", verify.verify_certificate, name="verify-certificate"),
    # QR readers and hand-typed links sometimes add the slash.
    path("verify/<str:number>/", verify.verify_certificate, name="verify-certificate-slash"),
    path("watchlist/", automaker.watchlist, name="watchlist"),
    path("watchlist/bulk/", automaker.watchlist_bulk, name="watchlist-bulk"),
    path("watchlist/<int:pk>/remove/", automaker.watchlist_remove, name="watchlist-remove"),
    path("webhooks/", automaker.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", automaker.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/test/", automaker.webhook_test, name="webhook-test"),
    path("webhooks/<int:pk>/active/", automaker.webhook_active, name="webhook-active"),
    path("webhooks/<int:pk>/delete/", automaker.webhook_delete, name="webhook-delete"),
    # Page names differ from the API's router names ("certificate-list", "certificate-detail").
    path("certificates/", certificates.certificate_list, name="certificate-pages"),
    path(
        "submissions/<int:pk>/evaluation-report.pdf",
        evaluation_report.evaluation_report,
        name="evaluation-report",
    ),
    path("certificates/<str:number>/", certificates.certificate_page, name="certificate-page"),
    path(
        "certificates/<str:number>/status/",
        certificates.certificate_status_change,
        name="certificate-status-change",
    ),
    path("portfolio/", include("reports.portfolio.urls")),
    path("register/", include("reports.register.urls")),
    path("operations/", operations.backlog, name="operations"),
    path(
        "operations/evaluations/<int:pk>/requeue/",
        operations.requeue,
        name="operations-requeue",
    ),
    path("operations/sweep/", operations.sweep, name="operations-sweep"),
    path("docs/verify-offline/", certificates.verify_offline_doc, name="verify-offline-doc"),
    path(
        "docs/verify_certificate_offline.sh",
        certificates.verify_offline_script,
        name="verify-offline-script",
    ),
]
