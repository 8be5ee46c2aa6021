"""The API's filter backend: django-filter's, with one strictness more.

django-filter reads ``?status=`` (a parameter sent without a value) as "no filter". The schema
lists each filter's values, and an empty one is none of them, so it is a 400 naming the
parameter here, as a value outside the list already is.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend


class StrictFilterSet(django_filters.rest_framework.FilterSet):
    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, _("This filter was sent without a value."))
                valid = False
        return valid


class StrictFilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet
