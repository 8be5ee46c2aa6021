"""REST routes of rule-set proposals and what-if re-runs under /api/v1/ (issue 8)."""

from django.urls import path

from certification.api import proposals

urlpatterns = [
    path("rulesets/", proposals.RuleSetListView.as_view(), name="api-rulesets"),
    path("rulesets/proposals/", proposals.ProposalListView.as_view(), name="api-proposals"),
    path(
        "rulesets/proposals/<int:pk>/",
        proposals.ProposalDetailView.as_view(),
        name="api-proposal",
    ),
    path(
        "rulesets/proposals/<int:pk>/approve/",
        proposals.ProposalApproveView.as_view(),
        name="api-proposal-approve",
    ),
    path(
        "rulesets/proposals/<int:pk>/impact/",
        proposals.ProposalImpactView.as_view(),
        name="api-proposal-impact",
    ),
    path(
        "submissions/<int:pk>/whatif/",
        proposals.WhatIfView.as_view(),
        name="api-submission-whatif",
    ),
]
