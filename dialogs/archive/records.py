"""What one archive export holds, as plain data: a case folder (saksmappe) and its registry entries
(journalpostar), each with its correspondence parties and documents, and the public-access mark.

The builders in `collect` fill these from the database; `arkivmelding` turns them into the XML of
KS Fiks Arkiv V2 and `package` into the zip. Nothing here knows the database or the XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SYSTEM = "Samarbeidsbot"  # fagsystem in every referanseEksternNoekkel

# Noark 5 codes used here (M082 journalposttype, M087 korrespondanseparttype, M217 tilknyttetRegistreringSom)
INCOMING, OUTGOING, INTERNAL_NOTE = "I", "U", "X"
SENDER, RECIPIENT, INTERNAL_SENDER = "EA", "EM", "IA"
MAIN, ATTACHMENT = "H", "V"
ENTRY_TYPES = {"I": "Inngåande dokument", "U": "Utgåande dokument", "X": "Organinternt dokument utan oppfølging"}
PARTY_TYPES = {"EA": "Avsendar", "EM": "Mottakar", "IA": "Intern avsendar"}
DOCUMENT_ROLES = {"H": "Hovuddokument", "V": "Vedlegg"}

OPEN, EXEMPT = "offentleg", "unnateke"


def file_name(title: str, ext: str = "pdf") -> str:
    """A file name people see (filnavn): the title without the characters file systems refuse."""
    clean = " ".join(title.translate(str.maketrans({"/": "-", "\\": "-", ":": "", "*": "", "?": "", '"': "",
                                                     "<": "", ">": "", "|": ""})).split()).strip(" .-")
    return f"{clean[:100].rstrip(' .-') or 'dokument'}.{ext}"


@dataclass(frozen=True)
class Access:
    """Offentleglova: a record is open (offentleg) unless exempted (unnateke) on a stated legal basis."""

    access: str = OPEN
    legal_basis: str = ""  # skjermingshjemmel, e.g. "Offl. § 14"

    def __post_init__(self) -> None:
        if self.access not in (OPEN, EXEMPT):
            raise ValueError(f"access must be {OPEN!r} or {EXEMPT!r}, not {self.access!r}")
        if self.access == EXEMPT and not self.legal_basis.strip():
            raise ValueError("an exempted record needs its legal basis (skjermingshjemmel), e.g. 'Offl. § 14'")

    @property
    def exempt(self) -> bool:
        return self.access == EXEMPT


@dataclass
class Party:
    """A correspondence party (korrespondansepart): who sent or received the entry."""

    kind: str  # EA | EM | IA
    name: str
    contact: str = ""  # kontaktperson
    email: str = ""
    is_person: bool = False


@dataclass
class Document:
    """One document of an entry, in one file (PDF/A)."""

    title: str
    role: str  # H | V
    kind: str  # dokumenttype, e.g. KORR, AVTALE, VEDTAK
    filename: str  # shown to people
    content: bytes
    created: datetime
    mime: str = "application/pdf"
    format_code: str = "fmt/478"  # PRONOM: PDF/A-2u
    format_name: str = "PDF/A-2u (ISO 19005-2)"


@dataclass
class Entry:
    """A registry entry (journalpost) in the folder."""

    key: str  # external key, unique within the system
    entry_type: str  # I | U | X
    title: str
    created: datetime
    document_date: datetime
    description: str = ""
    received: datetime | None = None
    sent: datetime | None = None
    author: str = ""
    parties: list[Party] = field(default_factory=list)
    on_behalf_of: list[str] = field(default_factory=list)  # municipalities a regional body answered for
    documents: list[Document] = field(default_factory=list)


@dataclass
class Folder:
    """The case folder (saksmappe) every entry of one export goes into."""

    key: str
    title: str
    created: datetime
    description: str = ""
    closed: datetime | None = None
    responsible: str = ""  # saksansvarleg
    unit: str = ""  # administrativ eining, e.g. the secretariat


@dataclass
class Export:
    """One record for the archive: a folder with its entries, the access mark and when it was made."""

    kind: str  # consultation | case | notice
    folder: Folder
    entries: list[Entry]
    access: Access
    made_at: datetime
    made_by: str = ""
    language: str = "nn"
