"""`arkivmelding.xml` for KS Fiks Arkiv V2 (message type no.ks.fiks.arkiv.v2.arkivering.arkivmelding.opprett).

One arkivmelding creates at most one folder (mappe) and one registry entry (registrering); an export
with several entries is therefore a series of messages: the first creates the case folder
(saksmappe) together with the first entry, each following one adds one entry to that folder, found
by the folder's external key (referanseForelderMappe/referanseEksternNoekkel). The element order
follows the official XSD sequence exactly; the tests validate every message against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from dialogs.archive.records import (
    DOCUMENT_ROLES,
    ENTRY_TYPES,
    PARTY_TYPES,
    SYSTEM,
    Access,
    Document,
    Entry,
    Export,
    Folder,
)
from dialogs.i18n import OSLO

MESSAGE_TYPE = "no.ks.fiks.arkiv.v2.arkivering.arkivmelding.opprett"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v2"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXEMPT_CODE = ("UO", "Unnateke offentlegheit")  # tilgangsrestriksjon (M500), with the legal basis beside it


@dataclass
class MessageFile:
    name: str  # referanseDokumentfil: the file's name inside the message (ASCII)
    content: bytes


@dataclass
class Message:
    """One arkivmelding with the files it refers to: what one Fiks Arkiv message carries."""

    number: int
    xml: bytes
    files: list[MessageFile] = field(default_factory=list)
    entry_key: str = ""


def _el(parent: etree._Element, tag: str, text: str | int | None = None, ns: str = NS) -> etree._Element:
    """An element of the message schema; the children of the catalogue's (metadatakatalog) own types
    are in its namespace (`ns=MDK`)."""
    node = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        node.text = str(text)
    return node


def _code(parent: etree._Element, tag: str, code: str, description: str = "") -> etree._Element:
    node = _el(parent, tag)
    _el(node, "kode", code, MDK)
    if description:
        _el(node, "beskrivelse", description, MDK)
    return node


def _when(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _day(value: datetime) -> str:
    return value.astimezone(OSLO).date().isoformat()


def _external_key(parent: etree._Element, tag: str, key: str, ns: str = NS) -> None:
    node = _el(parent, tag, ns=ns)
    _el(node, "fagsystem", SYSTEM, MDK)
    _el(node, "noekkel", key, MDK)


def _screening(parent: etree._Element, access: Access) -> None:
    """skjerming: only on exempted records; an open record carries none (offentleg is the default)."""
    if access.exempt:
        node = _el(parent, "skjerming")
        _code(node, "tilgangsrestriksjon", *EXEMPT_CODE)
        _el(node, "skjermingshjemmel", access.legal_basis)


def safe_file_name(number: int, name: str) -> str:
    """An ASCII file name for inside the message (referanseDokumentfil), unique by its number."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "AE", "Ø": "O", "Å": "A"})
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, "pdf"
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in stem.translate(table)).lower()
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"{number:02d}-{slug[:60].strip('-') or 'dokument'}.{ext.lower()}"


def _folder(root: etree._Element, folder: Folder, access: Access, made_by: str) -> None:
    mappe = _el(root, "mappe")
    mappe.set(f"{{{XSI}}}type", "saksmappe")
    _el(mappe, "tittel", folder.title)
    _el(mappe, "offentligTittel", folder.title)
    if folder.description:
        _el(mappe, "beskrivelse", folder.description)
    _el(mappe, "opprettetDato", _when(folder.created))
    if made_by:
        _el(mappe, "opprettetAv", made_by)
    if folder.closed:
        _el(mappe, "avsluttetDato", _when(folder.closed))
    _screening(mappe, access)
    _external_key(mappe, "referanseEksternNoekkel", folder.key)
    _el(mappe, "saksdato", _day(folder.created))
    if folder.unit:
        _el(_el(mappe, "administrativEnhet"), "navn", folder.unit, MDK)
    if folder.responsible:
        _el(_el(mappe, "saksansvarlig"), "navn", folder.responsible, MDK)


