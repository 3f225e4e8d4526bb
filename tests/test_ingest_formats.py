"""The import's formats on their own: reading files, decoding, sniffing, saved
web pages, JSON Lines and language detection. No database needed."""

import datetime as dt
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from articles.ingest import language, reading
from articles.ingest.html import parse_html
from articles.ingest.jsonl import parse_jsonl
from articles.ingest.language import detect_language, primary_tag
from articles.ingest.parsed import ParsedArticle, RejectedInput
from articles.text import lead_is_repeated

INPUTS = Path(__file__).resolve().parent / "inputs"
UTC = dt.UTC


def page(name: str) -> ParsedArticle:
    return parse_html(reading.decode((INPUTS / "html" / name).read_bytes()))


def assert_clean(article: ParsedArticle, *, present: list[str], absent: list[str]):
    """Assert the article's sentences are in the body and page furniture is not
    in the body or the lead."""
    for sentence in present:
        assert sentence in article.body, sentence
    for furniture in absent:
        assert furniture not in article.body, furniture
        assert furniture not in article.lead, furniture
    assert "\n\n\n" not in article.body


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# Reading files


def test_read_bytes_returns_the_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Lavrov met Fidan.")
    assert reading.read_bytes(path, max_bytes=100) == b"Lavrov met Fidan."


def test_an_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(RejectedInput, match=r"^The file is empty\.$"):
        reading.read_bytes(path, max_bytes=100)


def test_a_file_over_the_limit_is_rejected_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"x" * 250)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr("builtins.open", no_reading)
    with pytest.raises(RejectedInput) as error:
        reading.read_bytes(path, max_bytes=100)
    assert str(error.value) == (
        "The file is 250 bytes; the limit is 100 bytes (IMPORT_MAX_BYTES)."
    )


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "exact.txt"
    path.write_bytes(b"x" * 100)
    assert len(reading.read_bytes(path, max_bytes=100)) == 100


def test_size_messages_speak_in_megabytes_and_never_look_equal():
    mb = 1024 * 1024
    assert reading.too_large(int(7.2 * mb), 5 * mb) == (
        "The file is 7.2 MB; the limit is 5 MB (IMPORT_MAX_BYTES)."
    )
    assert reading.too_large(5 * mb + 1, 5 * mb) == (
        "The file is 5.000001 MB; the limit is 5 MB (IMPORT_MAX_BYTES)."
    )


def test_a_missing_path_is_rejected(tmp_path):
    with pytest.raises(RejectedInput, match="No such file or folder"):
        reading.read_bytes(tmp_path / "missing.txt", max_bytes=100)


def test_a_folder_is_rejected_as_nothing_to_read(tmp_path):
    with pytest.raises(RejectedInput, match="This is a folder"):
        reading.read_bytes(tmp_path, max_bytes=100)


def test_a_file_without_read_permission_is_rejected(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"text")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(RejectedInput, match="Permission denied"):
        reading.read_bytes(path, max_bytes=100)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_rejected_for_real(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"text")
    path.chmod(0)
    try:
        with pytest.raises(RejectedInput, match="Permission denied"):
            reading.read_bytes(path, max_bytes=100)
    finally:
        path.chmod(0o644)


def test_a_fifo_is_rejected_without_blocking(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(RejectedInput, match="not a regular file"):
        reading.read_bytes(path, max_bytes=100)


def test_folders_are_read_recursively_in_order_without_hidden_files(tmp_path):
    for name in ("b/2.txt", "b/1.html", "a.jsonl", "c/d/3.txt", ".git/x", "b/.h.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    missing = tmp_path / "missing.txt"
    single = tmp_path / "b" / "2.txt"
    found = list(reading.iter_paths([tmp_path, missing, single]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.jsonl",
        "b/1.html",
        "b/2.txt",
        "c/d/3.txt",
        "missing.txt",
        "b/2.txt",
    ]


# Decoding


def png_header() -> bytes:
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61"
    )


def zip_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", "Lavrov met Fidan in Moscow.")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (png_header(), "PNG image"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
            "PDF document",
        ),
        (zip_file(), "ZIP archive"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "JPEG image"),
        # No time in the header: the suite's processes must collect the same test.
        (gzip.compress(b"Lavrov met Fidan.", mtime=0), "gzip archive"),
    ],
    ids=["PNG", "PDF", "ZIP", "JPEG", "gzip"],
)
def test_binary_files_are_rejected_with_their_kind(data, kind):
    with pytest.raises(RejectedInput) as error:
        reading.decode(data)
    assert str(error.value) == (
        f"This is a binary file ({kind}), not text, HTML or JSON Lines."
    )


