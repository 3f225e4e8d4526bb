"""A synthetic but realistic archive for benchmarks, generated deterministically.

`Plan` holds the outlets, people and topics and decides everything else; its
`batch` turns a batch number into rows of values for articles, their people and
topic links and their quotes, as a pure function of the seed and the batch
number, so that batches can be made in parallel processes and the corpus is the
same whatever their number. generate_corpus writes the rows.
"""

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

import numpy as np

from articles.text import ascii_slug

# name, domain, country, language, ownership, dateline city
OUTLETS = [
    ("TASS", "tass.com", "RU", "ru", "state", "MOSCOW"),
    ("RIA Novosti", "ria.ru", "RU", "ru", "state", "MOSCOW"),
    ("Interfax", "interfax.ru", "RU", "ru", "private", "MOSCOW"),
    ("Kommersant", "kommersant.ru", "RU", "ru", "private", "MOSCOW"),
    ("Meduza", "meduza.io", "LV", "ru", "private", "RIGA"),
    ("Anadolu Agency", "aa.com.tr", "TR", "tr", "state", "ANKARA"),
    ("Daily Sabah", "dailysabah.com", "TR", "en", "private", "ISTANBUL"),
    ("Hürriyet Daily News", "hurriyetdailynews.com", "TR", "en", "private", "ANKARA"),
    ("TRT World", "trtworld.com", "TR", "en", "public", "ISTANBUL"),
    ("Cumhuriyet", "cumhuriyet.com.tr", "TR", "tr", "private", "ISTANBUL"),
    ("Trend News Agency", "trend.az", "AZ", "az", "private", "BAKU"),
    ("APA", "apa.az", "AZ", "az", "private", "BAKU"),
    ("Armenpress", "armenpress.am", "AM", "hy", "state", "YEREVAN"),
    ("Civil.ge", "civil.ge", "GE", "ka", "private", "TBILISI"),
    ("Kazinform", "inform.kz", "KZ", "kk", "state", "ASTANA"),
    ("Ukrinform", "ukrinform.net", "UA", "uk", "state", "KYIV"),
    ("Kyiv Independent", "kyivindependent.com", "UA", "en", "private", "KYIV"),
    ("BBC News", "bbc.co.uk", "GB", "en", "public", "LONDON"),
    ("Reuters", "reuters.com", "GB", "en", "private", "LONDON"),
    ("The Guardian", "theguardian.com", "GB", "en", "private", "LONDON"),
    ("Associated Press", "apnews.com", "US", "en", "private", "WASHINGTON"),
    ("The New York Times", "nytimes.com", "US", "en", "private", "NEW YORK"),
    ("Agence France-Presse", "afp.com", "FR", "fr", "public", "PARIS"),
    ("Le Monde", "lemonde.fr", "FR", "fr", "private", "PARIS"),
    ("Deutsche Welle", "dw.com", "DE", "de", "public", "BONN"),
    ("Der Spiegel", "spiegel.de", "DE", "de", "private", "HAMBURG"),
    ("Al Jazeera", "aljazeera.com", "QA", "ar", "state", "DOHA"),
    ("IRNA", "irna.ir", "IR", "fa", "state", "TEHRAN"),
    ("Xinhua", "xinhuanet.com", "CN", "zh", "state", "BEIJING"),
    ("EFE", "efe.com", "ES", "es", "state", "MADRID"),
]

