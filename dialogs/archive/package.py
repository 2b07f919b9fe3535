"""The archive package: one zip with every Fiks Arkiv message of an export, in sending order.

    arkivmelding.xml            message 1: creates the case folder (saksmappe) and its first entry
    01-....pdf                  the documents message 1 refers to
    melding-02/arkivmelding.xml message 2: one more entry in the same folder (referanseForelderMappe)
    melding-02/01-....pdf
    ...
    innhald.txt                 what each message is, for the archivist

Each message folder is exactly what one Fiks Arkiv message carries (its arkivmelding.xml and the
files it names in referanseDokumentfil), so the archive or an integration can send them as they are.
"""

from __future__ import annotations

import io
import zipfile

from dialogs.archive.arkivmelding import MESSAGE_TYPE, Message, messages
from dialogs.archive.records import Export


def folder_of(message: Message) -> str:
    return "" if message.number == 1 else f"melding-{message.number:02d}/"


def contents_text(export: Export, items: list[Message]) -> str:
    lines = [f"Arkivpakke frå Samarbeidsbot: {export.folder.title}",
             f"Meldingstype: {MESSAGE_TYPE}", f"Laga: {export.made_at.isoformat(timespec='seconds')}",
             f"Offentlegheit: {export.access.access}"
             + (f" ({export.access.legal_basis})" if export.access.exempt else ""), "",
             "Send meldingane i denne rekkjefølgja (den første opprettar saksmappa):"]
    for message, entry in zip(items, export.entries, strict=True):
        lines.append(f"{folder_of(message) or './'}arkivmelding.xml  {entry.entry_type}  {entry.title}  "
                     f"({len(message.files)} fil(er))")
    return "\n".join(lines) + "\n"


def build_package(export: Export) -> bytes:
    items = messages(export)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for message in items:
            prefix = folder_of(message)
            archive.writestr(f"{prefix}arkivmelding.xml", message.xml)
            for file in message.files:
                archive.writestr(prefix + file.name, file.content)
        archive.writestr("innhald.txt", contents_text(export, items))
    return buffer.getvalue()
