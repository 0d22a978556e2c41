"""The analyst desk: alerts, search, posts, channels and watchlists in the browser.

Routes over the services (no SQL here), Jinja2 pages, htmx and SVG charts shipped in the
package. `monitor.web.app.create_web_app` is the entry point; monitor.wiring builds it.
"""