def test_a_file_of_nul_and_control_bytes_is_binary():
    with pytest.raises(RejectedInput) as error:
        reading.decode(b"DATA\x00\x01\x02\x03" * 50)
    assert str(error.value) == "This is a binary file, not text, HTML or JSON Lines."


def test_utf8_is_read_with_or_without_a_byte_order_mark():
    text = "Erdoğan ve Путин: «переговоры»\n"
    assert reading.decode(text.encode("utf-8")) == text
    assert reading.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_utf16_with_a_byte_order_mark_is_text_not_binary():
    text = "Лавров и Фидан обсудили зерновую сделку.\n"
    assert reading.decode(text.encode("utf-16")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Dışişleri Bakanı Hakan Fidan, Rus mevkidaşı Sergey Lavrov ile "
            "İstanbul'da görüştü. Görüşmede tahıl koridoru ele alındı.",
            "iso-8859-9",
        ),
        ("Şişli'de ığdır göçmenleri İstanbul", "iso-8859-9"),
        ("İŞTE TÜRKİYE'NİN YENİ DIŞ POLİTİKASI", "iso-8859-9"),
        ("Ankara'da düzenlenen toplantıya yoğun ilgi gösterildi.", "cp1254"),
        (
            "Министр иностранных дел России Сергей Лавров провёл переговоры с "
            "турецким коллегой Хаканом Фиданом.",
            "cp1251",
        ),
        ("Лавров и Фидан обсудили зерновую сделку", "cp1251"),
        ("МОСКВА, 27 мая — РИА Новости. Глава МИД", "cp1251"),
        (
            "Le ministre des Affaires étrangères a rencontré son homologue turc à "
            "Moscou. « Nous avons discuté de la sécurité régionale », a-t-il déclaré.",
            "latin-1",
        ),
        ("Réunion à Moscou: deux ministres étrangers", "latin-1"),
        (
            "Außenminister trafen sich in Moskau, um über Getreide zu sprechen.",
            "latin-1",
        ),
    ],
)
def test_legacy_code_pages_decode_exactly(text, encoding):
    assert reading.decode(text.encode(encoding)) == text


def test_line_endings_become_newlines():
    assert reading.decode(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_a_truncated_last_character_does_not_turn_utf8_into_mojibake():
    data = "Görüşme İstanbul'da yapıldı ve çok olumlu geçti. Ş".encode()[:-1]
    assert reading.decode(data).startswith("Görüşme İstanbul'da yapıldı")


def test_an_html_charset_declaration_is_honoured():
    data = (INPUTS / "encodings" / "ege_postasi_iso8859_9.html").read_bytes()
    text = reading.decode(data)
    assert "<h1>Dışişleri Bakanı Ankara'da Rus heyetini kabul etti</h1>" in text
    data = (INPUTS / "encodings" / "volzhskaya_gazeta_windows1251.html").read_bytes()
    assert "«Мы довольны результатами переговоров»" in reading.decode(data)


def test_a_false_utf8_declaration_falls_back_to_detection():
    html = (
        '<html><head><meta charset="utf-8"><title>Haber</title></head><body>'
        "<p>Dışişleri Bakanı Fidan, Lavrov ile görüştü.</p></body></html>"
    )
    assert reading.decode(html.encode("cp1254")) == html


def test_legacy_html_pages_parse_into_articles():
    data = (INPUTS / "encodings" / "ege_postasi_iso8859_9.html").read_bytes()
    article = parse_html(reading.decode(data))
    assert article.title == "Dışişleri Bakanı Ankara'da Rus heyetini kabul etti"
    assert article.outlet == "Ege Postası"
    assert article.language == "tr"
    assert article.published_at == utc(2009, 11, 3, 8, 20)
    assert_clean(
        article,
        present=["önümüzdeki ay İstanbul'da yeniden bir araya gelme"],
        absent=["Çok okunanlar", "Tüm hakları saklıdır", "Ana Sayfa"],
    )
    data = (INPUTS / "encodings" / "volzhskaya_gazeta_windows1251.html").read_bytes()
    article = parse_html(reading.decode(data))
    assert article.authors == ["Пётр Соколов"]
    assert article.language == "ru"
    assert article.body.startswith("Делегации России и Турции подписали в Анкаре")


# Sniffing


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"title": "A", "body": "B"}\n{"title": "C", "body": "D"}\n', "jsonl"),
        ('\n\n  {"title": "A", "body": "B"}\n', "jsonl"),
        ('{"title": "A", "body": \n{"title": "C", "body": "D"}\n', "jsonl"),
        ('[\n  {"title": "A", "body": "B"}\n]\n', "jsonl"),
        ('{\n  "title": "A",\n  "body": "B"\n}\n', "jsonl"),
        ("<!DOCTYPE html>\n<html><body><p>x</p></body></html>", "html"),
        ("<html lang='tr'><body>x</body></html>", "html"),
        ("  <meta charset='utf-8'><title>x</title>", "html"),
        ("<article><h1>Title</h1><p>Text</p></article>", "html"),
        ("<!-- saved from url=(0041)https://tass.com/ -->\n<html><body>", "html"),
        (
            "<br />\n<b>Deprecated</b>:  Assigning the return value of new by "
            "reference is deprecated in <b>/www/wp-includes/cache.php</b><br />\n"
            * 100
            + "<!DOCTYPE html>\n<html><head><title>Málaga</title></head><body>",
            "html",
        ),
        ("MOSCOW, April 27. /TASS/. Russia's Foreign Ministry said", "text"),
        ("{Photo} Lavrov met Fidan.\nMore text.", "text"),
        ("[Updated] Lavrov met Fidan.", "text"),
        ("Use <b> tags sparingly, the style guide said.", "text"),
    ],
)
def test_formats_are_told_apart_by_content(text, kind):
    assert reading.sniff(text) == kind


