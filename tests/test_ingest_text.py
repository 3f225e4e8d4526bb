"""Page text copied from a browser: the five seeds against the curated demo
collection, every date format, byline form and furniture rule, and inputs in
the styles of outlets the importer has never seen. No database needed."""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from articles.ingest.bylines import find_authors, parse_byline, personal_name
from articles.ingest.dates import NO_DATE, find_date, is_date_line, parse_date
from articles.ingest.parsed import RejectedInput
from articles.ingest.plaintext import (
    FURNITURE,
    NO_TEXT,
    NO_TITLE,
    dateline_line,
    furniture_rule,
    parse_text,
    split_dateline,
)
from articles.text import normalise_body

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
INPUTS = ROOT / "tests" / "inputs" / "text"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the seed inputs are not at {SEEDS}"
)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- The five seeds against fixtures/demo.json --------------------------------


def curated() -> dict[str, dict]:
    """Return what the curator entered for each seed, by seed file name."""
    rows = json.loads((ROOT / "fixtures" / "demo.json").read_text(encoding="utf-8"))
    by_model: dict[str, dict] = {}
    for row in rows:
        by_model.setdefault(row["model"], {})[row["pk"]] = row["fields"]
    people, outlets = by_model["articles.person"], by_model["articles.outlet"]
    records = {}
    for pk, fields in by_model["articles.article"].items():
        authors = [
            people[link["person"]]["name"]
            for link in by_model["articles.articleperson"].values()
            if link["article"] == pk and link["role"] == "author"
        ]
        records[Path(fields["source"]).name] = {
            "fields": fields,
            "outlet": outlets[fields["outlet"]]["name"],
            "authors": authors,
        }
    return records


CURATED = curated()


def parse_seed(name: str):
    return parse_text((SEEDS / name).read_text(encoding="utf-8"), source=name)


@needs_seeds
@pytest.mark.parametrize("name", sorted(CURATED))
def test_seed_reproduces_the_curated_article(name):
    record = CURATED[name]
    fields = record["fields"]
    parsed = parse_seed(name)
    got = {
        "title": parsed.title,
        "outlet": parsed.outlet,
        "authors": parsed.authors,
        "dateline": parsed.dateline,
        "url": parsed.url,
        "body": normalise_body(parsed.body),
    }
    expected = {
        "title": fields["title"],
        "outlet": record["outlet"],
        "authors": record["authors"],
        "dateline": fields["dateline"],
        "url": fields["url"],
        "body": normalise_body(fields["body"]),
    }
    assert got == expected
    assert parsed.format == "text"
    assert parsed.body == normalise_body(parsed.body)


@needs_seeds
@pytest.mark.parametrize("name", sorted(CURATED))
def test_seed_date_is_the_stated_one_or_empty_with_a_warning(name):
    fields = CURATED[name]["fields"]
    parsed = parse_seed(name)
    if fields["date_inferred"]:
        # The curator inferred the year; the importer never guesses one.
        assert parsed.published_at is None
        assert len(parsed.warnings) == 1
        assert "gives no year" in parsed.warnings[0]
    else:
        stated = dt.datetime.fromisoformat(fields["published_at"])
        assert parsed.published_at == stated
        assert parsed.warnings == []


@needs_seeds
@pytest.mark.parametrize("name", sorted(CURATED))
def test_seed_lead_is_the_curated_standfirst(name):
    assert parse_seed(name).lead == CURATED[name]["fields"]["lead"]


@needs_seeds
def test_seed_warnings_quote_the_yearless_date():
    assert parse_seed("001_0013478d1ec33cf3.txt").warnings == [
        "The text dates the story “April 27” but gives no year; the date was "
        "left empty."
    ]
    assert "“Oct. 14”" in parse_seed("002_1aa6f2c639f80102.txt").warnings[0]
    assert "“Feb. 15”" in parse_seed("004_b5cb0aef587b0203.txt").warnings[0]


@needs_seeds
def test_sputnik_scrape_names_its_domain_but_not_its_cdn():
    parsed = parse_seed("000_93ace1627e1fbbbe.txt")
    assert parsed.outlet_domains == ["sputnikglobe.com"]
    assert "cdn1.img" not in parsed.url


