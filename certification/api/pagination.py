"""The API's one page shape: ``?page=N&page_size=M`` (at most 500 a page)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """As DRF's, but a ``page_size`` that is not a whole number from 1 to 500 is a 400, not
        quietly the default page."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("page_size must be a whole number from 1 to %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)
