"""Every table, re-exported: `from storage.models import Person, Vote, …`.

Each capability keeps its tables in its own module here; importing this package registers them all
with `Base.metadata` (Alembic and `create_all` see every table)."""

from __future__ import annotations

from storage.models.agreements import (  # noqa: F401
    Accession,
    AgreementCase,
    ClauseComment,
)
from storage.models.archive import (  # noqa: F401
    ArchiveMark,
)
from storage.models.consultations import (  # noqa: F401
    Consultation,
    ConsultationReminderSetting,
    ConsultationResponse,
)
from storage.models.core import (  # noqa: F401
    Agreement,
    AgreementVersion,
    AuditEntry,
    Base,
    Body,
    Clause,
    ConversationRef,
    Event,
    Fact,
    Municipality,
    Network,
    Organisation,
    Person,
    PostedCard,
    ProcessedActivity,
    Seat,
    UserPreference,
    UTCDateTime,
    utcnow,
)
from storage.models.delivery import (  # noqa: F401
    DeliveryBudget,
    OutboxMessage,
)
from storage.models.graph import (  # noqa: F401
    CalendarSync,
)
from storage.models.jobs import (  # noqa: F401
    Job,
)
from storage.models.meetings import (  # noqa: F401
    AppSecret,
    EventDetail,
    MeetingDraft,
    Rsvp,
)
from storage.models.notices import (  # noqa: F401
    Notice,
    NoticeAck,
)
from storage.models.qa import (  # noqa: F401
    EscalatedQuestion,
    QaFeedback,
)
from storage.models.routines import (  # noqa: F401
    InnovationProject,
    JointParticipant,
    JointProcurement,
    PlannedProcurement,
    PortfolioItem,
    ProcurementAnswer,
    ProjectCheck,
    RoutineSettings,
)
from storage.models.votes import (  # noqa: F401
    BodyChannel,
    Case,
    Vote,
)