# --- Dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-27T08:18+0000", utc(2023, 5, 27, 8, 18)),
        ("2020-01-15T10:42:00Z", utc(2020, 1, 15, 10, 42)),
        ("2020-01-15T13:42:00+03:00", utc(2020, 1, 15, 10, 42)),
        ("2020-01-15", utc(2020, 1, 15)),
        ("16 August 2016 14:33 (UTC+04:00)", utc(2016, 8, 16, 10, 33)),
        ("Published time: 15 Jan, 2020 10:42", utc(2020, 1, 15, 10, 42)),
        ("08:18 GMT 27.05.2023", utc(2023, 5, 27, 8, 18)),
        ("05.03.2020", utc(2020, 3, 5)),
        ("05/03/2020", utc(2020, 3, 5)),
        ("5.3.20", utc(2020, 3, 5)),
        ("2020/03/05", utc(2020, 3, 5)),
        ("March 5, 2020", utc(2020, 3, 5)),
        ("Mar. 5, 2020, 18:30", utc(2020, 3, 5, 18, 30)),
        ("January 15 2020 10:42:00", utc(2020, 1, 15, 10, 42)),
        ("Mar 04, 2020 10:42 am +03:00", utc(2020, 3, 4, 7, 42)),
        ("March 5, 2020 / 6:42 PM", utc(2020, 3, 5, 18, 42)),
        ("Thursday, March 5, 2020 GMT+3", utc(2020, 3, 4, 21, 0)),
        ("5 Mart 2020", utc(2020, 3, 5)),
        ("Perşembe, 5 Mart 2020 19:42", utc(2020, 3, 5, 19, 42)),
        ("Mart 05, 2020 19:42 TSİ", utc(2020, 3, 5, 16, 42)),
        ("5 Ağustos 2020", utc(2020, 8, 5)),
        ("5 марта 2020", utc(2020, 3, 5)),
        ("5 марта 2020 года, 15:42 МСК", utc(2020, 3, 5, 12, 42)),
        ("15 января 2020, 10:42", utc(2020, 1, 15, 10, 42)),
        ("5 İyun 2020", utc(2020, 6, 5)),
    ],
)
def test_parse_date_reads_the_outlets_formats_in_utc(text, expected):
    result = parse_date(text)
    assert (result.value, result.warning) == (expected, "")
    assert result.value.tzinfo is dt.UTC


def test_parse_date_reads_month_first_when_asked():
    assert parse_date("05/03/2020", dayfirst=False).value == utc(2020, 5, 3)


@pytest.mark.parametrize(
    "text", ["April 27", "Oct. 14", "Feb. 15", "15 May, 20:20 GMT", "5 МАР, 15:42"]
)
def test_a_date_without_a_year_is_left_empty_with_a_warning(text):
    result = parse_date(text)
    assert result.value is None
    assert result.warning == (
        f"The text dates the story “{text}” but gives no year; the date was left empty."
    )


@pytest.mark.parametrize("text", ["31.02.2020", "2020-02-31", "30 February 2020"])
def test_an_impossible_date_is_a_warning_not_an_exception(text):
    result = parse_date(text)
    assert result.value is None
    assert "not a real date" in result.warning and text in result.warning


def test_a_date_in_the_future_is_kept_with_a_warning():
    result = parse_date("5 March 2045 10:00")
    assert result.value == utc(2045, 3, 5, 10, 0)
    assert "lies in the future" in result.warning


def test_the_year_is_looked_for_in_the_date_not_around_it():
    assert parse_date("Oct. 14, 21:00 GMT 2020 edition").value is None


def test_text_that_is_no_date_is_a_warning():
    result = parse_date("yesterday afternoon")
    assert result.value is None
    assert "could not be read" in result.warning


@pytest.mark.parametrize(
    ("line", "dated"),
    [
        ("16 August 2016 14:33 (UTC+04:00)", True),
        ("Published time: 15 Jan, 2020 10:42", True),
        ("Giriş: 05.03.2020 10:42 - Güncelleme: 05.03.2020 11:05", True),
        ("Selin Aydın |05.03.2020 - Update : 06.03.2020", True),
        ("Lavrov told Russian media outlets on Oct. 14.", False),
        ("Turkey and Russia agreed on March 5, 2020 to a ceasefire in Idlib.", False),
        ("252", False),
    ],
)
def test_a_date_line_holds_a_date_and_little_else(line, dated):
    assert is_date_line(line) is dated


def test_find_date_prefers_a_labelled_date_to_an_earlier_plain_one():
    text = "Title\n5 March 2020\nbody\nPublished: 6 March 2020 10:00\n"
    assert find_date(text).value == utc(2020, 3, 6, 10, 0)


def test_find_date_prefers_the_publication_date_to_the_update():
    text = "Title\nUpdated: 06.03.2020 11:05\nGiriş: 05.03.2020 10:42\n"
    assert find_date(text).value == utc(2020, 3, 5, 10, 42)


def test_find_date_reads_the_date_in_the_article_url():
    result = find_date("Title\nText.", url="https://example.com/2020/03/05/story/")
    assert result.value == utc(2020, 3, 5)
    assert "not the time" in result.warning
    compact = find_date("https://sputnikglobe.com/20230527/story-1110625560.html")
    assert compact.value == utc(2023, 5, 27)
    image = "https://cdn.example.com/2018/01/09/file-photo.jpg\nTitle\nText."
    assert find_date(image).value is None
    assert find_date("https://example.com/2020/03/05/a\nT", url="").value is None