# Saved web pages


def test_page_with_reportage_json_ld_and_an_author_list():
    article = page("hurriyet_daily_news_reportage.html")
    assert article.format == "html"
    assert article.title == "Türkiye, Russia agree to extend grain talks in Istanbul"
    assert article.outlet == "Hürriyet Daily News"
    assert article.outlet_domains == ["hurriyetdailynews.com"]
    assert article.url == (
        "https://www.hurriyetdailynews.com/"
        "turkiye-russia-agree-to-extend-grain-talks-in-istanbul-185642"
    )
    assert article.published_at == utc(2023, 8, 30, 11, 25)
    assert article.authors == ["Deniz Altunsoy", "Selin Kaya"]
    assert article.language == "en"
    assert article.lead.startswith("Turkish and Russian delegations agreed")
    # The page's standfirst is the article's opening, and stays in the body:
    # the article page shows it once.
    assert article.body.startswith("Turkish and Russian delegations agreed")
    assert "\n\nDeputy foreign ministers from both countries" in article.body
    assert lead_is_repeated(article.lead, article.body)
    assert article.warnings == []
    assert_clean(
        article,
        present=[
            "“Our aim is to bring the parties back to a framework",
            "Analysts in Istanbul said a compromise was unlikely",
        ],
        absent=[
            "cookies",
            "Economy",
            "Share on",
            "Photo: AA",
            "Advertisement",
            "Related News",
            "Wheat prices climb",
            "Grain diplomacy is the only thing",
            "Subscribe",
            "All rights reserved",
            "Tags:",
        ],
    )


def test_turkish_agency_page_with_json_ld_graph_and_a_string_author():
    article = page("anadolu_ajansi_graph_tr.html")
    assert article.title == (
        "Dışişleri Bakanı Fidan, Rus mevkidaşı Lavrov ile telefonda görüştü"
    )
    assert article.outlet == "Anadolu Ajansı"
    assert article.url.startswith("https://www.aa.com.tr/tr/politika/disisleri-")
    assert article.published_at == utc(2023, 8, 24, 13, 42, 11)
    assert article.authors == ["Zehra Nur Duz"]
    assert article.language == "tr"
    assert article.dateline == "ANKARA"
    assert article.lead == (
        "Dışişleri Bakanı Hakan Fidan, Rusya Dışişleri Bakanı Sergey Lavrov ile "
        "telefonda görüştü."
    )
    assert article.body.startswith(article.lead + "\n\nDışişleri Bakanlığı")
    assert_clean(
        article,
        present=["Fidan ve Lavrov'un önümüzdeki haftalarda Moskova'da"],
        absent=[
            "ANKARA (AA)",
            "çerez",
            "Gündem",
            "Paylaş",
            "Fotoğraf:",
            "İlgili Haberler",
            "Merkez Bankası",
            "Abonelik için",
            "Tüm hakları saklıdır",
            "Bizi takip edin",
        ],
    )


