"""`slac serve`: the editor's desk, a local page with the contract beside its live preview.

desk.Desk      the open contracts; refresh = driver + renderer + diff; atomic, conflict-checked save
http           ThreadingHTTPServer on 127.0.0.1, the page and its JSON API
static/        the page (a textarea over an underline overlay), written here, nothing from a CDN
"""