def test_find_date_takes_the_time_from_a_same_day_line():
    text = "https://example.com/20200305/story.html\nTitle\n10:42 GMT 05.03.2020\n"
    result = find_date(text)
    assert (result.value, result.warning) == (utc(2020, 3, 5, 10, 42), "")


def test_find_date_reads_a_dateline_before_dates_in_the_sentences():
    text = (
        "MOSCOW, April 27. /TASS/. Lavrov said the ministers would meet soon.\n"
        "Relations deteriorated sharply after the jet was downed on November 24."
    )
    assert "“April 27”" in find_date(text).warning


def test_find_date_does_not_take_an_event_date_in_prose_for_the_story_date():
    text = "Title\nThe ministers met in Moscow on March 5, 2020 to discuss Idlib."
    result = find_date(text)
    assert result.value is None
    assert "“March 5, 2020”" in result.warning and "event" in result.warning


def test_find_date_skips_an_impossible_date_for_a_good_one():
    result = find_date("Title\n31.02.2020\nPublished: 01.03.2020 10:00")
    assert result.value == utc(2020, 3, 1, 10, 0)
    assert find_date("Title\n31.02.2020\nSome text.").warning.endswith(
        "which is not a real date; the date was left empty."
    )


def test_find_date_says_so_when_there_is_no_date():
    assert find_date("Title\nLavrov met Fidan.") == type(find_date(""))(
        None, NO_DATE, ""
    )


# --- Bylines -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("By Gunay Hasanova", ["Gunay Hasanova"]),
        ("BY ANNA PETROVA", ["Anna Petrova"]),
        ("By Elif Kaya and Daniel Brooks", ["Elif Kaya", "Daniel Brooks"]),
        ("By Elif Kaya in Ankara", ["Elif Kaya"]),
        ("By Leyla Aliyeva – Trend:", ["Leyla Aliyeva"]),
        ("Posted by Farid Aliyev", ["Farid Aliyev"]),
        ("Author: Nigar Mammadova", ["Nigar Mammadova"]),
        ("Yazar: Murat Demir", ["Murat Demir"]),
        ("Haber: Ayşe Yıldız", ["Ayşe Yıldız"]),
        ("Автор: Анна Волкова", ["Анна Волкова"]),
        ("Gunay Hasanova | 16 August 2016", ["Gunay Hasanova"]),
        ("Selin Aydın   |05.03.2020 - Update : 06.03.2020", ["Selin Aydın"]),
        ("Reporting by Elif Kaya; Editing by Peter Hale", ["Elif Kaya"]),
        (
            "(Reporting by Elif Kaya in Ankara and Daniel Brooks in Istanbul; "
            "Additional reporting by Olga Markova; Writing by Thomas Reid; "
            "Editing by Peter Hale and Susan Ward)",
            ["Elif Kaya", "Daniel Brooks", "Olga Markova", "Thomas Reid"],
        ),
        ("By Bashar al-Assad", ["Bashar al-Assad"]),
    ],
)
def test_byline_forms_name_the_authors(line, authors):
    assert parse_byline(line) == authors


@pytest.mark.parametrize(
    "line", ["Editing by Peter Hale", "Edited by Susan Ward", "Editör: Ayşe Kara"]
)
def test_editing_credits_are_bylines_without_authors(line):
    assert parse_byline(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "Site Yöneticisi - Editör",
        "By Sputnik International",
        "DAILY SABAH WITH AGENCIES",
        "By Staff Reporter",
        "Cookie Policy",
        "Middle East and North Africa",
        "Russia and Turkey",
        "Lavrov met Fidan in Moscow on Thursday.",
    ],
)
def test_roles_outlets_and_other_lines_are_no_bylines(line):
    assert parse_byline(line, bare_names=True) is None


def test_a_bare_list_of_names_is_a_byline_only_where_allowed():
    line = "Farid Aliyev, Nigar Hasanli and Rustam Guliyev"
    assert parse_byline(line) is None
    assert parse_byline(line, bare_names=True) == [
        "Farid Aliyev",
        "Nigar Hasanli",
        "Rustam Guliyev",
    ]


def test_find_authors_names_each_author_once_and_not_the_outlet():
    lines = [
        "By Elif Kaya and Daily Sabah",
        "Elif Kaya | 5 March 2020",
        "Reporting by Daniel Brooks; Editing by Peter Hale",
        "Daniel Brooks, Olga Markova",
    ]
    assert find_authors(lines, exclude=["Olga Markova"]) == [
        "Elif Kaya",
        "Daniel Brooks",
    ]


def test_a_name_alone_is_recognised_as_a_personal_name():
    assert personal_name("Murat Demir") == "Murat Demir"
    assert personal_name("ANKARA") == ""
    assert personal_name("Press Releases") == ""