FIRST_NAMES = [
    "Sergey", "Maria", "Dmitry", "Anna", "Vladimir", "Olga", "Mikhail", "Elena",
    "Recep", "Ayşe", "Mehmet", "Zeynep", "Hakan", "Elif", "Mustafa", "Fatma",
    "Ilham", "Leyla", "Rashad", "Aynur", "Nikol", "Armine", "Irakli", "Nino",
    "Kassym", "Aigerim", "Volodymyr", "Oksana", "John", "Sarah", "David", "Emma",
    "Emmanuel", "Claire", "Olaf", "Ursula", "Ali", "Fatima", "Wang", "Li",
    "Pedro", "Lucía", "James", "Laura", "Ahmed", "Nadia", "Yusuf", "Selin",
]  # fmt: skip
SURNAMES = [
    "Lavrov", "Zakharova", "Peskov", "Shoigu", "Medvedev", "Nabiullina", "Volkov",
    "Sokolova", "Kuznetsov", "Popova", "Morozov", "Novikova", "Erdoğan", "Fidan",
    "Çavuşoğlu", "Kalın", "Yılmaz", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk",
    "Aliyev", "Bayramov", "Hajiyev", "Mammadova", "Pashinyan", "Mirzoyan",
    "Grigoryan", "Kobakhidze", "Garibashvili", "Tokayev", "Smailov", "Zelensky",
    "Kuleba", "Yermak", "Shmyhal", "Blinken", "Sullivan", "Miller", "Johnson",
    "Cameron", "Macron", "Barrot", "Scholz", "Baerbock", "Leyen", "Borrell",
    "Guterres", "Stoltenberg", "Rutte", "Raisi", "Araghchi", "Amirabdollahian",
    "Yi", "Qiang", "Sánchez", "Albares", "Lula", "Modi", "Jaishankar", "Orbán",
    "Szijjártó", "Netanyahu", "Abbas", "Sisi", "Thani", "Khan", "Sharif", "Ruto",
    "Ramaphosa", "Tinubu", "Kishida", "Yoon", "Widodo", "Marcos", "Albanese",
    "Trudeau", "Sheinbaum", "Milei", "Petro", "Boric", "Lukashenko", "Sandu",
    "Vučić", "Plenković", "Tusk", "Duda", "Fico", "Meloni", "Mitsotakis",
    "Christodoulides", "Stubb", "Kristersson", "Støre", "Frederiksen", "Costa",
    "Michel", "Šefčovič", "Dombrovskis", "Kallas",
]  # fmt: skip
# Other transliterations, as outlets in other languages write the names.
RESPELLINGS = [
    ("Sergey", "Sergei"), ("Dmitry", "Dmitri"), ("Yi", "Yee"), ("ğ", "g"),
    ("ş", "s"), ("ç", "c"), ("ı", "i"), ("ö", "o"), ("ü", "u"), ("ov", "off"),
    ("Zelensky", "Zelenskyy"), ("Volodymyr", "Vladimir"), ("Aliyev", "Aliev"),
]  # fmt: skip

TOPICS = {
    "Diplomacy": ["Summits", "Sanctions", "Treaties", "Embassies"],
    "Security": ["Ceasefires", "Arms deals", "Drones", "Border incidents"],
    "Energy": ["Gas", "Oil", "Nuclear power", "Pipelines", "Renewables"],
    "Economy": ["Trade", "Tourism", "Inflation", "Currencies", "Agriculture"],
    "Politics": ["Elections", "Parliament", "Referendums", "Protests"],
    "Conflicts": ["Syria", "Nagorno-Karabakh", "Ukraine", "Libya", "Gaza"],
    "Society": ["Migration", "Health", "Education", "Religion"],
    "Media": ["Press freedom", "Disinformation", "Broadcasting"],
    "Environment": ["Climate", "Earthquakes", "Floods", "Wildfires"],
    "Technology": ["Space", "Cybersecurity", "Telecoms"],
}
SUBTOPICS = {"Syria": ["Idlib", "Aleppo"], "Ukraine": ["Black Sea grain deal"]}

# A list literal of these would run to 200 lines.
WORDS = """
ministry officials delegation agreement talks sanctions pipeline border ceasefire
treaty exports imports tariffs tourism energy wheat grain corridor airspace drones
frigate parliament election referendum summit communique embassy consulate visa
refugees humanitarian aid convoy reconstruction investment loan budget inflation
currency reserves central bank interest rates oil gas nuclear plant reactor port
railway highway bridge airport airline flights passengers tourists hotels season
harvest fertiliser shipping tanker cargo customs checkpoint troops exercises
missile defence system contract delivery satellite launch cosmonaut station
opposition coalition ruling party cabinet reshuffle decree law amendment court
verdict appeal prosecutor investigation journalists media broadcaster statement
spokesperson press conference interview briefing visit meeting negotiations
counterpart bilateral regional international security council resolution veto
alliance partnership cooperation memorandum roadmap framework mechanism platform
monitoring observers mission peacekeepers mediation dialogue settlement conflict
clashes shelling casualties civilians evacuation shelter earthquake flood drought
wildfire emergency relief donors pledge conference forum exhibition festival
delegates ministers leaders president premier chancellor minister ambassador envoy
governor mayor lawmakers deputies senators voters turnout ballot campaign rally
protest strike union workers wages pensions prices shortages supplies stockpiles
production capacity output growth recession forecast quarter annual record decline
increase agreement deadline extension proposal initiative plan strategy priority
concern warning threat risk tension escalation stability sovereignty integrity
neighbours partners allies rivals competitors markets investors companies holding
""".split()  # noqa: SIM905
PLACES = [
    "Moscow", "Ankara", "Istanbul", "Baku", "Yerevan", "Tbilisi", "Astana", "Kyiv",
    "London", "Washington", "Paris", "Berlin", "Brussels", "Geneva", "Vienna",
    "Doha", "Tehran", "Beijing", "Madrid", "Sochi", "Antalya", "Odesa", "Idlib",
    "Aleppo", "Shusha", "Batumi", "Almaty", "Minsk", "Warsaw", "Rome", "Athens",
]  # fmt: skip
VERBS = [
    "discussed", "welcomed progress on", "raised concerns over", "signed a deal on",
    "announced new talks on", "reviewed", "praised cooperation on", "criticised",
    "called for an end to", "proposed a plan for", "rejected claims about",
    "warned against", "promised support for", "postponed a decision on",
]  # fmt: skip
FUNCTION_WORDS = ["the", "of", "and", "in", "on", "for", "with", "to", "a", "by"]
SAYINGS = ["said", "told reporters", "stressed", "noted", "added", "insisted"]

