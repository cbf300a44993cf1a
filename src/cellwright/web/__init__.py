"""The web app (``cellwright serve``): a JSON API mirroring the command line and pages for
people who do not write Python. :func:`~cellwright.web.app.create_app` builds it."""