# --- Datelines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "place", "rest"),
    [
        ("MOSCOW, April 27. /TASS/. Russian Foreign", "MOSCOW", "Russian Foreign"),
        ("МОСКВА, 5 марта. /ТАСС/. Россия и Турция", "МОСКВА", "Россия и Турция"),
        ("MOSCOW (Sputnik) - Moscow is counting", "MOSCOW", "Moscow is counting"),
        ("ANKARA (AA) - Türkiye and Russia", "ANKARA", "Türkiye and Russia"),
        ("BAKU, Oct 5 (Reuters) - Azerbaijan said", "BAKU", "Azerbaijan said"),
        ("ANKARA, March 5 (Reuters) - Turkey and", "ANKARA", "Turkey and"),
        ("МОСКВА, 15 янв — РИА Новости. Глава МИД", "МОСКВА", "Глава МИД"),
        ("BAKU, Azerbaijan, March 5. Azerbaijan and", "BAKU", "Azerbaijan and"),
        ("ISTANBUL — Turkish officials said", "ISTANBUL", "Turkish officials said"),
        ("ST. PETERSBURG (AP) — Putin met", "ST. PETERSBURG", "Putin met"),
        ("MOSKOVA (DHA) - Cumhurbaşkanı Erdoğan", "MOSKOVA", "Cumhurbaşkanı Erdoğan"),
    ],
)
def test_datelines_give_the_place_and_leave_the_sentence(paragraph, place, rest):
    assert split_dateline(paragraph) == (place, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Moscow, April 27. Lavrov said the talks went well.",
        "NATO members met in Brussels on Thursday.",
        "US - Turkey relations are strained, analysts said.",
        "Russia (which backs Damascus) - and Turkey disagree.",
    ],
)
def test_paragraphs_without_a_dateline_are_left_alone(paragraph):
    assert split_dateline(paragraph) == ("", paragraph)


def test_a_dateline_on_a_line_of_its_own():
    assert dateline_line("ANKARA") == "ANKARA"
    assert dateline_line("BAKU, Azerbaijan, March 5") == "BAKU"
    assert dateline_line("The Kremlin, Moscow") == ""


# --- Furniture rules ---------------------------------------------------------

# One example line for every rule, so that adding a rule means adding one here.
FURNITURE_EXAMPLES = [
    ("navigation", "All news"),
    ("navigation", "Ana Sayfa"),
    ("navigation", "Все новости"),
    ("advertisement", "Advertisement · Scroll to continue"),
    ("bullet_link", "  • Privacy Policy"),
    ("share_buttons", "Facebook Twitter Telegram WhatsApp"),
    ("share_buttons", "Like this story? Share it with a friend!"),
    ("follow_us", "Follow us on Twitter @AzerNewsAz"),
    ("follow_us", "Подписывайтесь на РИА Новости в Telegram"),
    ("subscription", "Subscribe"),
    ("subscription", "Sign up for our newsletter"),
    ("subscription", "Keep up to date with the latest news."),
    ("cookie_notice", "We use cookies to improve your experience. Accept all cookies"),
    ("image_credit", "© Sputnik / Vitaliy Belousov"),
    ("image_credit", "Photo: AA"),
    ("image_credit", "Pavel Golovkin/TASS"),
    ("copyright", "© 2023 Sputnik. All rights reserved. 18+"),
    ("copyright", "Tüm hakları saklıdır."),
    (
        "caption_site_suffix",
        "Building of the Ministry of Foreign Affairs in central Moscow, Russia - "
        "Sputnik International, 1920, 27.05.2023",
    ),
    (
        "photo_caption",
        "\xa0Russian President Vladimir Putin (R) listens to Turkish President "
        "Recep Tayyip Erdoğan during a meeting in Sochi in this file photo.",
    ),
    ("photo_caption", "Министр иностранных дел России Сергей Лавров. Архивное фото"),
    ("related_link", "Читайте также: Эрдоган прибыл в Москву"),
    ("related_link", "Read Next"),
    ("reaction_counter", "dislike"),
    ("comment_prompt", "Ne Düşünüyorsun?"),
    ("comment_prompt", "To participate in the discussion"),
    ("bare_number", "252"),
    ("bare_number", "+74956456601"),
    ("time_of_day", "20:20 GMT"),
    ("url", "https://cdn1.img.sputnikglobe.com/img/07e6/03/0a/1093735607.jpg"),
    ("markup_path", "/html/head/meta[@name='og:title']/@content"),
    ("email", "feedback@sputniknews.com"),
    ("phone", "Tel.: +7 495 363 71 01"),
    ("locale", "en_EN"),
    ("boolean", "true"),
    ("keyword_list", "russia, turkiye, russia-turkiye relations"),
    ("lowercase_tag", "turkiye"),
    ("tags", "Теги: Россия, Турция, Сирия"),
    ("source_line", "Source: TRTWorld and agencies"),
    ("relative_time", "2 hours ago"),
    ("reading_time", "4 Min Read"),
    ("view_count", "1,204 views"),
    ("app_store", "App StoreGoogle play"),
    ("disclaimer", "The views expressed in this article are the author's own."),
    ("editorial_standards", "Our Standards: The Thomson Reuters Trust Principles."),
    ("breadcrumbs", "Home / Press Releases"),
]


