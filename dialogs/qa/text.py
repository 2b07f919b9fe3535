"""Text normalisation for the matcher: words, lemmas, compounds, the synonym map, typo checks, language
and question type.

A word becomes a token in these steps (the same for stored text and for questions):
  fold (lower case, punctuation out) → dialect spellings and chat abbreviations (ka → kva, kd →
  kommunedirektør, from lexicon.yaml) → context phrases dropped ("ifølgje avtalen", "according to the
  agreement") → multi-word phrases to one token ("steering group") → stopwords dropped → synonym map
  (lexicon.yaml: kven/hvem/who, leiar/leder/chair, older and newer terms) on the word and on its lemma
  → Snowball `norwegian` stem of the lemma.

Why simplemma for lemmas: it ships Bokmål and Nynorsk (and English) dictionaries in the wheel, needs no
download or model, and is a plain dictionary lookup (microseconds per word, cached). Snowball alone
folds styringsgruppa/styringsgruppen but not vedtok/vedta or avgjerdene/avgjerd, nor English plurals.
Compounds (styringsgruppemøte) are split into two known words (styringsgruppe + møte) so that a question
meets "møte i styringsgruppa". A word counts as a real word when simplemma's dictionaries or wordfreq's
nb/en frequency lists know it; only words that are not words are ever typo-corrected (index.py).
The lexicon is vocabulary, not answers: it holds no facts about any network.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import simplemma
import snowballstemmer
import yaml

_STEMMER = snowballstemmer.stemmer("norwegian")
_WORD = re.compile(r"[0-9a-zæøåäöüéèêôóàç]+")
LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


def _load_lexicon() -> dict:
    return yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))


_LEX = _load_lexicon()
PHRASES: dict[str, str] = {str(k): str(v) for k, v in (_LEX.get("phrases") or {}).items()}
WORDS: dict[str, str] = {}
for _canonical, _words in (_LEX.get("synonyms") or {}).items():
    for _w in [_canonical, *(_words or [])]:
        WORDS.setdefault(str(_w), str(_canonical))
DIALECT: dict[str, str] = {str(k): str(v or "") for k, v in (_LEX.get("dialect") or {}).items()}
CONTEXT: list[str] = sorted((str(c) for c in _LEX.get("context") or []), key=len, reverse=True)
STOPWORDS = frozenset(str(w) for w in _LEX.get("stopwords") or [])
_PHRASE_ORDER = sorted(PHRASES, key=len, reverse=True)
_DIALECT_PHRASES = sorted((k for k in DIALECT if " " in k), key=len, reverse=True)

QUESTION_WORDS = frozenset(["kva", "hva", "what", "which", "kven", "hvem", "who", "når", "when", "korleis",
                            "hvordan", "how", "kvifor", "hvorfor", "why", "kor", "hvor", "where", "hvilke",
                            "hvilken", "hvilket", "ka", "kem", "åssen", "koss", "kordan", "hvafor", "kormykje",
                            "kormange", "korofte", "kvaskjer", "is", "are", "does", "do", "er", "har", "kan",
                            "can", "has", "skal", "må", "får", "will", "did", "was"])


def fold(text: str) -> str:
    """Lower-case, keep Norwegian letters, turn punctuation and hyphens into spaces."""
    text = unicodedata.normalize("NFC", text.lower())
    text = text.replace("’", "'").replace("-", " ").replace("/", " ")
    return " ".join(_WORD.findall(text))


_PREAMBLE_COLON = re.compile(r"^\s*([^:?]{1,60}):\s*(\S.*)$", re.S)
_PREAMBLE_SELF = re.compile(
    r"^\s*(?:hei[,!]?\s*|hi[,!]?\s*|hello[,!]?\s*)?(?:eg|jeg|i|æ|me|vi|we)\s+(?:er|am|'m|are)\s+[^,.?!]{1,60}[,.!]\s*(\S.*)$",
    re.S | re.I)
_PREAMBLE_AS = re.compile(r"^\s*(?:som|as an?|as)\s+[^,?]{1,50},\s*(\S.*)$", re.S | re.I)


def strip_preamble(text: str) -> str:
    """Drop the asker's description of themselves before the question ("kd i askøy: …", "eg er kd i
    askøy, …", "rådmann her: …", "as a mayor, …"): it names the asker, not what is asked."""
    for pattern in (_PREAMBLE_SELF, _PREAMBLE_AS):
        m = pattern.match(text)
        if m and fold(m.group(1)):
            text = m.group(1)
    m = _PREAMBLE_COLON.match(text)
    if m:
        head = fold(m.group(1)).split()
        if head and len(head) <= 7 and not (set(head) & QUESTION_WORDS) and fold(m.group(2)):
            text = m.group(2)
    return text