# More outlets, in more countries: (country, language, city) for made-up titles.
MORE_PLACES = [
    ("IT", "it", "Rome"), ("GR", "el", "Athens"), ("PL", "pl", "Warsaw"),
    ("BY", "ru", "Minsk"), ("BE", "fr", "Brussels"), ("CH", "de", "Geneva"),
    ("AT", "de", "Vienna"), ("IN", "en", "New Delhi"), ("JP", "ja", "Tokyo"),
    ("EG", "ar", "Cairo"), ("IL", "he", "Jerusalem"), ("SA", "ar", "Riyadh"),
    ("UZ", "uz", "Tashkent"), ("HU", "hu", "Budapest"), ("RS", "sr", "Belgrade"),
    ("TR", "tr", "Izmir"), ("RU", "ru", "Kazan"), ("AZ", "az", "Ganja"),
    ("UA", "uk", "Odesa"), ("US", "en", "Chicago"), ("GB", "en", "Manchester"),
    ("DE", "de", "Munich"), ("FR", "fr", "Lyon"), ("KZ", "ru", "Almaty"),
    ("GE", "ka", "Batumi"), ("IR", "fa", "Isfahan"), ("CN", "zh", "Shanghai"),
    ("ES", "es", "Barcelona"), ("QA", "en", "Doha"), ("AM", "hy", "Gyumri"),
]  # fmt: skip
TITLES = [
    "Herald", "Times", "Post", "Daily", "Observer", "Gazette", "Telegraph",
    "Courier", "Monitor", "Review", "Express", "News", "Tribune", "Journal",
    "Bulletin", "Chronicle", "Star", "Mirror", "Dispatch", "Record",
]  # fmt: skip
SURNAME_ENDINGS = ["ov", "ova", "oğlu", "yan", "ski", "enko", "ez", "er", "i", "ić"]
ROLES = ["Minister", "Spokesperson", "Journalist", "Lawmaker", "Envoy", "Analyst"]

START = dt.date(2011, 12, 1)
DAYS = 15 * 365
STATUSES = ["published", "draft", "review", "withdrawn"]
STATUS_SHARES = [0.90, 0.04, 0.03, 0.03]
WITHDRAWAL_REASONS = [
    "Withdrawn at the outlet's request.",
    "Withdrawn: the outlet retracted the report.",
    "Withdrawn pending a correction of the quoted figures.",
]
UNDATED_SHARE = 0.02
SUGGESTED_SHARE = 0.05  # links left for curators to confirm
AUTHORS_PER_OUTLET = 4
# Words drawn per body (function words come on top, a third more): log-normal,
# median 220, a long tail to a few thousand; wire copy is short.
LENGTH_MEDIAN, LENGTH_SIGMA, LENGTH_MIN, LENGTH_MAX = 220, 0.6, 40, 3000
EVENTS = 60  # news events: a fifth of the coverage clusters around them
EVENT_SHARE = 0.2