@pytest.mark.parametrize(("rule", "line"), FURNITURE_EXAMPLES)
def test_furniture_rule_recognises_its_lines(rule, line):
    assert furniture_rule(line) == rule


def test_every_furniture_rule_has_an_example():
    assert {rule.name for rule in FURNITURE} == {r for r, _ in FURNITURE_EXAMPLES}


@pytest.mark.parametrize(
    "line",
    [
        "He specified that Russia-Turkiye cooperation has been developing "
        "particularly actively in recent years, with trade in 2022 amounting to "
        "over $62 billion.",
        '"Not even peacekeepers, but military observers would be enough," Lavrov said.',
        "Sen. John Smith (R) said the sanctions would stay.",
        "Putin said the two countries would keep talking.",
        "Russian Foreign Minister Sergey Lavrov is going to China on Wednesday to "
        "attend the Conference on Interaction and Confidence-Building Measures in "
        "Asia",
        "— Мы договорились продолжать работу, — сказал министр.",
        "Talks on Libya",
    ],
)
def test_article_sentences_are_not_furniture(line):
    assert furniture_rule(line) == ""


# --- The shape of the text ---------------------------------------------------

ARTICLE = (
    "Lavrov and Fidan discuss grain corridor in Moscow talks\n"
    "{middle}"
    "Russian Foreign Minister Sergey Lavrov met his Turkish counterpart Hakan "
    "Fidan in Moscow on Thursday, the ministry said.\n"
    "The ministers discussed the grain corridor and the situation in Syria, "
    "officials said.\n"
)


def test_one_paragraph_a_line_gives_one_paragraph_a_line():
    parsed = parse_text(ARTICLE.format(middle=""))
    assert parsed.body.count("\n\n") == 1


def test_paragraphs_separated_by_blank_lines_are_kept():
    text = ARTICLE.format(middle="\n").replace("said.\nThe", "said.\n\nThe")
    assert parse_text(text).body.split("\n\n")[1].startswith("The ministers")


def test_hard_wrapped_lines_are_joined_into_their_paragraphs():
    parsed = parse_text((INPUTS / "embassy_release_hard_wrapped.txt").read_text())
    first, second, _third = parsed.body.split("\n\n")
    assert first.startswith("On 5 March 2020, Deputy Foreign Minister")
    assert "\n" not in first and first.endswith("Andrey Rudenko in Moscow.")
    assert second.endswith("cooperation in the Caspian region.")


def test_a_repeated_headline_and_a_repeated_paragraph_appear_once():
    title = "Lavrov and Fidan discuss grain corridor in Moscow talks"
    text = ARTICLE.format(middle=f"{title}\n{title}\n") + (
        "The ministers discussed the grain corridor and the situation in Syria, "
        "officials said.\n"
    )
    parsed = parse_text(text)
    assert title not in parsed.body
    assert parsed.body.count("The ministers discussed") == 1


def test_a_teaser_between_paragraphs_goes_and_a_subheading_stays():
    text = ARTICLE.format(middle="").replace(
        "said.\nThe ministers",
        "said.\nAnalysis\nTurkiye Won't Turn Its Back on Russia\n15 May, 20:20 GMT\n"
        "Grain and Syria\nThe ministers",
    )
    parsed = parse_text(text)
    assert "Analysis" not in parsed.body and "Turn Its Back" not in parsed.body
    assert "20:20" not in parsed.body
    text = ARTICLE.format(middle="").replace(
        "said.\nThe ministers", "said.\nGrain and Syria\nThe ministers"
    )
    assert "\n\nGrain and Syria\n\n" in parse_text(text).body


def test_a_teaser_inside_the_body_does_not_turn_paragraphs_into_a_lead():
    text = ARTICLE.format(middle="") + (
        "Turkiye Won't Turn Its Back on Russia\n15 May, 20:20 GMT\n"
        "Both sides said the next round would take place in Ankara.\n"
    )
    parsed = parse_text(text)
    assert parsed.lead == ""
    assert parsed.body.startswith("Russian Foreign Minister Sergey Lavrov met")
    assert parsed.body.endswith("would take place in Ankara.")


def test_a_capitalised_word_and_a_dash_later_on_is_no_dateline():
    text = ARTICLE.format(middle="").replace(
        "The ministers", "NATO — which Turkey joined in 1952 — was not discussed. The"
    )
    parsed = parse_text(text)
    assert (parsed.dateline, parsed.lead) == ("", "")
    assert "\n\nNATO — which Turkey joined" in parsed.body


def test_reaction_counters_and_comment_prompts_go():
    tail = "Ne Düşünüyorsun?\nlike\n0\ndislike\n0\nwow\n0\nSite Yöneticisi - Editör\n"
    parsed = parse_text(ARTICLE.format(middle="") + tail)
    assert parsed.body.endswith("officials said.")
    assert parsed.authors == []


