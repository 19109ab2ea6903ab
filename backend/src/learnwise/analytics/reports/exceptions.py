"""Errors of the reports API."""

from learnwise.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound


class ReportNotFound(NotFound):
    code, title = "report-not-found", "Report not found"


class ReportNotReady(Conflict):
    code, title = "report-not-ready", "Report not ready"


class ReportExpired(AppError):
    status, code, title = 410, "report-expired", "Report expired"


class InvalidReportRequest(InvalidInput):
    code, title = "invalid-report-request", "Invalid report request"


class ReportForbidden(Forbidden):
    code, title = "report-forbidden", "Report not allowed"