def _document(parent: etree._Element, doc: Document, number: int, file_name: str, access: Access,
              made_by: str) -> None:
    node = _el(parent, "dokumentbeskrivelse")
    _code(node, "dokumenttype", doc.kind)
    _code(node, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _el(node, "tittel", doc.title)
    _el(node, "opprettetDato", _when(doc.created))
    if made_by:
        _el(node, "opprettetAv", made_by)
    _code(node, "dokumentmedium", "E", "Elektronisk arkiv")
    _code(node, "tilknyttetRegistreringSom", doc.role, DOCUMENT_ROLES.get(doc.role, ""))
    _el(node, "dokumentnummer", number)
    _screening(node, access)
    obj = _el(node, "dokumentobjekt")
    _el(obj, "versjonsnummer", 1)
    _code(obj, "variantformat", "A", "Arkivformat")
    _code(obj, "format", doc.format_code, doc.format_name)
    _el(obj, "mimeType", doc.mime)
    _el(obj, "filnavn", doc.filename)
    _el(obj, "referanseDokumentfil", file_name)
    _el(obj, "sjekksum", hashlib.sha256(doc.content).hexdigest())
    _el(obj, "sjekksumAlgoritme", "SHA256")
    _el(obj, "filstoerrelse", len(doc.content))


def _entry(root: etree._Element, entry: Entry, folder: Folder, access: Access, made_at: datetime, made_by: str,
           file_names: list[str]) -> None:
    reg = _el(root, "registrering")
    reg.set(f"{{{XSI}}}type", "journalpost")
    _el(reg, "opprettetDato", _when(entry.created))
    if made_by:
        _el(reg, "opprettetAv", made_by)
    parent = _el(reg, "referanseForelderMappe")
    _external_key(parent, "referanseEksternNoekkel", folder.key, MDK)
    for name in entry.on_behalf_of:
        part = _el(reg, "part")
        _el(part, "partNavn", name)
        _code(part, "partRolle", "PV", "Part som avsendaren svarar på vegner av")
    _screening(reg, access)
    for number, (doc, file_name) in enumerate(zip(entry.documents, file_names, strict=True), start=1):
        _document(reg, doc, number, file_name, access, made_by)
    _el(reg, "tittel", entry.title)
    _el(reg, "offentligTittel", entry.title)
    if entry.description:
        _el(reg, "beskrivelse", entry.description)
    if entry.author:
        _el(reg, "forfatter", entry.author)
    _code(reg, "dokumentmedium", "E", "Elektronisk arkiv")
    for party in entry.parties:
        node = _el(reg, "korrespondansepart")
        _code(node, "korrespondanseparttype", party.kind, PARTY_TYPES.get(party.kind, ""))
        _el(node, "korrespondansepartNavn", party.name)
        if party.email:
            _el(node, "epostadresse", party.email)
        if party.contact:
            _el(node, "kontaktperson", party.contact)
        if party.is_person:
            _el(node, "erPersonnavn", "true")
    _external_key(reg, "referanseEksternNoekkel", entry.key)
    _code(reg, "journalposttype", entry.entry_type, ENTRY_TYPES.get(entry.entry_type, ""))
    _el(reg, "dokumentetsDato", _day(entry.document_date))
    if entry.received:
        _el(reg, "mottattDato", _when(entry.received))
    if entry.sent:
        _el(reg, "sendtDato", _when(entry.sent))
    _el(reg, "offentlighetsvurdertDato", _day(made_at))
    _el(reg, "antallVedlegg", max(0, len(entry.documents) - 1))


def message_xml(export: Export, index: int, file_names: list[str]) -> bytes:
    """The arkivmelding for entry `index`; the first also creates the case folder."""
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
    _el(root, "system", SYSTEM)
    _el(root, "antallFiler", len(file_names))
    if index == 0:
        _folder(root, export.folder, export.access, export.made_by)
    _entry(root, export.entries[index], export.folder, export.access, export.made_at, export.made_by, file_names)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def messages(export: Export) -> list[Message]:
    """Every message of the export, in the order they must be sent (the folder first)."""
    out = []
    for index, entry in enumerate(export.entries):
        names = [safe_file_name(n, d.filename) for n, d in enumerate(entry.documents, start=1)]
        out.append(Message(number=index + 1, xml=message_xml(export, index, names), entry_key=entry.key,
                           files=[MessageFile(n, d.content) for n, d in zip(names, entry.documents, strict=True)]))
    return out