def test_russian_agency_page_with_an_author_object_and_a_dateline():
    article = page("ria_novosti_ru.html")
    assert article.title == "Лавров и Фидан обсудили возобновление зерновой сделки"
    assert article.outlet == "РИА Новости"
    assert article.url == "https://ria.ru/20230831/sdelka-1893296812.html"
    assert article.published_at == utc(2023, 8, 31, 9, 15)
    assert article.authors == ["Мария Иванова"]
    assert article.language == "ru"
    assert article.dateline == "МОСКВА"
    assert article.body.startswith("Министр иностранных дел России Сергей Лавров")
    assert_clean(
        article,
        present=["«Мы подробно обсудили ситуацию с зерновой сделкой.", "17 июля"],
        absent=[
            "РИА Новости.",
            "cookie",
            "Политика",
            "Поделиться",
            "Пресс-служба",
            "Читайте также",
            "Эрдоган допустил",
            "Нравится",
            "Главное, чтобы договоренности",
            "Лента новостей",
            "Все права защищены",
            "Подписывайтесь",
        ],
    )


def test_russian_page_with_only_open_graph_and_a_broken_json_ld_block():
    article = page("kommersant_og_only_ru.html")
    assert article.title == "Анкара ищет баланс между Москвой и Брюсселем"
    assert article.outlet == "Коммерсантъ"
    assert article.url == "https://www.kommersant.ru/doc/6187402"
    assert article.published_at == utc(2023, 8, 28, 21, 5)
    assert article.authors == ["Кирилл Кривошеев"]
    assert article.language == "ru"
    assert article.lead.startswith("Турция рассчитывает сохранить торговлю")
    assert article.body.endswith("представитель одной из крупных торговых компаний.")
    assert_clean(
        article,
        present=[
            "Турецкие власти намерены ужесточить контроль",
            "почти удвоился и превысил $68 млрд.",
        ],
        absent=[
            "cookie",
            "Подписка",
            "Поделиться",
            "Россия и Турция",
            "Подпишитесь",
            "Эрдоган пообещал Путину",
            "Все права защищены",
            "ФС77",
        ],
    )


def test_azerbaijani_page_with_article_json_ld_in_an_array():
    article = page("apa_az_article_author_string.html")
    assert article.title == (
        "Azərbaycan və Türkiyə XİN başçıları Bakıda regional təhlükəsizliyi "
        "müzakirə ediblər"
    )
    assert article.outlet == "APA"
    assert article.url.startswith("https://apa.az/xarici-siyaset/azerbaycan-ve-")
    assert article.published_at == utc(2023, 9, 12, 7, 47)
    assert article.authors == ["Aynur Məmmədova", "Rəşad Süleymanlı"]
    assert article.language == "az"
    assert_clean(
        article,
        present=["Zəngəzur dəhlizi", "Hakan Fidan isə iki ölkə arasında"],
        absent=[
            "kukilər",
            "Xarici siyasət",
            "Paylaş",
            "Teqlər",
            "Son xəbərlər",
            "neftinin qiyməti",
            "Bizi izləyin",
            "Bütün hüquqlar qorunur",
        ],
    )


def test_page_dated_only_by_time_element_inside_the_article():
    article = page("trend_az_time_only.html")
    assert article.title == (
        "Azerbaijan, Türkiye discuss expansion of Kars-Igdir-Nakhchivan railway"
    )
    assert article.outlet == "Trend.Az"
    # The canonical link is relative; og:url gives its host.
    assert article.url == "https://en.trend.az/business/transport/3812655.html"
    assert article.outlet_domains == ["en.trend.az"]
    # Not 17:58 from the "Latest news" list that comes first in the page.
    assert article.published_at == utc(2023, 9, 14, 12, 30)
    # meta author "Trend" is the agency itself, not a person.
    assert article.authors == []
    assert article.language == "en"
    assert article.dateline == "BAKU"
    assert article.body.startswith("Azerbaijan and Türkiye have discussed")
    assert_clean(
        article,
        present=["more than one million tons of freight"],
        absent=[
            "BAKU, Azerbaijan",
            "cookies",
            "Central Asia",
            "USD 1.7000",
            "SOCAR, bp sign",
            "Copy link",
            "Follow the author",
            "More news from this section",
            "All rights reserved",
        ],
    )


def test_government_page_with_a_date_but_no_time():
    article = page("kremlin_ru_en_talks.html")
    assert article.title == "Talks with President of Türkiye Recep Tayyip Erdogan"
    assert article.outlet == "President of Russia"
    assert article.url == "http://en.kremlin.ru/events/president/news/72192"
    assert article.published_at == utc(2023, 9, 4)
    assert article.warnings == [
        "The page gives the day of publication but not the time; the time is set "
        "to 00:00 UTC."
    ]
    assert article.authors == []
    assert article.language == "en"
    assert article.lead.startswith("Vladimir Putin held talks in Sochi")
    assert_clean(
        article,
        present=[
            "President of Russia Vladimir Putin: Mr President, friends",
            "The whole world is watching the steps we take here in Sochi today.",
        ],
        absent=[
            "Version for people with disabilities",
            "Text version",
            "Send to a friend",
            "Publication status",
            "Meeting with Akkuyu project managers",
            "Creative Commons",
        ],
    )


