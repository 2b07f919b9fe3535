"""Plain data passed between the Teams edge (bot/) and the dialogs: no botbuilder types here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sender:
    """The authenticated sender of an activity. Identity is tenant id + AAD object id only."""

    tenant_id: str
    aad_object_id: str
    name: str = ""
    email: str = ""
    upn: str = ""

    @property
    def actor(self) -> str:
        return f"{self.tenant_id}/{self.aad_object_id}"


@dataclass(frozen=True)
class Incoming:
    sender: Sender
    conversation_id: str
    conversation_type: str = "personal"  # personal | groupChat | channel
    text: str = ""
    value: dict[str, Any] | None = None  # card submit data
    locale: str | None = None
    activity_id: str = ""
    # Set for activities that must change stored state once however often Teams delivers them: the
    # router records it in the dialog's own transaction (a turn that fails is redone on redelivery).
    once_key: str = ""


@dataclass
class Reply:
    """One message to send: text, an Adaptive Card, or both."""

    text: str | None = None
    card: dict[str, Any] | None = None
    summary: str = ""  # notification preview for cards
    # Set to send somewhere other than the current conversation (a stored conversation id):
    # the bot delivers it proactively through the stored conversation reference.
    to_conversation: str | None = None
    # Or set to send to a person's personal chat with the bot (a stored person id).
    to_person: int | None = None
    # Groups the messages of one distribution (a notice, a case) for its delivery report.
    batch: str = ""
    # The same logical message is queued once, however often the code that sends it runs.
    dedupe_key: str | None = None
    # (kind, subject): remember where this card was posted so that it can be kept current.
    track: tuple[str, str] | None = None
    track_language: str | None = None  # the reader's language, for a tracked card sent elsewhere


@dataclass(frozen=True)
class Refresh:
    """Ask the bot to re-render every posted card of (kind, subject) and edit it in place.

    Returned among a handler's replies after a change (a new answer, a vote); the
    bot does it after answering the user, so the user's own turn stays fast.
    """

    kind: str
    subject: str


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)

    def add(self, reply: Reply) -> Outcome:
        self.replies.append(reply)
        return self