def _alternation(phrases: list[str]) -> re.Pattern | None:
    """One pattern for a list of phrases, longest first, matching whole words only."""
    if not phrases:
        return None
    return re.compile(r"(?<= )(?:" + "|".join(re.escape(p) for p in phrases) + r")(?= )")


_PATTERNS: dict[int, re.Pattern | None] = {}


def _replace_phrases(padded: str, phrases: list[str], mapping: dict[str, str] | None) -> str:
    pattern = _PATTERNS.get(id(phrases))
    if pattern is None:
        pattern = _PATTERNS[id(phrases)] = _alternation(phrases)
    if pattern is None:
        return padded
    # a replaced phrase keeps its spaces, so that the next phrase can start right after it
    padded = pattern.sub(lambda m: mapping[m.group(0)] if mapping is not None else "", padded)
    return f" {' '.join(padded.split())} "


# "ifølgje e-posten frå Frode Kyrkjebø", "according to the background section of the agreement": a phrase
# naming the document the asker read carries no weight (the document itself is still content elsewhere:
# "kva vedlegg fulgte med e-posten")
_DOCUMENT_FRAME = re.compile(
    r" (?:ifølgje|ifølge|i følge|i følgje|according to|as stated in|as described in|based on) (?:the |den |det )?"
    r"(?:e ?posten|e ?posta|e ?mail(?:et)?|mail(?:en)?|brevet|letter|årsoppsummering(?:a|en)?|annual summary|"
    r"summary|saka|saken|saksframlegget|case(?: document)?|dokumentet|document|avtaleteksten|agreement text|"
    r"teksten|text|background(?: section)?|bakgrunnen|innleiinga|innledningen|introduction|status(?:en)?)"
    r"(?: (?:section|part|delen))?(?: (?:of|in|til|i) (?:the )?(?:agreement|avtalen|samarbeidsavtalen))?"
    r"(?: (?:frå|fra|from|om|about|of) (?:[a-zæøå]+(?: [a-zæøå]+)?))?(?= )")


def apply_phrases(folded: str) -> str:
    """Dialect words, context phrases and multi-word phrases on folded text."""
    folded = _DOCUMENT_FRAME.sub(" ", f" {folded} ") if " " in folded else folded
    words = []
    for w in folded.split():
        mapped = DIALECT.get(w, w)
        if mapped:
            words.append(mapped)
    padded = f" {' '.join(words)} "
    padded = _replace_phrases(padded, _DIALECT_PHRASES, DIALECT)
    padded = _replace_phrases(padded, CONTEXT, None)
    padded = _replace_phrases(padded, _PHRASE_ORDER, PHRASES)
    return " ".join(padded.split())


def raw_words(text: str) -> list[str]:
    """Folded words after dialect, context and phrase mapping: what terms are made from."""
    return apply_phrases(fold(strip_preamble(text))).split()


@lru_cache(maxsize=100_000)
def lemma(word: str, en: bool = False) -> str:
    try:
        return simplemma.lemmatize(word, lang="en" if en else ("nb", "nn"))
    except Exception:  # noqa: BLE001 - a lemmatiser hiccup must not fail a question
        return word


@lru_cache(maxsize=100_000)
def is_known_word(word: str) -> bool:
    """Does a dictionary know this word (simplemma nb/nn/en, the lexicon)? Cheap; no frequency list."""
    if word in WORDS or word in STOPWORDS or word in DIALECT:
        return True
    return any(simplemma.is_known(word, lang=lang) for lang in ("nb", "nn", "en"))