def synthetic_words(rng: random.Random, n: int) -> list[str]:
    """Made-up but pronounceable words: the long tail of a real vocabulary."""
    onsets = [*"bcdfghklmnprstvz", "br", "cr", "dr", "gr", "kr", "pl", "st"]
    vowels = [*"aeiouaeio", "ai", "ou", "ea"]
    codas = ["", "", "n", "r", "s", "l", "m", "nt", "st", "rd", "ck"]
    words = set()
    while len(words) < n:
        syllables = rng.choice([2, 2, 3, 3, 4])
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)
        ) + rng.choice(codas)
        words.add(word)
    return sorted(words)


def respell(name: str) -> str:
    for old, new in RESPELLINGS:
        name = name.replace(old, new)
    return name


def outlet_specs(count: int) -> list[dict]:
    """The real outlets first, then made-up ones in more countries."""
    specs = [
        {
            "name": name,
            "domain": domain,
            "country": country,
            "language": language,
            "ownership": ownership,
            "city": city,
        }
        for name, domain, country, language, ownership, city in OUTLETS
    ]
    places = [(c, lang, city.upper()) for c, lang, city in MORE_PLACES] + [
        (s["country"], s["language"], s["city"]) for s in specs
    ]
    places = list({city: (c, lang, city) for c, lang, city in places[::-1]}.values())
    places.sort(key=lambda place: place[2])
    n = 0
    while len(specs) < count:
        country, language, city = places[n % len(places)]
        title = TITLES[(n // len(places)) % len(TITLES)]
        name = f"{city.title()} {title}"
        if n >= len(places) * len(TITLES):
            name += f" {n // (len(places) * len(TITLES)) + 1}"
        specs.append(
            {
                "name": name,
                "domain": f"{ascii_slug(name)}.example",
                "country": country,
                "language": language,
                "ownership": ["private", "state", "public"][n % 3],
                "city": city,
            }
        )
        n += 1
    return specs[:count]


def person_names(rng: random.Random, count: int) -> list[str]:
    """Count distinct full names: the real surnames first, then made-up ones."""
    surnames = list(SURNAMES)
    made_up = synthetic_words(rng, max(0, count // len(FIRST_NAMES) + 1))
    surnames += [
        w.title() + SURNAME_ENDINGS[i % len(SURNAME_ENDINGS)]
        for i, w in enumerate(made_up)
    ]
    names = [f"{f} {s}" for s in surnames for f in FIRST_NAMES]
    rng.shuffle(names)
    return sorted(set(names[:count]))


def topic_tree(count: int) -> list[tuple[str, str | None]]:
    """(name, parent name) in creation order, parents first: the real themes,
    then place-specific subtopics of them up to count."""
    tree = [(root, None) for root in TOPICS]
    tree += [(child, root) for root, children in TOPICS.items() for child in children]
    tree += [(name, parent) for parent, names in SUBTOPICS.items() for name in names]
    children = [child for children in TOPICS.values() for child in children]
    places = sorted(set(PLACES) | {city for _, _, city in MORE_PLACES})
    for place in places:
        for child in children:
            if len(tree) >= count:
                return tree
            tree.append((f"{child} in {place}", child))
    return tree[:count]


@dataclass
class Rows:
    """A batch's rows of values, in the column order of generate_corpus."""

    articles: list[tuple] = field(default_factory=list)
    people: list[tuple] = field(default_factory=list)
    topics: list[tuple] = field(default_factory=list)
    quotes: list[tuple] = field(default_factory=list)


ARTICLE_COLUMNS = [
    "id", "outlet_id", "title", "slug", "url", "published_at", "date_inferred",
    "dateline", "lead", "body", "language", "word_count", "status",
    "withdrawal_reason", "version", "notes", "raw_text", "source", "content_hash",
    "created_at", "updated_at",
]  # fmt: skip
PERSON_LINK_COLUMNS = ["article_id", "person_id", "role", "state"]
TOPIC_LINK_COLUMNS = ["article_id", "topic_id", "state"]
QUOTE_COLUMNS = ["article_id", "speaker_id", "text", "start", "end", "state"]


class Plan:
    """What the corpus holds besides its articles, and how articles are drawn.

    outlets: (id, domain, city, language) by creation order; people: (id, name)
    and topics: ids, as stored.
    """

    def __init__(self, seed: int, outlets, people, topics):
        self.seed = seed
        rng = random.Random(seed)
        self.outlets = outlets
        self.people = people
        self.topics = topics
        self.vocabulary = np.array(WORDS + synthetic_words(rng, 6000))
        # Zipf-like frequencies: a few words are everywhere, most are rare.
        weights = 1 / (np.arange(len(self.vocabulary)) + 10)
        self.word_p = weights / weights.sum()
        # Wire agencies and big outlets publish far more than the rest.
        weights = 1 / (np.arange(len(outlets)) + 3) ** 0.9
        self.outlet_p = weights / weights.sum()
        order = list(range(len(people)))
        rng.shuffle(order)
        k = AUTHORS_PER_OUTLET
        self.writers = [
            [order[(i * k + j) % len(order)] for j in range(k)]
            for i in range(len(outlets))
        ]
        self.newsmakers = np.array(order[len(outlets) * k :] or order)
        weights = 1 / (np.arange(len(self.newsmakers)) + 1) ** 0.8
        self.newsmaker_p = weights / weights.sum()
        weights = 1 / (np.arange(len(topics)) + 5) ** 0.7
        self.topic_p = weights / weights.sum()
        # Coverage grows over the years, dips at weekends, and clusters around
        # news events.
        days = np.arange(DAYS)
        weekday = (np.array([START.weekday()]) + days) % 7
        weights = (1 + 2 * days / DAYS) * np.where(weekday >= 5, 0.5, 1.0)
        self.day_p = weights / weights.sum()
        self.events = np.array(sorted(rng.sample(range(DAYS), EVENTS)))

    def batch(self, number: int, first_id: int, size: int, now) -> Rows:
        """The rows of articles first_id .. first_id + size - 1."""
        gen = np.random.default_rng([self.seed, number])
        rng = random.Random(self.seed * 1_000_003 + number)
        lengths = np.clip(
            gen.lognormal(np.log(LENGTH_MEDIAN), LENGTH_SIGMA, size),
            LENGTH_MIN,
            LENGTH_MAX,
        ).astype(int)
        total = lengths.sum()
        chosen = gen.choice(len(self.vocabulary), total, p=self.word_p)
        # A function word after about a third of the words: pairs of (word,
        # function word or ""), flattened.
        glued = gen.random(total) < 0.35
        function = gen.integers(0, len(FUNCTION_WORDS), total)
        words = np.stack(
            [
                self.vocabulary[chosen],
                np.where(glued, np.array(FUNCTION_WORDS)[function], ""),
            ],
            axis=1,
        ).ravel()
        words = words.tolist()
        outlets = gen.choice(len(self.outlets), size, p=self.outlet_p)
        days = gen.choice(DAYS, size, p=self.day_p)
        near_event = gen.random(size) < EVENT_SHARE
        days = np.where(
            near_event,
            np.clip(
                gen.choice(self.events, size) + gen.integers(-3, 4, size), 0, DAYS - 1
            ),
            days,
        )
        seconds = gen.normal(13 * 3600, 4 * 3600, size).clip(0, 86399).astype(int)
        statuses = gen.choice(len(STATUSES), size, p=STATUS_SHARES)
        mentioned = gen.choice(len(self.newsmakers), (size, 3), p=self.newsmaker_p)
        topics = gen.choice(len(self.topics), (size, 3), p=self.topic_p)
        # A body's paragraphs take 18 of its words or more (a third more with
        # the function words), but for up to 3 for the people it names.
        draws = Draws(gen, int(total) // 9 + 4 * size + 1)
        rows = Rows()
        at = 0
        for i in range(size):
            pk = first_id + i
            outlet_id, domain, city, language = self.outlets[outlets[i]]
            people = list(
                dict.fromkeys(self.newsmakers[mentioned[i, : rng.randint(1, 3)]])
            )
            span = slice(2 * at, 2 * (at + lengths[i]))
            body_words = [w for w in words[span] if w]
            at += lengths[i]
            lead, body, quotes = self.body(draws, body_words, people, city)
            status = STATUSES[statuses[i]]
            published_at = None
            if rng.random() >= UNDATED_SHARE:
                published_at = dt.datetime.combine(
                    START + dt.timedelta(days=int(days[i])), dt.time(), dt.UTC
                ) + dt.timedelta(seconds=int(seconds[i]))
            surname = self.surname(people[0])
            subject = [w for w in body_words[-12:] if w not in FUNCTION_WORDS][:3]
            verb, place = rng.choice(VERBS), rng.choice(PLACES)
            title = f"{surname} {verb} {' '.join(subject)} in {place}"
            rows.articles.append(
                (
                    pk,
                    outlet_id,
                    title,
                    f"{ascii_slug(title, max_length=160)}-{pk}",
                    f"https://{domain}/news/{pk}",
                    published_at,
                    False,
                    city,
                    lead,
                    body,
                    language if rng.random() < 0.7 else "en",
                    len(body.split()),  # count_words(body), as every chunk is a word
                    status,
                    rng.choice(WITHDRAWAL_REASONS) if status == "withdrawn" else "",
                    1,
                    "",
                    "",
                    "generate_corpus",
                    # Made in normal form (normalise_body would not change it).
                    hashlib.sha256(body.encode()).hexdigest(),
                    now,
                    now,
                )
            )
            state = self.state(rng, status)
            author = self.writers[outlets[i]][rng.randrange(AUTHORS_PER_OUTLET)]
            rows.people.append((pk, self.people[author][0], "author", "confirmed"))
            for n, person in enumerate(people):
                if person != author:
                    role = "quoted" if n == 0 else "mentioned"
                    rows.people.append((pk, self.people[person][0], role, state))
            for topic in dict.fromkeys(topics[i, : rng.randint(1, 3)]):
                rows.topics.append((pk, self.topics[topic], state))
            for person, text in quotes:
                start = body.find(f"“{text}”") + 1
                if start > 0:
                    rows.quotes.append(
                        (
                            pk,
                            self.people[person][0],
                            text,
                            start,
                            start + len(text),
                            state,
                        )
                    )
        return rows

    def surname(self, person: int) -> str:
        return self.people[person][1].split(" ", 1)[1]

    @staticmethod
    def state(rng, status):
        if status in ("draft", "review") and rng.random() < 0.5:
            return "suggested"
        return "suggested" if rng.random() < SUGGESTED_SHARE else "confirmed"

    def body(self, draws, words, people, city):
        """The lead, the body (lead first) and its quotes as (person, text)."""
        name = self.people[people[0]][1]
        verb, place = VERBS[next(draws.verb)], PLACES[next(draws.place)]
        lead = f"{city}. {name} {verb} {' '.join(words[:4])} on {place} talks."
        paragraphs, quotes, at, n = [lead], [], 4, 0
        while at < len(words) or n < len(people):
            person = people[n % len(people)]
            sentences = []
            for _ in range(next(draws.sentences)):
                k = next(draws.length)
                sentences.append(sentence(" ".join(words[at : at + k])))
                at += k
            if 0 < n < len(people):
                full, saying = self.people[person][1], SAYINGS[next(draws.saying)]
                sentences.insert(0, f"{full} {saying} so.")
            k = next(draws.short)
            slot = int(next(draws.slot) * (len(sentences) + 1))
            sentences.insert(slot, self.remark(draws, words[at : at + k], person))
            at += k
            if next(draws.chance) < 0.12:
                k = next(draws.short)
                text = sentence(" ".join(words[at : at + k]))
                at += k
                quotes.append((person, text))
                surname, saying = self.surname(person), SAYINGS[next(draws.saying)]
                sentences.append(f"“{text}” {surname} {saying}.")
            paragraphs.append(" ".join(sentences))
            n += 1
        return lead, "\n\n".join(paragraphs), quotes

    def remark(self, draws, words, person):
        """A sentence about what `person` did."""
        if not words:
            words = ["talks"]
        surname, verb = self.surname(person), VERBS[next(draws.verb)]
        place = PLACES[next(draws.place)]
        text = sentence(
            f"{surname} {verb} the {' '.join(words[:3])} in {place}, "
            f"{' '.join(words[3:])}"
        )
        return text


def sentence(text: str) -> str:
    text = text or "talks"
    return text[0].upper() + text[1:].rstrip(", ") + "."


class Draws:
    """A batch's small random choices, drawn ahead in bulk for `paragraphs`
    paragraphs at most: taking the next of a list costs a fraction of a call to
    random."""

    def __init__(self, gen, paragraphs: int):
        def ints(low, high, n):
            return iter(gen.integers(low, high, n * paragraphs).tolist())

        self.sentences = ints(2, 5, 1)  # plain sentences in a paragraph
        self.length = ints(6, 19, 4)  # words in a plain sentence
        self.short = ints(6, 15, 2)  # in a remark or a quote
        self.verb = ints(0, len(VERBS), 1)
        self.place = ints(0, len(PLACES), 1)
        self.saying = ints(0, len(SAYINGS), 2)
        self.slot = iter(gen.random(paragraphs).tolist())  # where the remark goes
        self.chance = iter(gen.random(paragraphs).tolist())  # of a quote
