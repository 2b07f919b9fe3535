"""GET /exports/notice/{id}.csv?t=TOKEN: a notice's delivery report as CSV, for its author's archive.

The signed token (dialogs.notices.export) is the permission: it binds the notice, the
secretariat member it was made for and an expiry. A wrong, expired or foreign token and
an unknown notice all give 404, so the URL space reveals nothing.
"""

from __future__ import annotations

from aiohttp import web

from bot.app_keys import BOT_KEY, DB_KEY
from dialogs.carddata import card_id
from dialogs.language import language_of
from dialogs.notices import export, service
from storage.models import Network


async def _csv(request: web.Request) -> web.Response:
    raw = request.match_info["notice_id"]
    if card_id(raw) is None:  # ASCII digits within the 64-bit range ("²" and 2**31 are no id)
        raise web.HTTPNotFound()
    now = request.app[BOT_KEY].services.now()
    async with request.app[DB_KEY].session() as session:
        found = await export.verify(session, int(raw), request.query.get("t", ""), now)
        if found is None:
            raise web.HTTPNotFound()
        notice, person = found
        # the reader's language, by the same rule as everywhere (own choice, person, municipality, network)
        lang = await language_of(session, person, await session.get(Network, notice.network_id))
        body = await service.csv_export(session, notice, lang)
    return web.Response(text=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="notice-{notice.id}.csv"',
                                 "Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/exports/notice/{notice_id}.csv", _csv)
