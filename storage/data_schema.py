"""The shape of a network file in `data/` (YAML), validated before anything is written.

One file per network. Cross references use keys: people and seats name
municipalities by kommunenummer, seats name people by key, facts name clauses
as "<agreement>/<version>/<clause>". `illustrative: true` marks a value the
source documents do not give, chosen to be plausible (DESIGN: facts must trace
back to the seeds; invented ones must say so).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["nn", "nb", "en"]
KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PerLanguage(Strict):
    nn: str = ""
    nb: str = ""
    en: str = ""


class PhrasesPerLanguage(Strict):
    nn: list[str] = Field(default_factory=list)
    nb: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class NetworkIn(Strict):
    slug: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    language: Literal["nn", "nb"]
    region: str = ""
    description: str = ""
    tenant_ids: list[str] = Field(default_factory=list)
    email_domains: list[str] = Field(default_factory=list)
    source: str = ""


class MunicipalityIn(Strict):
    number: str = Field(pattern=r"^\d{4}$")
    name: str = Field(min_length=1)
    region: str = ""
    population: int | None = Field(default=None, ge=0)
    population_year: int | None = Field(default=None, ge=1900, le=2100)
    population_source: str = ""
    email_domains: list[str] = Field(default_factory=list)
    member: bool = True
    illustrative: bool = False
    # the municipality's written standard (språklova § 6: nynorsk, bokmål or neutral); "" = not known
    written_standard: Literal["nn", "nb", "neutral", ""] = ""
    written_standard_illustrative: bool = True
    written_standard_source: str = ""

    @model_validator(mode="after")
    def _population_needs_year(self) -> MunicipalityIn:
        if self.population is not None and (self.population_year is None or not self.population_source):
            raise ValueError("population needs population_year and population_source")
        return self

    @model_validator(mode="after")
    def _written_standard_says_where_from(self) -> MunicipalityIn:
        if self.written_standard and "written_standard_illustrative" not in self.model_fields_set:
            raise ValueError("written_standard needs written_standard_illustrative: true (demo data) or false "
                             "(from the documents, with written_standard_source)")
        if not self.written_standard_illustrative and not self.written_standard_source:
            raise ValueError("a written_standard from the documents needs written_standard_source (the seed file)")
        return self


class OrganisationIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    kind: Literal["regional_body", "national", "state", "county", "company"]
    covers: list[str] = Field(default_factory=list)  # kommunenummer
    illustrative: bool = False


Role = Literal[
    "director", "mayor", "secretariat", "secretariat_lead", "digital_lead", "it_lead",
    "representative", "coordinator", "observer", "advisor", "admin",
]


class PersonIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1)
    email: str = ""
    upn: str = ""
    title: str = ""
    municipality: str | None = None  # kommunenummer
    organisation: str | None = None  # organisation key
    roles: list[Role] = Field(default_factory=list)
    language: Lang | None = None
    demo: bool = True
    tenant_id: str | None = None
    aad_object_id: str | None = None


class SeatIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    role: Literal["chair", "voting_member", "observer", "member", "lead"]
    represents: str = ""
    person: str | None = None
    municipality: str | None = None
    organisation: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    illustrative: bool = False


class BodyIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    kind: Literal["steering_group", "secretariat", "resource_group", "expert_group", "council", "working_group"]
    name: str = Field(min_length=1)
    description: str = ""
    clauses: list[str] = Field(default_factory=list)  # clause refs
    seats: list[SeatIn] = Field(default_factory=list)
    illustrative: bool = False


class ClauseIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    number: str = ""
    heading: str = Field(min_length=1)
    text: str = Field(min_length=1)


class VersionIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1)
    status: Literal["draft", "in_force", "expired"]
    valid_from: date | None = None
    valid_to: date | None = None
    language: Lang
    source: str = ""
    clauses: list[ClauseIn] = Field(default_factory=list)


class AgreementIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    versions: list[VersionIn] = Field(min_length=1)


class FactIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    topic: str = ""
    kind: str = "statement"
    value: dict = Field(default_factory=dict)
    answer: PerLanguage
    questions: PhrasesPerLanguage = Field(default_factory=PhrasesPerLanguage)
    clauses: list[str] = Field(default_factory=list)
    source: str = ""
    illustrative: bool = False

    @field_validator("answer")
    @classmethod
    def _answer_in_all_languages(cls, value: PerLanguage) -> PerLanguage:
        missing = [lang for lang in ("nn", "nb", "en") if not getattr(value, lang)]
        if missing:
            raise ValueError(f"answer is missing in {', '.join(missing)}")
        return value


class EventIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    kind: Literal["meeting", "deadline"]
    title: str = Field(min_length=1)
    body: str | None = None
    audience: str = ""
    starts_at: datetime
    ends_at: datetime | None = None
    all_day: bool = False
    place: str = ""
    online_url: str = ""
    description: str = ""
    organiser: str = ""
    source: str = ""
    illustrative: bool = False

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2024-08-28T10:00:00+02:00")
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> EventIn:
        if self.ends_at and self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        return self


class QuestionIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    kind: Literal["choice", "text"]
    label: PerLanguage
    options: list[PerLanguage] = Field(default_factory=list)
    required: bool = False


class ResponseIn(Strict):
    municipality: str
    kind: Literal["individual", "joint", "no_input"]
    on_behalf_of: str | None = None  # organisation key, for joint
    submitted_by: str | None = None  # person key
    submitted_at: datetime
    answers: dict = Field(default_factory=dict)
    own_council_date: date | None = None
    note: str = ""
    illustrative: bool = False

    @model_validator(mode="after")
    def _joint_needs_body(self) -> ResponseIn:
        if self.kind == "joint" and not self.on_behalf_of:
            raise ValueError("a joint response needs on_behalf_of (the regional body)")
        return self


class ConsultationIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    description: str = ""
    link: str = ""
    agreement_version: str | None = None  # "<agreement>/<version>"
    sent_at: datetime | None = None
    deadline: datetime
    status: Literal["draft", "open", "closed"] = "open"
    questions: list[QuestionIn] = Field(default_factory=list)
    contact: str = ""
    source: str = ""
    responses: list[ResponseIn] = Field(default_factory=list)


class NetworkFile(Strict):
    network: NetworkIn
    municipalities: list[MunicipalityIn] = Field(default_factory=list)
    organisations: list[OrganisationIn] = Field(default_factory=list)
    people: list[PersonIn] = Field(default_factory=list)
    bodies: list[BodyIn] = Field(default_factory=list)
    agreements: list[AgreementIn] = Field(default_factory=list)
    facts: list[FactIn] = Field(default_factory=list)
    events: list[EventIn] = Field(default_factory=list)
    consultations: list[ConsultationIn] = Field(default_factory=list)