def test_government_press_release_without_metadata():
    article = page("mfa_gov_tr_press_release.html")
    assert article.title == (
        "No: 215, 27 August 2023, Press Release Regarding the Telephone Conversation "
        "Between Foreign Minister Hakan Fidan and Foreign Minister of the Russian "
        "Federation Sergey Lavrov"
    )
    # The site's name comes from what the <title> adds to the heading.
    assert article.outlet == "Republic of Türkiye Ministry of Foreign Affairs"
    assert article.url == (
        "https://www.mfa.gov.tr/no_-215_-telephone-conversation-fidan-lavrov.en.mfa"
    )
    assert article.published_at == utc(2023, 8, 27)
    assert "found in its text" in article.warnings[0]
    assert article.authors == []
    assert article.language == "en"
    assert_clean(
        article,
        present=[
            "Foreign Minister Hakan Fidan held a telephone conversation today",
            "The Ministers agreed to remain in close contact in the period ahead.",
        ],
        absent=[
            "cookies",
            "Consular Information",
            "Questions and Answers",
            "Print",
            "Balgat",
            "All rights reserved",
        ],
    )


def test_json_ld_references_are_resolved_and_the_outlet_is_matched_by_domain():
    article = page("duvar_english_yoast_graph.html")
    assert (
        article.title == "Turkish exporters turn to Russian market as EU demand slows"
    )
    # og:site_name says "Gazete Duvar English"; the domain names the known outlet.
    assert article.outlet == "Duvar English"
    assert article.url == (
        "https://www.duvarenglish.com/"
        "turkish-exporters-turn-to-russian-market-as-eu-demand-slows-news-63012"
    )
    assert article.published_at == utc(2023, 7, 18, 9, 41, 27)
    assert article.authors == ["Ayşe Demir"]
    assert article.language == "en"
    assert article.body.startswith("Turkish exporters increased shipments to Russia")
    assert_clean(
        article,
        present=["“Our European orders fell by almost a fifth"],
        absent=[
            "cookies",
            "Kurdish Issue",
            "Share this",
            "Central bank raises rates",
            "Tagged",
            "Leave a Reply",
            "Most Read",
            "Follow us",
        ],
    )


def test_organisation_author_gives_way_to_the_byline_and_a_cut_lead_is_completed():
    article = page("daily_sabah_og_suffix_author_meta.html")
    # og:title carries " | Daily Sabah", and there is no JSON-LD headline.
    assert article.title == "Erdoğan, Putin to review Akkuyu nuclear plant progress"
    assert article.outlet == "Daily Sabah"
    assert article.published_at == utc(2023, 4, 26, 18, 37)
    assert article.authors == ["Yusuf Kaplan"]
    assert article.url == (
        "https://www.dailysabah.com/business/energy/"
        "erdogan-putin-to-review-akkuyu-nuclear-plant-progress"
    )
    assert article.language == "en"
    # og:description ends in "by video..."; the first paragraph has it whole,
    # and stays the body's first paragraph.
    assert article.lead.endswith("by video link on Thursday")
    assert article.body.startswith(article.lead + "\n\nThe two leaders are expected")
    assert_clean(
        article,
        present=["build-own-operate model"],
        absent=[
            "Your privacy",
            "Live TV",
            "WhatsApp",
            "RELATED",
            "regional gas hub",
            "Recommended",
            "Subscribe",
            "Turkuvaz",
        ],
    )


def test_page_without_an_article_is_rejected():
    with pytest.raises(RejectedInput) as error:
        page("section_index_no_article.html")
    assert str(error.value) == "No article text found in this HTML page."


@pytest.mark.parametrize("html", ["<html><body></body></html>", "<html>   </html>"])
def test_page_without_title_or_text_is_rejected(html):
    with pytest.raises(RejectedInput, match="found in this HTML page"):
        parse_html(html)


