"""Errors of the jobs API."""

from learnwise.errors import Conflict, NotFound


class JobNotFound(NotFound):
    code, title = "job-not-found", "Job not found"


class JobAlreadyFinished(Conflict):
    code, title = "job-finished", "Job already finished"
