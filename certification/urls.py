"""HTML routes of the portal (the REST API lives under /api/v1/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from certification import account, proposals_views, views
from certification.forms import SignInForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            redirect_authenticated_user=True,
            authentication_form=SignInForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account.account, name="account"),
    path("account/preferences/", account.preferences, name="account-preferences"),
    path("account/tokens/", account.token_create, name="account-token-create"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="account-token-revoke"),
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("submissions/new/", views.submission_create, name="submission-create"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/upload/", views.submission_upload, name="submission-upload"),
    path("submissions/<int:pk>/submit/", views.submission_submit, name="submission-submit"),
    path(
        "submissions/<int:pk>/evaluation.json",
        views.submission_evaluation_json,
        name="submission-evaluation-json",
    ),
    path(
        "submissions/<int:pk>/files.json",
        views.submission_files_json,
        name="submission-files-json",
    ),
    path("submissions/<int:pk>/decision/", views.submission_decision, name="submission-decision"),
    path("submissions/<int:pk>/audit/", views.submission_audit, name="submission-audit"),
    path(
        "submissions/<int:pk>/audit/reproduce/",
        views.submission_reproduce,
        name="submission-reproduce",
    ),
    path("audit/", views.audit_log, name="audit-log"),
    path("rulesets/proposals/", proposals_views.proposal_list, name="proposal-list"),
    path("rulesets/proposals/<int:pk>/", proposals_views.proposal_detail, name="proposal-detail"),
    path(
        "rulesets/proposals/<int:pk>/impact/",
        proposals_views.proposal_impact,
        name="proposal-impact",
    ),
    path(
        "rulesets/proposals/<int:pk>/impact.json",
        proposals_views.proposal_impact_json,
        name="proposal-impact-json",
    ),
    path(
        "rulesets/proposals/<int:pk>/impact.csv",
        proposals_views.proposal_impact_csv,
        name="proposal-impact-csv",
    ),
    path(
        "rulesets/proposals/<int:pk>/approve/",
        proposals_views.proposal_approve,
        name="proposal-approve",
    ),
    path(
        "submissions/<int:pk>/whatif/", proposals_views.submission_whatif, name="submission-whatif"
    ),
    path("review/", views.review_queue, name="review-queue"),
    path("datasets/<int:pk>/download/", views.dataset_download, name="dataset-download"),
    path("datasets/<int:pk>/withdraw/", views.dataset_withdraw, name="dataset-withdraw"),
    path(
        "sheet-templates/<slug:kind>.<slug:file_format>",
        views.sheet_template,
        name="sheet-template",
    ),
]