def test_an_unreadable_page_date_is_a_warning_not_a_crash():
    article = parse_html(
        '<html lang="en"><head><title>Grain talks resume</title>'
        '<meta property="article:published_time" content="last Tuesday">'
        "</head><body><article><h1>Grain talks resume</h1>"
        + "<p>Delegations met in Istanbul to discuss the grain corridor again.</p>" * 5
        + "</article></body></html>"
    )
    assert article.published_at is None
    assert article.warnings == [
        "The page's publication date “last Tuesday” could not be read; left empty."
    ]
    assert article.title == "Grain talks resume"


def test_a_cut_short_json_ld_headline_is_completed_from_the_page():
    headline = "Moscow and Ankara sign a memorandum on the grain corridor and on"
    article = parse_html(
        '<html lang="en"><head><script type="application/ld+json">'
        + json.dumps(
            {
                "@type": "NewsArticle",
                "headline": headline[:40] + "…",
                "datePublished": "2023-05-02T09:00:00Z",
            }
        )
        + f"</script></head><body><article><h1>{headline} ferries</h1>"
        + "<p>Delegations signed the memorandum in Ankara on Tuesday evening.</p>" * 4
        + "</article></body></html>"
    )
    assert article.title == f"{headline} ferries"


def test_a_closing_sentence_that_merely_mentions_subscribing_is_kept():
    article = parse_html(
        '<html lang="en"><head><title>Grain plan</title>'
        '<meta property="article:published_time" content="2023-05-02T09:00:00Z">'
        "</head><body><article><h1>Grain plan</h1>"
        + "<p>Delegations discussed a new plan for grain exports in Istanbul.</p>" * 3
        + "<p>Lavrov said Moscow would not subscribe to the plan.</p>"
        + "<p>© 2023 Example News. All rights reserved.</p>"
        + "</article></body></html>"
    )
    assert article.body.endswith("Lavrov said Moscow would not subscribe to the plan.")


def test_xhtml_with_an_xml_declaration_is_read():
    article = parse_html(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="tr"><head>'
        "<title>Ankara'da görüşme</title>"
        '<meta property="article:published_time" content="2023-05-02T09:00:00Z"/>'
        "</head><body><h1>Ankara'da görüşme</h1>"
        + "<p>Bakanlar Ankara'da bir araya gelerek ikili ilişkileri görüştü.</p>" * 4
        + "</body></html>"
    )
    assert article.title == "Ankara'da görüşme"
    assert article.language == "tr"
    assert article.published_at == utc(2023, 5, 2, 9)


# JSON Lines


