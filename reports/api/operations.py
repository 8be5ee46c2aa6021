"""The workers' backlog in the API (certification body): what is owed, and re-queueing."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.exceptions import NotFound
from certification.models import Evaluation
from reports import operations

_ERRORS = {
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Not the certification body's staff."),
}


def _evaluation(row: Evaluation) -> dict:
    return {
        "id": row.pk,
        "submission": row.submission_id,
        "attempt": row.attempt,
        "status": row.status,
        "stage": row.stage,
        "queued_at": row.queued_at,
        "sent_at": row.sent_at,
        "send_count": row.send_count,
        "lease_expires_at": row.lease_expires_at,
    }


class BacklogView(APIView):
    """Work handed to the workers and still owed past its deadline, oldest first."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Backlog",
                {
                    "checked_at": serializers.DateTimeField(),
                    "evaluations": serializers.DictField(),
                    "parses": serializers.DictField(),
                    "certificates": serializers.DictField(),
                    "notifications": serializers.DictField(),
                    "deliveries": serializers.DictField(),
                    "status_mismatches": serializers.DictField(),
                },
            ),
            **_ERRORS,
        }
    )
    def get(self, request):
        data = operations.backlog(user=request.user)
        return Response(
            {
                "checked_at": data["checked_at"],
                "evaluations": {
                    "count": data["evaluations"]["count"],
                    "results": [_evaluation(e) for e in data["evaluations"]["rows"]],
                },
                "parses": {
                    "count": data["parses"]["count"],
                    "results": [
                        {
                            "dataset": d.pk,
                            "submission": d.submission_id,
                            "name": d.original_name,
                            "status": d.parse_status,
                            "uploaded_at": d.uploaded_at,
                            "sent_at": d.parse_sent_at,
                            "send_count": d.parse_send_count,
                        }
                        for d in data["parses"]["rows"]
                    ],
                },
                "certificates": {
                    "count": data["certificates"]["count"],
                    "results": [{"submission": s.pk} for s in data["certificates"]["rows"]],
                },
                "notifications": {
                    "count": data["notifications"]["count"],
                    "results": [{"event": e.pk} for e in data["notifications"]["rows"]],
                },
                "status_mismatches": {
                    "count": data["mismatched"]["count"],
                    "results": [
                        {
                            "number": c.number,
                            "status": c.status,
                            "last_event_status": c.recorded_status,
                        }
                        for c in data["mismatched"]["rows"]
                    ],
                },
                "deliveries": {
                    "count": data["deliveries"]["count"],
                    "results": [
                        {"notification": n.pk, "channel": n.channel, "attempts": n.attempts}
                        for n in data["deliveries"]["rows"]
                    ],
                },
            }
        )


class RequeueView(APIView):
    """Send one queued or running evaluation to the workers again."""

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Requeued", {"sent": serializers.BooleanField()}),
            404: OpenApiResponse(description="No such evaluation."),
            409: OpenApiResponse(description="The evaluation is finished."),
            **_ERRORS,
        },
    )
    def post(self, request, pk: int):
        try:
            sent = operations.requeue_evaluation(user=request.user, evaluation_id=pk)
        except Evaluation.DoesNotExist:
            raise NotFound("There is no such evaluation.") from None
        return Response({"sent": sent})


class SweepView(APIView):
    """Send again everything owed now, as beat's next sweep would."""

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Swept", {"sent": serializers.DictField()}),
            **_ERRORS,
        },
    )
    def post(self, request):
        return Response({"sent": operations.sweep_now(user=request.user)})