def test_text_after_a_copyright_line_is_not_the_article():
    tail = "© 2020 Example News. All rights reserved.\nWe are a news site.\n"
    parsed = parse_text(ARTICLE.format(middle="") + tail)
    assert parsed.body.endswith("officials said.")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", NO_TEXT),
        ("   \n\n  ", NO_TEXT),
        (
            "Lavrov met Fidan in Moscow on Thursday.\nThey discussed the grain "
            "corridor, officials said.\n",
            NO_TITLE,
        ),
        (
            "Home\nNews\nWorld\nSubscribe\n© 2023 Example. All rights reserved.",
            NO_TITLE,
        ),
        ("Lavrov and Fidan discuss grain corridor\nSubscribe\nShare\n", NO_TITLE),
    ],
)
def test_input_without_title_or_text_is_rejected_with_a_reason(text, reason):
    with pytest.raises(RejectedInput, match="^" + reason.split(":")[0]):
        parse_text(text)


def test_the_outlet_is_found_by_its_signature_in_the_text():
    text = ARTICLE.format(middle="").replace(
        "Russian Foreign", "MOSCOW, March 5. /TASS/. Russian Foreign"
    )
    parsed = parse_text(text)
    assert (parsed.outlet, parsed.dateline, parsed.outlet_domains) == (
        "TASS",
        "MOSCOW",
        [],
    )


def test_an_unknown_outlet_page_that_relays_a_known_agency_is_not_the_agency():
    text = "https://www.example-news.com/world/lavrov-fidan-talks-1234\n" + (
        ARTICLE.format(middle="").replace(
            "Russian Foreign", "MOSCOW, March 5 (Reuters) - Russian Foreign"
        )
    )
    parsed = parse_text(text)
    assert parsed.outlet == ""
    assert parsed.outlet_domains == ["example-news.com"]
    assert parsed.url == "https://www.example-news.com/world/lavrov-fidan-talks-1234"


def test_image_and_social_links_are_not_the_article_url():
    text = (
        "https://cdn.example.com/img/photo.jpg\nhttps://twitter.com/example\n"
        + ARTICLE.format(middle="")
    )
    parsed = parse_text(text)
    assert parsed.url == "" and parsed.outlet_domains == []


# --- Inputs in the styles of outlets the importer has never seen --------------


@dataclass
class Page:
    file: str
    title: str
    published_at: dt.datetime | None
    authors: list[str]
    dateline: str
    outlet: str
    kept: tuple[str, ...]  # the article's sentences
    gone: tuple[str, ...]  # page furniture
    warning: str = ""  # a phrase of the expected warning
    lead: str = ""
    url: str = ""