def record(**fields) -> dict:
    base = {
        "title": "Lavrov and Fidan discuss grain corridor",
        "url": "https://tass.com/politics/1000001",
        "outlet": "TASS",
        "published_at": "2023-08-31T13:15:00+03:00",
        "authors": ["Anna Petrova"],
        "language": "en",
        "body": "Lavrov met Fidan in Moscow.\r\n\r\n\r\n“We agreed,” Lavrov said.",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def jsonl(*records) -> str:
    return "\n".join(
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records
    )


def only(text: str) -> ParsedArticle | RejectedInput:
    [(_, item)] = list(parse_jsonl(text))
    return item


def test_a_json_lines_record_becomes_an_article():
    article = only(
        jsonl(
            record(
                lead="The ministers met.",
                dateline="MOSCOW",
                topics=["grain-corridor"],
                people=["Sergey Lavrov", "Hakan Fidan"],
            )
        )
    )
    assert article == ParsedArticle(
        title="Lavrov and Fidan discuss grain corridor",
        body="Lavrov met Fidan in Moscow.\n\n“We agreed,” Lavrov said.",
        lead="The ministers met.",
        url="https://tass.com/politics/1000001",
        outlet="TASS",
        outlet_domains=["tass.com"],
        published_at=utc(2023, 8, 31, 10, 15),
        authors=["Anna Petrova"],
        dateline="MOSCOW",
        language="en",
        topics=["grain-corridor"],
        people=["Sergey Lavrov", "Hakan Fidan"],
        warnings=[],
        format="jsonl",
    )


def test_json_lines_accepts_one_author_a_date_without_zone_and_a_language_tag():
    article = only(
        jsonl(
            record(authors="Anna Petrova", published_at="2023-08-31", language="tr-TR")
        )
    )
    assert article.authors == ["Anna Petrova"]
    assert article.published_at == utc(2023, 8, 31)
    assert article.language == "tr"


def test_json_lines_reads_rfc_2822_dates():
    article = only(jsonl(record(published_at="Thu, 31 Aug 2023 13:15:00 +0300")))
    assert article.published_at == utc(2023, 8, 31, 10, 15)


def test_a_record_without_language_leaves_detection_to_the_importer():
    assert only(jsonl(record(language=...))).language == ""


def test_unknown_fields_future_dates_and_bad_values_are_warnings():
    future = (dt.datetime.now(UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%MZ")
    article = only(
        jsonl(
            record(
                published_at=future,
                language="English",
                url="tass.com/x",
                tags=["grain"],
                section="Politics",
            )
        )
    )
    assert isinstance(article, ParsedArticle)
    assert article.warnings[0] == "Unknown fields ignored: section, tags."
    assert "is in the future; check it." in article.warnings[1]
    assert article.warnings[2] == "url “tass.com/x” is not a web address; left empty."
    assert "language “English” is no language tag" in article.warnings[3]
    assert article.url == "" and article.language == ""


def test_a_date_less_than_a_day_ahead_is_no_warning():
    soon = (dt.datetime.now(UTC) + dt.timedelta(hours=3)).isoformat()
    assert only(jsonl(record(published_at=soon))).warnings == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"title": "Lavrov and Fidan", "body": "Text" "authors": []}',
            "Line 1 is not valid JSON: Expecting ',' delimiter at column 46.",
        ),
        ("42", "Line 1 is a number, not an article object."),
        ('"just a string"', "Line 1 is a string, not an article object."),
        (jsonl(record(title="")), "Line 1 has no title."),
        (jsonl(record(body="  \n ")), "Line 1 has no body."),
        (jsonl(record(body=...)), "Line 1 has no body."),
        (
            jsonl(record(body=..., text="Lavrov met Fidan.")),
            "Line 1 has no body (rename “text” to “body”).",
        ),
        (
            jsonl(record(authors=5)),
            "Line 1: authors must be a list of names, not a number.",
        ),
        (
            jsonl(record(authors=["Anna Petrova", 7])),
            "Line 1: authors must be a list of names; one is a number.",
        ),
        (
            jsonl(record(topics="grain")),
            "Line 1: topics must be a list of names, not a string.",
        ),
        (
            jsonl(record(title=["A", "B"])),
            "Line 1: title must be a string, not a list.",
        ),
        (
            jsonl(record(published_at="2020-02-31")),
            "Line 1: published_at '2020-02-31' is not a real date.",
        ),
        (
            jsonl(record(published_at="2023-08-31T25:61:00Z")),
            "Line 1: published_at '2023-08-31T25:61:00Z' is not a real date.",
        ),
        (
            jsonl(record(published_at="yesterday")),
            "Line 1: published_at 'yesterday' is not a date and time such as "
            "“2023-08-31T10:15:00Z”.",
        ),
        (
            jsonl(record(published_at=1693476900)),
            "Line 1: published_at must be a date and time such as "
            "“2023-08-31T10:15:00Z”, not a number.",
        ),
    ],
)
def test_bad_json_lines_records_are_rejected_with_a_reason(line, message):
    item = only(line)
    assert isinstance(item, RejectedInput)
    assert str(item) == message


def test_one_bad_line_never_stops_the_others():
    text = jsonl(
        record(title="First"),
        "{not json",
        "",
        record(title=""),
        "   ",
        record(title="Second", published_at="2020-02-31"),
        record(title="Third"),
    )
    items = list(parse_jsonl(text + "\n"))
    assert [(n, type(i).__name__) for n, i in items] == [
        (1, "ParsedArticle"),
        (2, "RejectedInput"),
        (4, "RejectedInput"),
        (6, "RejectedInput"),
        (7, "ParsedArticle"),
    ]
    assert str(items[1][1]).startswith("Line 2 is not valid JSON: Expecting")
    assert str(items[2][1]) == "Line 4 has no title."
    assert items[4][1].title == "Third"


def test_an_export_with_good_and_bad_lines_is_read_line_by_line():
    text = reading.decode((INPUTS / "jsonl" / "mixed_export.jsonl").read_bytes())
    assert reading.sniff(text) == "jsonl"
    items = dict(parse_jsonl(text))
    assert sorted(items) == [1, 2, 4, 5, 6, 7, 8, 9, 10]
    english, turkish, russian = items[1], items[2], items[10]
    assert english.title == "Lavrov and Fidan discuss grain corridor"
    assert (
        english.dateline == "MOSCOW" and english.lead == "The ministers met in Moscow."
    )
    assert english.topics == ["grain-corridor"]
    assert english.people == ["Sergey Lavrov", "Hakan Fidan"]
    assert turkish.authors == ["Zehra Nur Duz"]
    assert turkish.published_at == utc(2023, 8, 31, 10, 40)
    assert turkish.language == ""
    assert turkish.warnings == ["Unknown fields ignored: section."]
    assert turkish.body.endswith("Görüşmede tahıl koridoru ele alındı.")
    assert russian.outlet == "РИА Новости" and russian.language == "ru"
    assert [str(items[n]) for n in (4, 5, 6, 7, 8, 9)] == [
        "Line 4 is not valid JSON: Unterminated string starting at column 44.",
        "Line 5 is a list, not an article object.",
        "Line 6 has no title.",
        "Line 7 has no body (rename “text” to “body”).",
        "Line 8: authors must be a list of names, not a number.",
        "Line 9: published_at '2020-02-31' is not a real date.",
    ]


