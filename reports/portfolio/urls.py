"""The portfolio's pages (included under /portfolio/ by ``reports.urls``)."""

from django.urls import path

from reports.portfolio import pages

urlpatterns = [
    path("", pages.index, name="portfolio"),
    path("statistics/", pages.statistics_page, name="portfolio-statistics"),
    path("submissions/<int:pk>/history/", pages.history_page, name="portfolio-history"),
    path(
        "certificates/<str:number>/history/",
        pages.certificate_history_page,
        name="portfolio-certificate-history",
    ),
    path("<slug:listing>/", pages.listing_page, name="portfolio-list"),
]