PAGES = [
    Page(
        file="reuters_ankara_wire.txt",
        title="Turkey and Russia agree ceasefire in Syria's Idlib after Kremlin talks",
        published_at=utc(2020, 3, 5, 18, 42),
        authors=["Elif Kaya", "Daniel Brooks", "Olga Markova", "Thomas Reid"],
        dateline="ANKARA",
        outlet="Reuters",
        kept=(
            "Turkey and Russia agreed on Thursday to a ceasefire",
            '"We will work together to ensure the ceasefire holds," Putin said.',
            "pushed nearly a million people towards the Turkish border.",
        ),
        gone=(
            "Skip to main content",
            "By Elif Kaya",
            "4 Min Read",
            "(Reuters) -",
            "via REUTERS",
            "Advertisement",
            "Reporting by",
            "Editing by",
            "Peter Hale",
            "Trust Principles",
            "Read Next",
            "Lira firms",
        ),
    ),
    Page(
        file="anadolu_agency_en.txt",
        title="Türkiye, Russia agree on new ceasefire in Syria's Idlib",
        published_at=utc(2020, 3, 5),
        authors=["Selin Aydın"],
        dateline="ANKARA",
        outlet="Anadolu Agency",
        kept=(
            "Türkiye and Russia on Thursday agreed on a ceasefire",
            "joint Turkish-Russian patrols will start on March 15",
        ),
        gone=("TÜRKİYE", "Selin Aydın", "Update", "subscribers", "paylaşın"),
        warning="but not the time",
        lead="Ceasefire to take effect at midnight, says Turkish President Erdogan "
        "after meeting with Russian counterpart Putin in Moscow",
        url="https://www.aa.com.tr/en/turkiye/turkiye-russia-agree-on-new-ceasefire-"
        "in-syrias-idlib/1755012",
    ),
    Page(
        file="daily_sabah.txt",
        title="Erdoğan, Putin to meet in Moscow amid Idlib tensions",
        published_at=utc(2020, 3, 4, 7, 42),
        authors=["Murat Demir"],
        dateline="ANKARA",
        outlet="Daily Sabah",
        kept=(
            "will meet Russian President Vladimir Putin in Moscow on Thursday",
            "Ankara expects Moscow to rein in the Syrian regime, officials said.",
        ),
        gone=("DAILY SABAH", "War On Terror", "Murat Demir", "newsletter", "Keep up"),
        lead="President Recep Tayyip Erdoğan will travel to Moscow on Thursday for "
        "talks with Russian President Vladimir Putin, the Presidency's "
        "communications director said.",
    ),
    Page(
        file="hurriyet_daily_news.txt",
        title="Lavrov says Russia, Türkiye coordinate closely on Syria",
        published_at=utc(2020, 1, 15, 10, 42),
        authors=[],
        dateline="MOSCOW",
        outlet="Hürriyet Daily News",
        kept=(
            "Russian Foreign Minister Sergei Lavrov said on Jan. 15",
            "Talks on Libya",
            'had been "a step forward"',
        ),
        gone=("Opinion", "Recommended", "Haftar", "Copyright", "\nLavrov\n"),
        url="https://www.hurriyetdailynews.com/lavrov-says-russia-turkiye-coordinate-"
        "closely-on-syria-151234",
    ),
    Page(
        file="rt_published_time.txt",
        title="Lavrov, Cavusoglu discuss Libya and Syria by phone",
        published_at=utc(2020, 1, 15, 10, 42),
        authors=[],
        dateline="",
        outlet="RT",
        kept=(
            "have discussed the situation in Libya and Syria in a phone call",
            '"The sides reaffirmed their commitment',
        ),
        gone=(
            "Published time",
            "Edited time",
            "Get short URL",
            "File photo",
            "Share it with a friend",
            "Follow RT",
            "Podcasts",
        ),
    ),
    Page(
        file="ria_novosti_ru.txt",
        title="Лавров и Чавушоглу обсудили ситуацию в Идлибе",
        published_at=utc(2020, 1, 15, 10, 42),
        authors=[],
        dateline="МОСКВА",
        outlet="РИА Новости",
        kept=(
            "Глава МИД России Сергей Лавров и его турецкий коллега",
            "— говорится в сообщении МИД.",
            "Министры также обменялись мнениями",
        ),
        gone=(
            "обновлено",
            "Архивное фото",
            "Витвицкий",
            "Читать ria.ru",
            "Читайте также",
            "Подписывайтесь",
            "Россия сегодня",
            "Теги",
            "РИА Новости.",
        ),
        url="https://ria.ru/20200115/1563456789.html",
    ),
    Page(
        file="tass_ru.txt",
        title="Лавров: Россия и Турция продолжат контакты по Сирии",
        published_at=None,
        authors=[],
        dateline="МОСКВА",
        outlet="TASS",
        kept=(
            "Россия и Турция продолжат тесные контакты по ситуации в Сирии.",
            "— сказал министр.",
        ),
        gone=(
            "/ТАСС/",
            "5 МАР",
            "Теги",
            "Читайте также",
            "Эрдоган прибыл",
            "Поделиться",
        ),
        warning="“5 МАР, 15:42” but gives no year",
    ),
    Page(
        file="trt_world.txt",
        title="Erdogan and Putin agree on Idlib ceasefire after Moscow talks",
        published_at=utc(2020, 3, 5),
        authors=[],
        dateline="",
        outlet="TRT World",
        kept=(
            "have agreed on a ceasefire in Syria's Idlib province",
            "Erdogan said Türkiye reserved the right to respond",
        ),
        gone=("shake hands", "AFP", "05 Mar 2020", "Source:", "Route 6", "More from"),
        warning="but not the time",
        lead="The leaders of Türkiye and Russia agree to set up a security corridor "
        "along the M4 highway in Syria's Idlib.",
    ),
    Page(
        file="trend_az.txt",
        title="Azerbaijan, Türkiye discuss energy cooperation with Russia",
        published_at=utc(2020, 3, 5, 6, 42),
        authors=["Leyla Aliyeva"],
        dateline="BAKU",
        outlet="Trend News Agency",
        kept=(
            "Azerbaijan and Türkiye have discussed prospects for energy cooperation",
            "a trilateral working group would meet in April.",
        ),
        gone=(
            "UTC+04:00",
            "BAKU, Azerbaijan",
            "Trend:",
            "Follow the author",
            "Trend.az",
        ),
    ),
    Page(
        file="apa_az.txt",
        title="Azerbaijani FM, Russian Ambassador discuss regional issues",
        published_at=utc(2020, 3, 5, 14, 42),
        authors=["Nigar Mammadova"],
        dateline="",
        outlet="APA",
        kept=(
            "the ministry's press service told APA.",
            "Mammadyarov praised the level of cooperation",
        ),
        gone=("Foreign policy", "Author:", "Share", "WhatsApp", "APA.AZ ©"),
        url="https://apa.az/en/foreign-policy/azerbaijani-fm-russian-ambassador-"
        "discuss-regional-issues-316789",
    ),
    Page(
        file="kremlin_press_release.txt",
        title="Talks with President of Turkey Recep Tayyip Erdogan",
        published_at=utc(2020, 3, 5, 18, 30),
        authors=[],
        dateline="",
        outlet="",
        kept=(
            "Vladimir Putin held talks with President of the Republic of Turkey",
            "the two leaders adopted a joint statement.",
        ),
        gone=(
            "President of Russia",
            "Videos and photos",
            "The Kremlin, Moscow",
            "Publication",
            "Published in sections",
            "Direct link",
        ),
        url="http://en.kremlin.ru/events/president/news/62930",
    ),
    Page(
        file="mfa_gov_tr_press_release.txt",
        title="Press Release Regarding the Visit of President Recep Tayyip Erdoğan "
        "to the Russian Federation",
        published_at=utc(2020, 3, 5),
        authors=[],
        dateline="",
        outlet="",
        kept=(
            "paid a working visit to Moscow on 5 March 2020",
            "Türkiye will continue its efforts for a lasting ceasefire in Syria.",
        ),
        gone=("Ministry of Foreign Affairs", "Home /", "No: 65", "Dışişleri"),
        warning="but not the time",
    ),
    Page(
        file="hurriyet_tr.txt",
        title="Erdoğan ile Putin Moskova'da bir araya geldi",
        published_at=utc(2020, 3, 5, 19, 42),
        authors=["Ayşe Yıldız"],
        dateline="MOSKOVA",
        outlet="Hürriyet",
        kept=(
            "Cumhurbaşkanı Recep Tayyip Erdoğan, Rusya Devlet Başkanı Vladimir Putin",
            '"Bu gece yarısından itibaren ateşkes yürürlüğe girecek" dedi.',
            "Putin ise iki ülkenin her zaman ortak bir zemin bulabildiğini söyledi.",
        ),
        gone=(
            "Gündem",
            "Ana Sayfa",
            "Oluşturulma",
            "Haberin Devamı",
            "(DHA)",
            "İlgili Haberler",
            "teşekkür",
            "Haber:",
            "hakları",
            "Düşünüyorsun",
        ),
        lead="Cumhurbaşkanı Erdoğan, Rusya Devlet Başkanı Putin ile Kremlin'de "
        "görüştü. İki lider İdlib'de ateşkes konusunda uzlaştı.",
        url="https://www.hurriyet.com.tr/dunya/erdogan-ile-putin-moskovada-bir-araya-"
        "geldi-41462839",
    ),
    Page(
        file="caspian_herald_unknown_outlet.txt",
        title="Baku, Moscow and Ankara plan trilateral talks on transport links",
        published_at=None,
        authors=["Farid Aliyev", "Nigar Hasanli", "Rustam Guliyev"],
        dateline="",
        outlet="Caspian Herald",
        kept=(
            "Azerbaijan, Russia and Turkey will hold trilateral talks",
            "Officials in Moscow and Ankara have not yet confirmed the date.",
        ),
        gone=("cookies", "Accept", "Posted on", "Share:", "Comments", "Leave a", "©"),
        warning="“October 14” but gives no year",
        url="https://caspianherald.example/politics/baku-moscow-ankara-trilateral-talks",
    ),
    Page(
        file="embassy_release_hard_wrapped.txt",
        title="Azerbaijani and Russian deputy foreign ministers hold consultations",
        published_at=utc(2020, 3, 5),
        authors=[],
        dateline="",
        outlet="",
        kept=(
            "Khalaf Khalafov held political consultations with Deputy Foreign "
            "Minister of the Russian Federation Andrey Rudenko in Moscow.",
            "regular consultations between the foreign ministries",
        ),
        gone=("PRESS RELEASE", "Moscow, 05.03.2020", "Press Service", "Tel.", "E-mail"),
        warning="but not the time",
    ),
]


@pytest.mark.parametrize("page", PAGES, ids=[page.file for page in PAGES])
def test_pages_in_other_outlets_styles(page):
    parsed = parse_text((INPUTS / page.file).read_text(encoding="utf-8"))
    assert parsed.title == page.title
    assert parsed.published_at == page.published_at
    if page.warning:
        assert any(page.warning in w for w in parsed.warnings), parsed.warnings
    else:
        assert parsed.warnings == []
    assert parsed.authors == page.authors
    assert parsed.dateline == page.dateline
    assert parsed.outlet == page.outlet
    assert parsed.lead == page.lead
    if page.url:
        assert parsed.url == page.url
    body = f"\n{parsed.body}\n"
    for sentence in page.kept:
        assert sentence in body, sentence
    for furniture in page.gone:
        assert furniture not in body, furniture


def test_there_are_at_least_twelve_pages_and_each_is_tested():
    files = {path.name for path in INPUTS.glob("*.txt")}
    assert len(files) >= 12
    assert files == {page.file for page in PAGES}
