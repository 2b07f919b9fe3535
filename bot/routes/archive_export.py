"""GET /exports/archive/{kind}/{id}.zip?t=TOKEN: a record's package for KS Fiks Arkiv (arkivmelding V2
messages and their PDF/A documents), for the secretariat member the signed link was made for.

A wrong, expired or foreign token, an unknown record and one not yet final all give 404, so the URL
space reveals nothing.
"""

from __future__ import annotations

from aiohttp import web

from bot.app_keys import BOT_KEY, DB_KEY
from dialogs.archive import links, service
from dialogs.archive.collect import ExportRefused


async def _zip(request: web.Request) -> web.Response:
    kind, raw = request.match_info["kind"], request.match_info["subject_id"]
    if kind not in service.KINDS or not raw.isdigit():
        raise web.HTTPNotFound()
    now = request.app[BOT_KEY].services.now()
    async with request.app[DB_KEY].session() as session:
        record, network = await service.record_by_id(session, kind, int(raw))
        if record is None:
            raise web.HTTPNotFound()
        person = await links.verify(session, kind, record.id, request.query.get("t", ""), network.id, now)
        if person is None:
            raise web.HTTPNotFound()
        try:
            _export, body = await service.make_package(session, network, kind, record, now=now, made_by=person.name)
        except ExportRefused:
            raise web.HTTPNotFound() from None
        name = service.package_name(network, kind, record)
    return web.Response(body=body, content_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/exports/archive/{kind}/{subject_id}.zip", _zip)