@lru_cache(maxsize=100_000)
def is_real_word(word: str) -> bool:
    """A real word (never to be "corrected"): a dictionary or wordfreq's nb/en lists know it, or it is a
    compound of two known words."""
    if is_known_word(word) or split_compound(word) is not None:
        return True
    return _zipf(word) >= 2.5


def _zipf(word: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency; simplemma's lists still decide
        return 0.0
    return max(zipf_frequency(word, "nb"), zipf_frequency(word, "en"))


def _known_part(part: str) -> bool:
    return len(part) >= 3 and (part in WORDS or (len(part) >= 4 and is_known_word(part)))


@lru_cache(maxsize=100_000)
def split_compound(word: str) -> tuple[str, str] | None:
    """styringsgruppemøtet → (styringsgruppe, møtet): the longest known first part (a linking s/e
    dropped) and a known last part; None for known words and words that do not split."""
    if len(word) < 8 or word in WORDS or word.isdigit() or is_known_word(word):
        return None
    for i in range(len(word) - 3, 3, -1):
        left, right = word[:i], word[i:]
        if not _known_part(right):
            continue
        for candidate in (left, left[:-1] if left[-1] in "se" else ""):
            if candidate and _known_part(candidate):
                return candidate, right
    return None


@lru_cache(maxsize=100_000)
def term(word: str, en: bool = False) -> str | None:
    """Canonical token for one folded word, or None for a stopword."""
    if word in STOPWORDS:
        return None
    mapped = WORDS.get(word)
    if mapped is not None:
        return mapped
    if word.isdigit():
        return word
    base = lemma(word, en)
    mapped = WORDS.get(base)
    if mapped is not None:
        return mapped
    if base in STOPWORDS:
        return None
    return _STEMMER.stemWord(base)


@lru_cache(maxsize=100_000)
def word_terms(word: str, en: bool = False) -> tuple[str | None, tuple[str, ...]]:
    """(the word's token, its compound parts' tokens — empty when it is not a compound)."""
    whole = term(word, en)
    if whole is None:
        return None, ()
    parts = split_compound(word)
    if parts is None:
        return whole, ()
    toks = tuple(t for t in (term(p, en) for p in parts) if t)
    return whole, toks


def terms(words: list[str], en: bool = False) -> list[str]:
    """Tokens for stored text: each word's token and, for a compound, its parts' tokens too."""
    out: list[str] = []
    for w in words:
        whole, parts = word_terms(w, en)
        if whole:
            out.append(whole)
            out.extend(parts)
    return out


def tokens(text: str, lang: str = "nn") -> list[str]:
    return terms(raw_words(text), lang == "en")


# --- language and question type ----------------------------------------------------------------

_NN = frozenset(["kva", "kven", "korleis", "kvifor", "ikkje", "eg", "dei", "eit", "frå", "kor", "mykje", "leiar",
                 "avgjer", "møtest", "vere", "no", "kommunane", "kommunar", "innbyggjar", "òg", "gjeld", "noko",
                 "nokon", "sit", "ka", "kem", "koss", "korleis", "ikkje", "vart", "blir", "ein", "høyringa",
                 "innspel", "styringsgruppa", "avtala", "berre", "mange", "me", "dykk", "deira", "hjå", "sidan"])
_NB = frozenset(["hva", "hvem", "hvordan", "hvorfor", "ikke", "jeg", "de", "et", "fra", "hvor", "mye", "leder",
                 "avgjør", "møtes", "være", "nå", "kommunene", "kommuner", "innbygger", "også", "gjelder", "noe",
                 "noen", "sitter", "åssen", "hvafor", "ble", "bare", "høringen", "innspill", "styringsgruppen",
                 "avtalen", "hvilke", "hvilken", "deres", "hos", "siden", "mellom"])
_EN = frozenset(["what", "who", "how", "why", "when", "where", "which", "the", "is", "are", "does", "do", "of",
                 "to", "our", "us", "we", "much", "many", "pay", "pays", "agreement", "steering", "group",
                 "meeting", "chair", "chairs", "has", "have", "did", "was", "were", "and", "with", "for", "can",
                 "there", "it", "right", "will", "about", "any", "this"])
_SHARED = frozenset(["når", "skal", "vi", "er", "mange", "avtalen"])


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


FREQUENCY_WORDS = _FREQUENCY_WORDS = frozenset(["månadleg", "kvartal", "kvartalsvis", "årleg", "årlig", "yearly", "annually",
                              "weekly", "vekentleg", "ukentlig", "daily", "dagleg", "monthly", "quarterly",
                              "biweekly", "annenhver"])


def question_type(words: list[str]) -> str:
    """who | when | how_much | how_many | how_often | what_happens_if | why | yes_no | what, from the
    question's words after dialect and phrase mapping."""
    ws = set(words)
    first = words[0] if words else ""
    if "kvaskjer" in ws:
        return "what_happens_if"
    if "korofte" in ws:
        return "how_often"
    if "kormange" in ws:
        return "how_many"
    if "kormykje" in ws:
        return "how_much"
    if ws & {"når", "korlenge", "when", "whenever"} or (first == "until" and "when" in ws):
        return "when"
    if ws & {"kven", "hvem", "who", "whom", "whose"}:
        return "who"
    if ws & {"kvifor", "hvorfor", "why"}:
        return "why"
    if ws & _FREQUENCY_WORDS:  # "… monthly, right": a claim about how often
        return "how_often"
    if first in {"er", "har", "kan", "skal", "må", "får", "is", "are", "does", "do", "has", "have", "can",
                 "will", "did", "was", "were", "should", "must", "gjeld", "gjelder", "blir", "vert"}:
        return "yes_no"
    return "what"


_DATE = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}\. ?(jan|feb|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|des|dec)"
                   r"|\b(january|february|march|april|may|june|july|august|september|october|november|december)"
                   r"\b|\b\d{1,2}\.\d{1,2}\.(\d{2}){1,2}\b|\b\d{1,2}[:.]\d\d\b|kvartal|quarter|årleg|årlig|yearly|"
                   r"annual|månad|måned|month|veke|week|haust|høst|autumn|vår|spring|sommar|sommer|summer|"
                   r"innan|innen|within|frist|deadline|dag|day|år\b|year|\bi dag\b|today|neste|next", re.I)