def test_a_line_holding_a_list_is_no_article():
    items = list(parse_jsonl(jsonl(record(), '["title", "body"]')))
    assert str(items[1][1]) == "Line 2 is a list, not an article object."


def test_a_json_array_of_records_is_numbered_by_the_line_each_starts_on():
    text = (
        "[\n"
        + ",\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in (record(title="One"), record(body=""), record(title="Three"))
        )
        + "\n]\n"
    )
    assert reading.sniff(text) == "jsonl"
    items = list(parse_jsonl(text))
    assert [n for n, _ in items] == [2, 3, 4]
    assert items[0][1].title == "One"
    assert str(items[1][1]) == "Line 3 has no body."
    assert items[2][1].title == "Three"


def test_a_broken_json_array_reports_where_it_breaks():
    text = '[{"title": "One", "body": "Text one."},\n{"title": "Two" "body": "x"}]'
    items = list(parse_jsonl(text))
    assert items[0][1].title == "One"
    assert str(items[1][1]) == (
        "Line 2 is not valid JSON: Expecting ',' delimiter at column 17."
    )


# Dates shared by the structured formats


def test_timestamps_are_aware_and_in_utc():
    assert reading.timestamp("2023-08-30T14:25:00+03:00") == utc(2023, 8, 30, 11, 25)
    assert reading.timestamp("2023-08-30T14:25:00") == utc(2023, 8, 30, 14, 25)
    assert reading.timestamp("20230831T1215") == utc(2023, 8, 31, 12, 15)
    assert reading.timestamp("2023-08-30T14:25+0300") == utc(2023, 8, 30, 11, 25)
    with pytest.raises(reading.ImpossibleDate):
        reading.timestamp("2023-02-29")
    with pytest.raises(reading.NotADate):
        reading.timestamp("Tuesday")
    with pytest.raises(reading.ImpossibleDate):
        reading.timestamp("9999-12-31T23:59:59-12:00")


# Language


@pytest.mark.parametrize(
    ("hint", "tag"),
    [
        ("tr-TR", "tr"),
        ("tr_TR", "tr"),
        ("RU", "ru"),
        ("az-Latn-AZ", "az"),
        ("rus", "ru"),
        ("iw", "he"),
        ("x-default", ""),
        ("und", ""),
        ("English", ""),
        ("", ""),
    ],
)
def test_language_hints_are_reduced_to_a_primary_tag(hint, tag):
    assert primary_tag(hint) == tag


def test_a_valid_hint_wins_over_detection():
    assert detect_language("Лавров и Фидан обсудили зерновую сделку", hint="tr-TR") == (
        "tr"
    )


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Rusya Dışişleri Bakanı Lavrov, Türk mevkidaşı Fidan ile görüştü.", "tr"),
        ("Министр иностранных дел России Сергей Лавров встретился с коллегой.", "ru"),
        ("Azərbaycan Prezidenti İlham Əliyev telefon danışığı aparıb.", "az"),
        (
            "Russia's foreign minister met his Turkish counterpart in Moscow today.",
            "en",
        ),
        ("Le ministre a rencontré son homologue turc à Moscou jeudi.", "fr"),
    ],
)
def test_language_is_detected_offline(text, tag):
    assert detect_language(text, hint="x-default") == tag


def test_text_too_short_to_tell_has_no_language():
    assert detect_language("Lavrov met Fidan") == ""
    assert detect_language("   ") == ""


def test_the_language_model_loads_lazily_and_once():
    code = (
        "import sys; import articles.ingest.language as language; "
        "assert language._identifier is None; "
        "assert 'py3langid' not in sys.modules; "
        "language.detect_language('Lavrov met Fidan in Moscow to talk grain'); "
        "model = language._identifier; assert model is not None; "
        "language.detect_language('Fidan ile Lavrov Moskova’da görüştü bugün'); "
        "assert language._identifier is model"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert language._model() is language._model()
