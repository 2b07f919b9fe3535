"""Text normalisation for the matcher: tokens, the nn↔nb↔en term map, stemming, language guess.

Why a term map: Snowball `norwegian` folds inflections (styringsgruppa/styringsgruppen) but not
Nynorsk vs Bokmål spellings (kven/hvem, avgjerd/avgjørelse) nor English, and the stored
phrasings are in one language per entry. Mapping the words that carry a question's meaning to
one canonical token lets a Bokmål or English question meet a Nynorsk phrasing and vice versa.
The map is vocabulary, not answers: it holds no facts about any network.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("norwegian")
_WORD = re.compile(r"[0-9a-zæøåäöüéèêôóàç]+")

# Multi-word phrases first (applied to the lower-cased text with single spaces).
PHRASES: dict[str, str] = {
    "steering group": "styringsgruppa", "steering committee": "styringsgruppa",
    "programme board": "programstyret", "program board": "programstyret",
    "annual meeting": "årsmøtet", "general meeting": "årsmøtet",
    "resource group": "ressursgruppa", "expert group": "faggruppe", "expert groups": "faggrupper",
    "working group": "arbeidsgruppe", "council of chief executives": "rådmannsutvalet",
    "information security": "informasjonstryggleik", "informasjonssikkerhet": "informasjonstryggleik",
    "informasjonssikkerheten": "informasjonstryggleik",
    "kor mykje": "kormykje", "hvor mye": "kormykje", "how much": "kormykje",
    "kor mange": "kormange", "hvor mange": "kormange", "how many": "kormange",
    "kor ofte": "korofte", "hvor ofte": "korofte", "how often": "korofte",
    "kor lenge": "korlenge", "hvor lenge": "korlenge", "how long": "korlenge",
    "kva tid": "når", "kor tid": "når", "what time": "når", "what date": "når dato",
    "kva for": "kva", "kva slags": "kva", "hva slags": "kva", "what kind of": "kva",
    "går ut": "utløper", "gikk ut": "utløper", "gjekk ut": "utløper", "run out": "utløper",
    "per innbyggjar": "innbyggjar", "per innbygger": "innbyggjar", "per inhabitant": "innbyggjar",
    "per resident": "innbyggjar", "per capita": "innbyggjar",
    "fylkesmannen": "statsforvaltaren", "county governor": "statsforvaltaren",
    "sit i": "sit", "sitter i": "sit", "is on": "sit", "are on": "sit", "sits on": "sit",
    "er med i": "er medlem i", "er med": "er medlem", "bli med": "bli medlem", "ble med": "ble medlem",
    "vart med": "vart medlem", "vere med": "vere medlem", "være med": "være medlem",
    "på vegner av": "vegner", "på vegne av": "vegner", "on behalf of": "vegner",
    "next time": "neste", "neste gong": "neste", "neste gang": "neste",
}

# Single words → canonical token (before stemming). Interrogatives are kept: they tell a "who"
# question from a "when" question about the same body.
WORDS: dict[str, str] = {}


def _group(canonical: str, *words: str) -> None:
    for word in words:
        WORDS[word] = canonical


_group("kven", "kven", "hvem", "who", "whom", "whose")
_group("kva", "kva", "hva", "what", "which", "hvilke", "hvilken", "hvilket", "kva")
_group("korleis", "korleis", "hvordan", "how")
_group("når", "når", "when")
_group("kvifor", "kvifor", "hvorfor", "why")
_group("leiar", "leiar", "leiaren", "leier", "leiar", "leia", "leie", "leiast", "leder", "lederen", "leder",
       "ledes", "lede", "leda", "ledet", "chair", "chairs", "chaired", "chairman", "chairperson", "lead",
       "leads", "leader", "led", "heads", "head", "styringsgruppeleiar", "styringsgruppeleder")
_group("avgjer", "avgjer", "avgjør", "bestemmer", "bestemme", "bestem", "decide", "decides", "decided",
       "avgjera", "avgjere", "avgjøre", "beslutter", "besluttar")
_group("avgjerd", "avgjerd", "avgjerder", "avgjerdene", "avgjørelse", "avgjørelser", "avgjørelsene",
       "beslutning", "beslutninger", "beslutningene", "decision", "decisions", "vedtak", "vedtaka",
       "vedtakene")
_group("einig", "einig", "einige", "enig", "enige", "samd", "samde", "agree", "agreed", "semje", "enighet")
_group("usemje", "usemje", "uenighet", "ueinigheit", "uenig", "uenige", "disagree", "disagreement",
       "disagreements", "usamde", "konflikt")
_group("betale", "betale", "betaler", "betalar", "betalt", "pay", "pays", "paid", "paying", "kontingent",
       "kontingenten", "fee", "fees", "contribution", "contributions", "bidrag", "bidreg", "koste",
       "kostar", "koster", "cost", "costs", "charge")
_group("innbyggjar", "innbyggjar", "innbyggjarar", "innbygger", "innbyggere", "inhabitant", "inhabitants",
       "resident", "residents", "capita")
_group("avtale", "avtale", "avtalen", "agreement", "agreements", "samarbeidsavtale", "samarbeidsavtalen",
       "avtala", "contract")
_group("utløper", "utløper", "utløp", "expire", "expires", "expired", "expiry", "ends", "slutt", "slutter")
_group("møte", "møte", "møtet", "møta", "møter", "møtene", "møtes", "møtest", "meet", "meets", "meeting",
       "meetings", "met")
_group("sekretariat", "sekretariat", "sekretariatet", "secretariat", "sekretariatets")
_group("kommune", "kommune", "kommunen", "kommunar", "kommuner", "kommunane", "kommunene", "municipality",
       "municipalities", "municipal")
_group("vegner", "vegner", "vegne")
_group("medlem", "medlem", "medlemer", "medlemmer", "medlemene", "medlemmene", "member", "members",
       "membership", "deltakar", "deltakere", "deltakarar", "participant", "participants", "deltar", "deltek")
_group("sit", "sit", "sitter", "sits", "sitte", "sitje", "seat", "seats")
_group("frist", "frist", "fristen", "deadline", "deadlines", "fristar", "frister")
_group("innspel", "innspel", "innspela", "innspill", "innspillene", "input", "inputs", "høyring", "høring",
       "consultation")
_group("endring", "endring", "endringar", "endringer", "endre", "endrast", "endres", "change", "changed",
       "changes", "amend", "amended", "amendment", "endra")
_group("evaluering", "evaluering", "evaluere", "evaluerast", "evalueres", "evaluated", "evaluation",
       "evaluate", "evaluert")
_group("finansiering", "finansiering", "finansiert", "finansieres", "finansierast", "funded", "funding",
       "financed", "financing", "finance")
_group("faggruppe", "faggruppe", "faggrupper", "faggruppene", "faggruppa", "faggrupp")
_group("anskaffing", "anskaffing", "anskaffingar", "anskaffelse", "anskaffelser", "anskaffelsen",
       "procurement", "procurements", "purchase", "purchases", "kjøpe", "kjøper", "buy", "buying", "innkjøp")
_group("observatør", "observatør", "observatørar", "observatører", "observer", "observers")
_group("oppgåve", "oppgåve", "oppgåver", "oppgåvene", "oppgave", "oppgaver", "oppgavene", "tasks", "task",
       "duties", "funksjonar", "funksjoner", "functions")
_group("ansvar", "ansvar", "ansvarleg", "ansvarlig", "responsible", "responsibility", "responsibilities")
_group("budsjett", "budsjett", "budsjettet", "budget", "budgets")
_group("visjon", "visjon", "visjonen", "vision")
_group("formål", "formål", "formålet", "føremål", "purpose", "aim", "goal", "mål", "målet")
_group("representant", "representant", "representantar", "representanter", "representanten",
       "representative", "representatives", "representerer", "represents")
_group("kontakt", "kontakt", "kontakte", "kontakta", "contact", "kontaktperson")
_group("godkjent", "godkjent", "godkjend", "approved", "vedteke", "vedtatt", "adopted")
_group("intern", "intern", "interne", "internal")
_group("kostnad", "kostnad", "kostnader", "kostnadene", "kostnadane", "expenses")
_group("ikkje", "ikkje", "ikke", "not", "no", "never", "aldri")
_group("nasjonal", "nasjonal", "nasjonale", "national")
_group("løysing", "løysing", "løysingar", "løsning", "løsninger", "løsningene", "solution", "solutions",
       "system", "systems", "systemer", "systemet")
_group("gjeld", "gjeld", "gjelder", "valid", "applies", "apply", "gyldig")
_group("dato", "dato", "date", "dagen")
_group("neste", "neste", "next", "kommande", "kommende", "upcoming")
_group("frivillig", "frivillig", "frivillige", "voluntary", "optional")
_group("forpliktande", "forpliktande", "forpliktende", "binding", "obligatory", "mandatory")
_group("prosjekt", "prosjekt", "prosjekta", "prosjekter", "prosjektene", "project", "projects")
_group("stiftet", "etablert", "established", "founded", "oppretta", "opprettet", "started", "starta")
_group("utpeikar", "utpeikar", "utpeker", "utnevner", "appoints", "appoint", "appointed", "peker",
       "peikar", "nominates")
_group("samarbeid", "samarbeid", "samarbeidet", "cooperation", "collaboration", "partnership")

STOPWORDS = frozenset(["i", "på", "av", "og", "er", "det", "den", "dei", "de", "til", "for", "om", "med", "som", "ein", "en", "eit", "et", "ei", "the", "a", "an", "of", "to", "in", "on", "is", "are", "do", "at", "so", "no", "nå", "vi", "oss", "me", "eg", "jeg", "du", "dykk", "dere", "seg", "sin", "sine", "sitt", "har", "hadde", "kan", "skal", "vil", "må", "bli", "blir", "vert", "vere", "være", "be", "been", "being", "was", "were", "have", "has", "had", "be", "by", "from", "frå", "fra", "this", "that", "these", "those", "it", "its", "our", "us", "we", "you", "your", "they", "them", "their", "there", "here", "then", "than", "da", "då", "så", "dette", "desse", "disse", "også", "og", "or", "eller", "ha", "hatt", "etter", "under", "ved", "about", "into", "over", "any", "some", "all", "alle", "noko", "noe", "nokon", "noen", "mi", "min", "mitt", "mine", "vår", "vårt", "våre", "our", "please", "tell", "me", "meg", "kindly", "i'm", "im", "vel", "jo", "nok", "litt", "slik", "sånn", "will", "would", "should", "could", "can", "did", "any", "gjer", "gjere", "gjør", "gjøre", "gjort", "tar", "ta", "tek", "teke", "tatt", "blir", "bli", "vart", "ble", "blitt", "får", "få", "fekk", "fikk", "skulle", "skal", "ville", "kunne", "burde", "må", "matte", "måtte"])


def fold(text: str) -> str:
    """Lower-case, keep Norwegian letters, turn punctuation and hyphens into spaces."""
    text = unicodedata.normalize("NFC", text.lower())
    text = text.replace("’", "'").replace("-", " ").replace("/", " ")
    return " ".join(_WORD.findall(text))


def apply_phrases(folded: str) -> str:
    padded = f" {folded} "
    for phrase, canonical in PHRASES.items():
        if f" {phrase} " in padded:
            padded = padded.replace(f" {phrase} ", f" {canonical} ")
    return padded.strip()


def raw_words(text: str) -> list[str]:
    """Folded words after phrase mapping: the vocabulary that typo correction works against."""
    return apply_phrases(fold(text)).split()


@lru_cache(maxsize=50_000)
def term(word: str) -> str | None:
    """Canonical, stemmed token for one folded word, or None for a stopword."""
    if word in STOPWORDS:
        return None
    mapped = WORDS.get(word)
    if mapped is not None:
        return mapped
    if word.isdigit():
        return word
    return _STEMMER.stemWord(word)


def terms(words: list[str]) -> list[str]:
    return [tok for w in words if (tok := term(w))]


def tokens(text: str) -> list[str]:
    return terms(raw_words(text))


_NN = frozenset(["kva", "kven", "korleis", "kvifor", "ikkje", "eg", "dei", "eit", "frå", "kor", "mykje", "leiar", "avgjer", "møtest", "vere", "no", "kommunane", "kommunar", "innbyggjar", "òg", "gjeld", "noko", "nokon", "sit", "når", "skal", "vi", "kva"])
_NB = frozenset(["hva", "hvem", "hvordan", "hvorfor", "ikke", "jeg", "de", "et", "fra", "hvor", "mye", "leder", "avgjør", "møtes", "være", "nå", "kommunene", "kommuner", "innbygger", "også", "gjelder", "noe", "noen", "sitter"])
_EN = frozenset(["what", "who", "how", "why", "when", "where", "which", "the", "is", "are", "does", "do", "of", "to", "our", "us", "we", "much", "many", "pay", "pays", "agreement", "steering", "group", "meeting", "chair", "chairs"])
_SHARED = frozenset(["når", "skal", "vi", "er"])


def guess_language(text: str, default: str) -> str:
    """The language a question is written in (nn/nb/en), by marker words; ties go to `default`."""
    words = fold(text).split()
    scores = {
        "nn": sum(1 for w in words if w in _NN and w not in _SHARED),
        "nb": sum(1 for w in words if w in _NB and w not in _SHARED),
        "en": sum(1 for w in words if w in _EN),
    }
    best = max(scores.values())
    if best == 0:
        return default
    leaders = [lang for lang, score in scores.items() if score == best]
    return default if default in leaders else leaders[0]
