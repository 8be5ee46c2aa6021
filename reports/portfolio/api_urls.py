"""The portfolio's API (included under /api/v1/portfolio/ by ``reports.api.urls``)."""

from django.urls import path

from reports.portfolio import api
from reports.portfolio.selectors import LISTINGS

urlpatterns = [
    path("statistics/", api.StatisticsView.as_view(), name="api-portfolio-statistics"),
    path(
        "submissions/<int:pk>/history/",
        api.HistoryView.as_view(),
        name="api-portfolio-history",
    ),
    path(
        "certificates/<str:number>/history/",
        api.CertificateHistoryView.as_view(),
        name="api-portfolio-certificate-history",
    ),
]
for _name, _listing in LISTINGS.items():
    urlpatterns += [
        path(f"{_name}/", api.list_view(_listing).as_view(), name=f"api-portfolio-{_name}"),
        *(
            path(
                f"{_name}/export.{_format}",
                api.export_view(_listing, _format).as_view(),
                name=f"api-portfolio-{_name}-{_format}",
            )
            for _format in ("csv", "json")
        ),
    ]
