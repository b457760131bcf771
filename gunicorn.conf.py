"""gunicorn's settings, read from the working directory (/app in the image) whatever the
command line: the access log goes through the portal's redaction filter (SEC-9; AU-3,
AU-9) and names no client address and no query string, only the request id."""

from gunicorn import glogging

from carm_portal.logging import RedactPersonalInformation

bind = "0.0.0.0:8000"
accesslog = "-"
# method, path without the query string, status, bytes, seconds, request id
access_log_format = "%(m)s %(U)s %(s)s %(b)s %(L)s %({x-request-id}o)s"


class RedactingLogger(glogging.Logger):
    """gunicorn's logger with the portal's redaction on its access and error logs."""

    def setup(self, cfg):
        super().setup(cfg)
        redact = RedactPersonalInformation()
        for log in (self.access_log, self.error_log):
            log.addFilter(redact)


logger_class = RedactingLogger