_NUMBER = re.compile(r"\d|\b(ein|en|eitt|ett|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|one|two|three|four|five|"
                     r"six|seven|eight|nine|ten|alle|all|both|begge|ingen|none)\b", re.I)
_MONEY = re.compile(r"\bkr\b|kron|nok\b|\d|beløp|amount|innbyggj?ar|innbygger|inhabitant|kontingent|fee|"
                    r"finansier|fund|budsjett|budget|betal|pay|kostnad|cost", re.I)
_OFTEN = re.compile(r"kvartal|quarter|årleg|årlig|yearly|annual|gong|gang|time|månad|måned|month|veke|week|"
                    r"behov|need|jamleg|jevnlig|regular|dag|day|år\b|year|fast|minst|least", re.I)
_WHO = re.compile(r"[A-ZÆØÅ][a-zæøå]+|leiar|leder|chair|kommune|municipal|sekretariat|secretariat|"
                  r"styringsgrupp|steering|direktør|director|rådmann|ordfør|mayor|ks\b|fylke|county|"
                  r"statsforvalt|governor|gruppe|group|utval|utvalg|committee|council|partane|partene|parties|"
                  r"medlem|member|representant|representative|alle|all|kvar|hver|each|ansvar|responsib")


def answer_fits(qtype: str, answer: str) -> bool | None:
    """Does this answer text have the kind of content the question type asks for? None when any fits."""
    if not answer:
        return None
    if qtype == "when":
        return bool(_DATE.search(answer))
    if qtype == "how_many":
        return bool(_NUMBER.search(answer))
    if qtype == "how_much":
        return bool(_MONEY.search(answer))
    if qtype == "how_often":
        return bool(_OFTEN.search(answer))
    if qtype == "who":
        return bool(_WHO.search(answer))
    return None
