"""GET /exports/consultation/{id}.csv|.xlsx?t=TOKEN: every version of every answer, for the archive.

The signed token (dialogs.consultations.export) is the permission: it binds the consultation, the
secretariat member it was made for, the format and an expiry. A wrong, expired or foreign token and
an unknown consultation all give 404, so the URL space reveals nothing.
"""

from __future__ import annotations

from aiohttp import web

from bot.app_keys import BOT_KEY, DB_KEY
from dialogs.consultations import export

_TYPES = {"csv": "text/csv",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def _download(request: web.Request) -> web.Response:
    raw, fmt = request.match_info["consultation_id"], request.match_info["fmt"]
    if not raw.isdigit() or fmt not in _TYPES:
        raise web.HTTPNotFound()
    now = request.app[BOT_KEY].services.now()
    async with request.app[DB_KEY].session() as session:
        consultation = await export.verify(session, int(raw), fmt, request.query.get("t", ""), now)
        if consultation is None:
            raise web.HTTPNotFound()
        columns, rows = await export.export_rows(session, consultation)
        key = consultation.key
    body = export.to_csv(columns, rows) if fmt == "csv" else export.to_xlsx(columns, rows, key)
    return web.Response(body=body, content_type=_TYPES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{key}.{fmt}"',
                                 "Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/exports/consultation/{consultation_id:\d+}.{fmt:csv|xlsx}", _download)
