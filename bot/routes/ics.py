"""GET /ics/{event_id}.ics?t=TOKEN: the calendar file of a meeting or deadline ("add to calendar").

The signed token is the permission (calendar apps fetch without a Teams login); a wrong
token and an unknown event both give 404, so the URL space reveals nothing.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.app_keys import DB_KEY, SETTINGS_KEY
from dialogs.carddata import card_id
from dialogs.meetings import ics
from storage.models import Event, Network
from storage.models.meetings import EventDetail


async def _ics(request: web.Request) -> web.Response:
    raw = request.match_info["event_id"]
    if card_id(raw) is None:  # ASCII digits within the 64-bit range ("²" and 2**31 are no id)
        raise web.HTTPNotFound()
    async with request.app[DB_KEY].session() as session:
        if not ics.verify(await ics.signing_key(session), int(raw), request.query.get("t", "")):
            raise web.HTTPNotFound()
        event = await session.get(Event, int(raw))
        network = await session.get(Network, event.network_id) if event else None
        if event is None or network is None:
            raise web.HTTPNotFound()
        detail = await session.scalar(select(EventDetail).where(EventDetail.event_id == event.id))
        body = ics.build_ics(event, network, agenda=list(detail.agenda) if detail else [])
    return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{event.key}.ics"',
                                 "Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    settings = app[SETTINGS_KEY]
    # one key for every instance: configured, else derived from the app password, else the database secret
    ics.configure(settings.ics_signing_key or (f"app:{settings.app_password}" if settings.app_password else ""))
    app.router.add_get(r"/ics/{event_id}.ics", _ics)
