"""The platform's public face: server-rendered pages for inhabitants and volunteers
(issue 15). `routes.install(app, engine)` adds them to the FastAPI app; this package
file stays empty so that models.py can import `web.tables` without the pages."""
