import datetime as dt
import json
import re

import pytest

from articles.citations import FORMATS, citation_key, cite, cite_html
from tests.factories import ArticleFactory, OutletFactory

pytestmark = pytest.mark.django_db

ACCESSED = dt.date(2024, 5, 2)
SITE = "https://archive.example.org/articles"


def citations(article, authors, permalink):
    return {
        fmt: cite(
            article, fmt=fmt, authors=authors, permalink=permalink, accessed=ACCESSED
        )
        for fmt in FORMATS
    }


def csl(item):
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def ris(*lines):
    return "".join(f"{line}\r\n" for line in lines)


def braces_balance(text):
    """BibTeX counts every brace, escaped or not."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# (a) The AzerNews demo article: one author, no original URL -----------------

AZERNEWS_PERMALINK = (
    f"{SITE}/2016/08/16/putin-russia-seeks-to-restore-full-fledged-ties-with-turkey"
    "-update/"
)


@pytest.fixture
def azernews():
    article = ArticleFactory(
        outlet=OutletFactory(name="AzerNews", slug="azernews"),
        title="Putin: Russia seeks to restore full-fledged ties with Turkey [UPDATE]",
        url="",
        published_at=dt.datetime(2016, 8, 16, 10, 33, tzinfo=dt.UTC),
    )
    return citations(article, ["Gunay Hasanova"], AZERNEWS_PERMALINK)


def test_apa_signed_article_without_original_url_cites_the_archive_copy(azernews):
    assert azernews["apa"] == (
        "Hasanova, G. (2016, August 16). Putin: Russia seeks to restore "
        "full-fledged ties with Turkey [UPDATE]. AzerNews. Archived at News "
        f"archive. {AZERNEWS_PERMALINK}"
    )


def test_mla_signed_article_names_the_archive_as_second_container(azernews):
    assert azernews["mla"] == (
        "Hasanova, Gunay. “Putin: Russia Seeks to Restore Full-Fledged Ties with "
        "Turkey [UPDATE].” AzerNews, 16 Aug. 2016. News archive, "
        f"{AZERNEWS_PERMALINK}. Accessed 2 May 2024."
    )


def test_chicago_signed_article_bibliography_entry(azernews):
    assert azernews["chicago"] == (
        "Hasanova, Gunay. “Putin: Russia Seeks to Restore Full-Fledged Ties with "
        "Turkey [UPDATE].” AzerNews, August 16, 2016. Archived at News archive. "
        f"{AZERNEWS_PERMALINK}."
    )


def test_bibtex_signed_article(azernews):
    assert azernews["bibtex"] == (
        "% Encoding: UTF-8\n"
        "@article{hasanova2016putin,\n"
        "  author = {Hasanova, Gunay},\n"
        "  title = {{Putin: Russia seeks to restore full-fledged ties with Turkey "
        "[UPDATE]}},\n"
        "  journal = {AzerNews},\n"
        "  entrysubtype = {newspaper},\n"
        "  date = {2016-08-16},\n"
        "  year = {2016},\n"
        "  month = aug,\n"
        f"  url = {{{AZERNEWS_PERMALINK}}},\n"
        "  urldate = {2024-05-02},\n"
        f"  note = {{Archived copy at News archive: {AZERNEWS_PERMALINK}}},\n"
        "}\n"
    )


def test_ris_signed_article(azernews):
    assert azernews["ris"] == ris(
        "TY  - NEWS",
        "AU  - Hasanova, Gunay",
        "TI  - Putin: Russia seeks to restore full-fledged ties with Turkey [UPDATE]",
        "T2  - AzerNews",
        "DA  - 2016/08/16/",
        "PY  - 2016",
        f"UR  - {AZERNEWS_PERMALINK}",
        "Y2  - 2024/05/02/",
        "LA  - en",
        f"N1  - Archived copy at News archive: {AZERNEWS_PERMALINK}",
        "ER  - ",
    )


def test_csljson_signed_article(azernews):
    assert azernews["csljson"] == csl(
        {
            "id": "hasanova2016putin",
            "type": "article-newspaper",
            "title": "Putin: Russia seeks to restore full-fledged ties with Turkey "
            "[UPDATE]",
            "container-title": "AzerNews",
            "author": [{"family": "Hasanova", "given": "Gunay"}],
            "issued": {"date-parts": [[2016, 8, 16]]},
            "accessed": {"date-parts": [[2024, 5, 2]]},
            "URL": AZERNEWS_PERMALINK,
            "language": "en",
            "archive": "News archive",
            "archive_location": AZERNEWS_PERMALINK,
            "note": f"Archived copy at News archive: {AZERNEWS_PERMALINK}",
        }
    )


# (b) An unsigned TASS article with an original URL and an inferred date ------

TASS_URL = "https://tass.com/politics/1211111"
TASS_PERMALINK = f"{SITE}/2020/10/14/lavrov-common-interest-karabakh/"
TASS_TITLE = 'Lavrov says Russia and Turkey "have a common interest" in Karabakh truce'
INFERRED = (
    "Publication date inferred by the archive's curators; the source does not "
    "state it in full."
)


@pytest.fixture
def tass():
    article = ArticleFactory(
        outlet=OutletFactory(name="TASS", slug="tass"),
        title=TASS_TITLE,
        url=TASS_URL,
        published_at=dt.datetime(2020, 10, 14, 9, 0, tzinfo=dt.UTC),
        date_inferred=True,
    )
    return citations(article, [], TASS_PERMALINK)


def test_apa_unsigned_has_outlet_as_author_and_brackets_inferred_date(tass):
    assert tass["apa"] == (
        f"TASS. ([2020, October 14]). {TASS_TITLE}. {TASS_URL}. Archived at News "
        f"archive. {TASS_PERMALINK}"
    )


def test_mla_unsigned_begins_with_title_and_brackets_inferred_date(tass):
    assert tass["mla"] == (
        "“Lavrov Says Russia and Turkey ‘Have a Common Interest’ in Karabakh "
        f"Truce.” TASS, [14 Oct. 2020], {TASS_URL}. News archive, "
        f"{TASS_PERMALINK}. Accessed 2 May 2024."
    )


def test_chicago_unsigned_has_outlet_as_author_and_brackets_inferred_date(tass):
    assert tass["chicago"] == (
        "TASS. “Lavrov Says Russia and Turkey ‘Have a Common Interest’ in Karabakh "
        f"Truce.” [October 14, 2020]. {TASS_URL}. Archived at News archive. "
        f"{TASS_PERMALINK}."
    )


def test_bibtex_unsigned_uses_original_url_and_notes_inferred_date(tass):
    assert tass["bibtex"] == (
        "% Encoding: UTF-8\n"
        "@article{tass2020lavrov,\n"
        "  author = {{TASS}},\n"
        f"  title = {{{{{TASS_TITLE}}}}},\n"
        "  journal = {TASS},\n"
        "  entrysubtype = {newspaper},\n"
        "  date = {2020-10-14},\n"
        "  year = {2020},\n"
        "  month = oct,\n"
        f"  url = {{{TASS_URL}}},\n"
        "  urldate = {2024-05-02},\n"
        f"  note = {{Archived copy at News archive: {TASS_PERMALINK}. {INFERRED}}},\n"
        "}\n"
    )


def test_ris_unsigned_uses_original_url_and_notes_inferred_date(tass):
    assert tass["ris"] == ris(
        "TY  - NEWS",
        "AU  - TASS,",
        f"TI  - {TASS_TITLE}",
        "T2  - TASS",
        "DA  - 2020/10/14/",
        "PY  - 2020",
        f"UR  - {TASS_URL}",
        "Y2  - 2024/05/02/",
        "LA  - en",
        f"N1  - Archived copy at News archive: {TASS_PERMALINK}. {INFERRED}",
        "ER  - ",
    )


def test_csljson_unsigned_uses_original_url_and_marks_inferred_date(tass):
    assert tass["csljson"] == csl(
        {
            "id": "tass2020lavrov",
            "type": "article-newspaper",
            "title": TASS_TITLE,
            "container-title": "TASS",
            "author": [{"literal": "TASS"}],
            "issued": {"date-parts": [[2020, 10, 14]], "circa": True},
            "accessed": {"date-parts": [[2024, 5, 2]]},
            "URL": TASS_URL,
            "language": "en",
            "archive": "News archive",
            "archive_location": TASS_PERMALINK,
            "note": f"Archived copy at News archive: {TASS_PERMALINK}. {INFERRED}",
        }
    )


def test_inferred_date_is_never_presented_as_stated(tass):
    stated = re.compile(r"(?<!\[)(2020, October 14|14 Oct\. 2020|October 14, 2020)")
    for fmt in ("apa", "mla", "chicago"):
        assert "14" in tass[fmt]
        assert not stated.search(tass[fmt])
    for fmt in ("bibtex", "ris", "csljson"):
        assert "inferred" in tass[fmt]


# (c) Three authors with Turkish characters ----------------------------------

DUVAR_URL = "https://www.duvarenglish.com/erdogan-and-putin-meet-in-sochi-news-59000"
DUVAR_PERMALINK = f"{SITE}/2021/09/29/erdogan-and-putin-meet-in-sochi/"


@pytest.fixture
def duvar():
    article = ArticleFactory(
        outlet=OutletFactory(name="Duvar English", slug="duvar-english"),
        title="Erdoğan and Putin meet in Sochi",
        url=DUVAR_URL,
        published_at=dt.datetime(2021, 9, 29, 12, 0, tzinfo=dt.UTC),
    )
    authors = ["Ayşe Gül Yılmaz", "Cengiz Çavuşoğlu", "İpek Ünal"]
    return citations(article, authors, DUVAR_PERMALINK)


def test_apa_three_authors_keep_turkish_letters(duvar):
    assert duvar["apa"] == (
        "Yılmaz, A. G., Çavuşoğlu, C., & Ünal, İ. (2021, September 29). Erdoğan "
        f"and Putin meet in Sochi. Duvar English. {DUVAR_URL}. Archived at News "
        f"archive. {DUVAR_PERMALINK}"
    )


def test_mla_three_authors_is_first_author_et_al(duvar):
    assert duvar["mla"] == (
        "Yılmaz, Ayşe Gül, et al. “Erdoğan and Putin Meet in Sochi.” Duvar "
        f"English, 29 Sept. 2021, {DUVAR_URL}. News archive, {DUVAR_PERMALINK}. "
        "Accessed 2 May 2024."
    )


def test_chicago_three_authors_lists_all_first_inverted(duvar):
    assert duvar["chicago"] == (
        "Yılmaz, Ayşe Gül, Cengiz Çavuşoğlu, and İpek Ünal. “Erdoğan and Putin "
        f"Meet in Sochi.” Duvar English, September 29, 2021. {DUVAR_URL}. "
        f"Archived at News archive. {DUVAR_PERMALINK}."
    )


def test_bibtex_three_authors_joined_with_and_in_utf8(duvar):
    assert duvar["bibtex"] == (
        "% Encoding: UTF-8\n"
        "@article{yilmaz2021erdogan,\n"
        "  author = {Yılmaz, Ayşe Gül and Çavuşoğlu, Cengiz and Ünal, İpek},\n"
        "  title = {{Erdoğan and Putin meet in Sochi}},\n"
        "  journal = {Duvar English},\n"
        "  entrysubtype = {newspaper},\n"
        "  date = {2021-09-29},\n"
        "  year = {2021},\n"
        "  month = sep,\n"
        f"  url = {{{DUVAR_URL}}},\n"
        "  urldate = {2024-05-02},\n"
        f"  note = {{Archived copy at News archive: {DUVAR_PERMALINK}}},\n"
        "}\n"
    )


def test_ris_three_authors_one_au_line_each(duvar):
    assert duvar["ris"] == ris(
        "TY  - NEWS",
        "AU  - Yılmaz, Ayşe Gül",
        "AU  - Çavuşoğlu, Cengiz",
        "AU  - Ünal, İpek",
        "TI  - Erdoğan and Putin meet in Sochi",
        "T2  - Duvar English",
        "DA  - 2021/09/29/",
        "PY  - 2021",
        f"UR  - {DUVAR_URL}",
        "Y2  - 2024/05/02/",
        "LA  - en",
        f"N1  - Archived copy at News archive: {DUVAR_PERMALINK}",
        "ER  - ",
    )


def test_csljson_three_authors_family_and_given(duvar):
    assert duvar["csljson"] == csl(
        {
            "id": "yilmaz2021erdogan",
            "type": "article-newspaper",
            "title": "Erdoğan and Putin meet in Sochi",
            "container-title": "Duvar English",
            "author": [
                {"family": "Yılmaz", "given": "Ayşe Gül"},
                {"family": "Çavuşoğlu", "given": "Cengiz"},
                {"family": "Ünal", "given": "İpek"},
            ],
            "issued": {"date-parts": [[2021, 9, 29]]},
            "accessed": {"date-parts": [[2024, 5, 2]]},
            "URL": DUVAR_URL,
            "language": "en",
            "archive": "News archive",
            "archive_location": DUVAR_PERMALINK,
            "note": f"Archived copy at News archive: {DUVAR_PERMALINK}",
        }
    )


# (d) No date: two authors, one with a particle -------------------------------

SPUTNIK_PERMALINK = f"{SITE}/undated/turkish-stream-whats-next/"


@pytest.fixture
def undated():
    article = ArticleFactory(
        outlet=OutletFactory(name="Sputnik", slug="sputnik"),
        title="Turkish Stream: what's next?",
        url="",
        published_at=None,
    )
    authors = ["Ekaterina Blinova", "Jan van der Berg"]
    return citations(article, authors, SPUTNIK_PERMALINK)


def test_apa_undated_is_nd_and_two_authors_joined_with_ampersand(undated):
    assert undated["apa"] == (
        "Blinova, E., & van der Berg, J. (n.d.). Turkish Stream: what's next? "
        f"Sputnik. Archived at News archive. {SPUTNIK_PERMALINK}"
    )


def test_mla_undated_omits_date_and_two_authors_joined_with_and(undated):
    assert undated["mla"] == (
        "Blinova, Ekaterina, and Jan van der Berg. “Turkish Stream: What's Next?” "
        f"Sputnik. News archive, {SPUTNIK_PERMALINK}. Accessed 2 May 2024."
    )


def test_chicago_undated_omits_date(undated):
    assert undated["chicago"] == (
        "Blinova, Ekaterina, and Jan van der Berg. “Turkish Stream: What's Next?” "
        f"Sputnik. Archived at News archive. Accessed May 2, 2024. "
        f"{SPUTNIK_PERMALINK}."
    )


def test_bibtex_undated_omits_date_fields(undated):
    assert undated["bibtex"] == (
        "% Encoding: UTF-8\n"
        "@article{blinovaturkish,\n"
        "  author = {Blinova, Ekaterina and van der Berg, Jan},\n"
        "  title = {{Turkish Stream: what's next?}},\n"
        "  journal = {Sputnik},\n"
        "  entrysubtype = {newspaper},\n"
        f"  url = {{{SPUTNIK_PERMALINK}}},\n"
        "  urldate = {2024-05-02},\n"
        f"  note = {{Archived copy at News archive: {SPUTNIK_PERMALINK}}},\n"
        "}\n"
    )


def test_ris_undated_omits_date_tags(undated):
    assert undated["ris"] == ris(
        "TY  - NEWS",
        "AU  - Blinova, Ekaterina",
        "AU  - van der Berg, Jan",
        "TI  - Turkish Stream: what's next?",
        "T2  - Sputnik",
        f"UR  - {SPUTNIK_PERMALINK}",
        "Y2  - 2024/05/02/",
        "LA  - en",
        f"N1  - Archived copy at News archive: {SPUTNIK_PERMALINK}",
        "ER  - ",
    )


def test_csljson_undated_omits_issued(undated):
    item = json.loads(undated["csljson"])[0]
    assert "issued" not in item
    assert item["author"] == [
        {"family": "Blinova", "given": "Ekaterina"},
        {"family": "van der Berg", "given": "Jan"},
    ]
    assert item["id"] == "blinovaturkish"


# Formats and failure ----------------------------------------------------------


def test_formats_are_ordered_with_label_extension_and_mime():
    assert list(FORMATS) == ["apa", "mla", "chicago", "bibtex", "ris", "csljson"]
    label, extension, mime = FORMATS["bibtex"]
    assert (label, extension, mime) == ("BibTeX", "bib", "application/x-bibtex")
    assert FORMATS["ris"].mime == "application/x-research-info-systems"
    assert FORMATS["csljson"].extension == "json"
    assert all(f.label and f.extension and "/" in f.mime for f in FORMATS.values())


@pytest.mark.parametrize("fmt", ["html", "APA", "", "bibtex "])
def test_unknown_format_raises_value_error(fmt):
    article = ArticleFactory()
    with pytest.raises(ValueError, match="Unknown citation format"):
        cite(article, fmt=fmt, authors=[], permalink=SITE, accessed=ACCESSED)


# Escaping and robustness ------------------------------------------------------


def test_bibtex_escapes_special_characters_and_keeps_braces_balanced():
    article = ArticleFactory(
        outlet=OutletFactory(name="Black & White_News", slug="black-white-news"),
        title="Gas {price} up 50% & rising: $3 #1 a_b { ~^\\",
    )
    text = cite(article, fmt="bibtex", authors=[], permalink=SITE, accessed=ACCESSED)
    assert (
        "  title = {{Gas \\textbraceleft{}price\\textbraceright{} up 50\\% \\& "
        "rising: \\$3 \\#1 a\\_b \\textbraceleft{} \\textasciitilde{}"
        "\\textasciicircum{}\\textbackslash{}}},\n"
    ) in text
    assert "  journal = {Black \\& White\\_News},\n" in text
    assert "  author = {{Black \\& White\\_News}},\n" in text
    assert braces_balance(text)


def test_bibtex_url_with_braces_or_spaces_cannot_unbalance_the_entry():
    article = ArticleFactory(url="https://example.org/a b/{x}|y")
    text = cite(article, fmt="bibtex", authors=[], permalink=SITE, accessed=ACCESSED)
    assert "  url = {https://example.org/a%20b/%7Bx%7D%7Cy},\n" in text
    assert braces_balance(text)


def test_bibtex_states_utf8_and_keeps_unicode_unescaped():
    article = ArticleFactory(title="Çavuşoğlu ve Лавров görüştü")
    text = cite(
        article, fmt="bibtex", authors=["Ümit Öz"], permalink=SITE, accessed=ACCESSED
    )
    assert text.startswith("% Encoding: UTF-8\n@article{oz")
    assert "{{Çavuşoğlu ve Лавров görüştü}}" in text
    assert "author = {Öz, Ümit}" in text


def test_newlines_in_titles_collapse_to_spaces_in_every_format():
    article = ArticleFactory(
        title="Lavrov meets\nÇavuşoğlu\r\n\tin  Antalya\u2028today"
    )
    for fmt in FORMATS:
        text = cite(
            article, fmt=fmt, authors=["A B"], permalink=SITE, accessed=ACCESSED
        )
        if fmt == "csljson":
            assert json.loads(text)[0]["title"] == (
                "Lavrov meets Çavuşoğlu in Antalya today"
            )
        elif fmt in {"mla", "chicago"}:
            assert "\n" not in text and "\r" not in text
            assert "“Lavrov Meets Çavuşoğlu in Antalya Today.”" in text
        else:
            assert "Lavrov meets Çavuşoğlu in Antalya today" in text


def test_ris_has_one_tag_per_line_and_ends_with_er():
    article = ArticleFactory(
        title="Line one\nTY  - JOUR\r\nline three", date_inferred=True
    )
    text = cite(
        article,
        fmt="ris",
        authors=["Gunay Hasanova"],
        permalink=SITE,
        accessed=ACCESSED,
    )
    assert text.endswith("ER  - \r\n")
    lines = text.split("\r\n")[:-1]
    assert lines[-1] == "ER  - "
    assert lines[0] == "TY  - NEWS"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - [^\r\n]*", line) for line in lines)
    assert [line for line in lines if line.startswith("TY")] == ["TY  - NEWS"]
    assert "TI  - Line one TY - JOUR line three" in lines


def test_csljson_parses_and_has_the_expected_keys():
    article = ArticleFactory(
        title='He said "no" – {really}\n', url="https://tass.com/world/1", language="tr"
    )
    text = cite(
        article,
        fmt="csljson",
        authors=["Can Dündar"],
        permalink=SITE,
        accessed=ACCESSED,
    )
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == 1
    item = data[0]
    assert set(item) == {
        "id",
        "type",
        "title",
        "container-title",
        "author",
        "issued",
        "accessed",
        "URL",
        "language",
        "archive",
        "archive_location",
        "note",
    }
    assert item["title"] == 'He said "no" – {really}'
    assert item["URL"] == "https://tass.com/world/1"
    assert item["archive_location"] == SITE
    assert item["language"] == "tr"
    assert "Dündar" in text  # ensure_ascii=False: Unicode as is, not \u escapes


# Names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "apa", "mla", "csl_name"),
    [
        (
            "Charles de Gaulle",
            "de Gaulle, C.",
            "de Gaulle, Charles",
            {"family": "de Gaulle", "given": "Charles"},
        ),
        (
            "Jean-Paul Marie Sartre",
            "Sartre, J.-P. M.",
            "Sartre, Jean-Paul Marie",
            {"family": "Sartre", "given": "Jean-Paul Marie"},
        ),
        (
            "Martin Luther King Jr.",
            "King, M. L., Jr.",
            "King, Martin Luther, Jr",
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        ),
        ("Сергей Лавров", "Лавров, С.", "Лавров, Сергей", None),
        ("Hasanova, Gunay", "Hasanova, G.", "Hasanova, Gunay", None),
        ("Tarkan", "Tarkan.", "Tarkan", {"literal": "Tarkan"}),
    ],
)
def test_names_with_particles_suffixes_and_other_scripts(name, apa, mla, csl_name):
    article = ArticleFactory()

    def one(fmt):
        return cite(article, fmt=fmt, authors=[name], permalink=SITE, accessed=ACCESSED)

    assert one("apa").startswith(f"{apa} (")
    assert one("mla").startswith(f"{mla}.")
    if csl_name is not None:
        assert json.loads(one("csljson"))[0]["author"] == [csl_name]


def test_apa_lists_up_to_twenty_authors_then_ellipsis_and_last():
    article = ArticleFactory()
    twenty = [f"Given{n} Family{n}" for n in range(1, 21)]
    text = cite(article, fmt="apa", authors=twenty, permalink=SITE, accessed=ACCESSED)
    assert text.startswith("Family1, G., Family2, G., ")
    assert "Family19, G., & Family20, G. (" in text
    many = [*twenty, "Given21 Family21"]
    text = cite(article, fmt="apa", authors=many, permalink=SITE, accessed=ACCESSED)
    assert "Family19, G., . . . Family21, G. (" in text
    assert "Family20" not in text


def test_chicago_lists_seven_then_et_al_beyond_ten_authors():
    article = ArticleFactory()
    ten = [f"Given{n} Family{n}" for n in range(1, 11)]
    text = cite(article, fmt="chicago", authors=ten, permalink=SITE, accessed=ACCESSED)
    assert text.startswith("Family1, Given1, Given2 Family2, ")
    assert ", and Given10 Family10. “" in text
    eleven = [*ten, "Given11 Family11"]
    text = cite(
        article, fmt="chicago", authors=eleven, permalink=SITE, accessed=ACCESSED
    )
    assert "Given7 Family7, et al. “" in text
    assert "Family8" not in text


def test_blank_author_names_leave_the_article_unsigned():
    article = ArticleFactory(outlet=OutletFactory(name="TASS", slug="tass"))
    text = cite(
        article, fmt="apa", authors=["", "  "], permalink=SITE, accessed=ACCESSED
    )
    assert text.startswith("TASS. (")


# Titles, dates and keys -------------------------------------------------------


def test_headline_case_never_lowercases_and_skips_other_languages():
    english = ArticleFactory(
        title="iPhone sales in the EU: out-of-date rules, says de Mistura",
    )
    text = cite(english, fmt="chicago", authors=[], permalink=SITE, accessed=ACCESSED)
    assert "“iPhone Sales in the EU: Out-of-Date Rules, Says de Mistura.”" in text
    turkish = ArticleFactory(title="Erdoğan ve Putin Soçi'de görüştü", language="tr")
    text = cite(turkish, fmt="mla", authors=[], permalink=SITE, accessed=ACCESSED)
    assert text.startswith("“Erdoğan ve Putin Soçi'de görüştü.”")


def test_title_ending_in_a_quotation_takes_the_full_stop_inside():
    article = ArticleFactory(title="Erdoğan: “We will not back down”")
    text = cite(article, fmt="mla", authors=[], permalink=SITE, accessed=ACCESSED)
    assert text.startswith("“Erdoğan: ‘We Will Not Back Down.’”")
    text = cite(article, fmt="apa", authors=[], permalink=SITE, accessed=ACCESSED)
    assert "Erdoğan: “We will not back down.”" in text


def test_date_is_the_utc_day_of_publication():
    article = ArticleFactory(
        published_at=dt.datetime(
            2016, 8, 16, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))
        )
    )
    text = cite(article, fmt="apa", authors=[], permalink=SITE, accessed=ACCESSED)
    assert "(2016, August 17)." in text


@pytest.mark.parametrize(
    ("authors", "title", "key"),
    [
        (["Gunay Hasanova"], "Putin: Russia seeks ties", "hasanova2016putin"),
        (["Jan van der Berg"], "The talks in Sochi", "vanderberg2016talks"),
        (["Mevlüt Çavuşoğlu"], "«Турецкий поток» готов", "cavusoglu2016turetskiy"),
        ([], "A deal on Idlib", "duvarenglish2016deal"),
    ],
)
def test_citation_key_is_ascii_family_year_and_first_significant_word(
    authors, title, key
):
    article = ArticleFactory(
        outlet=OutletFactory(name="Duvar English", slug="duvar-english"),
        title=title,
        published_at=dt.datetime(2016, 8, 16, tzinfo=dt.UTC),
    )
    assert citation_key(article, authors) == key
    text = cite(
        article, fmt="bibtex", authors=authors, permalink=SITE, accessed=ACCESSED
    )
    assert f"@article{{{key}," in text


# Italics: the page shows them and the copy button carries them ------------------


def html_citations(article, authors, permalink):
    return {
        fmt: cite_html(
            article, fmt=fmt, authors=authors, permalink=permalink, accessed=ACCESSED
        )
        for fmt in ("apa", "mla", "chicago")
    }


def test_apa_italicises_the_title_of_a_page_on_a_news_website():
    article = ArticleFactory(
        outlet=OutletFactory(name="AzerNews", slug="azernews"),
        title="Putin: Russia seeks ties",
        url="",
        published_at=dt.datetime(2016, 8, 16, tzinfo=dt.UTC),
    )
    html = html_citations(article, ["Gunay Hasanova"], AZERNEWS_PERMALINK)
    assert html["apa"].startswith(
        "Hasanova, G. (2016, August 16). <i>Putin: Russia seeks ties</i>. AzerNews. "
    )


def test_mla_italicises_both_containers_and_chicago_the_outlet():
    article = ArticleFactory(
        outlet=OutletFactory(name="Duvar English", slug="duvar-english"),
        title="Erdoğan and Putin meet in Sochi",
        url=DUVAR_URL,
        published_at=dt.datetime(2021, 9, 29, 12, 0, tzinfo=dt.UTC),
    )
    html = html_citations(article, ["İpek Ünal"], DUVAR_PERMALINK)
    assert "<i>Duvar English</i>, 29 Sept. 2021" in html["mla"]
    assert f"<i>News archive</i>, {DUVAR_PERMALINK}." in html["mla"]
    assert "” <i>Duvar English</i>, September 29, 2021." in html["chicago"]
    assert html["apa"].count("<i>") == 1


def test_chicago_unsigned_article_has_the_italic_outlet_as_author():
    article = ArticleFactory(
        outlet=OutletFactory(name="TASS", slug="tass"),
        title="Lavrov in Ankara",
        published_at=dt.datetime(2020, 10, 14, tzinfo=dt.UTC),
    )
    html = html_citations(article, [], SITE)
    assert html["chicago"].startswith("<i>TASS</i>. “Lavrov in Ankara.” October 14")
    assert html["apa"].startswith("TASS. (2020, October 14). <i>Lavrov in Ankara</i>.")


def test_undated_chicago_gives_the_access_date():
    article = ArticleFactory(title="Undated", published_at=None)
    text = cite(article, fmt="chicago", authors=[], permalink=SITE, accessed=ACCESSED)
    assert "Accessed May 2, 2024." in text


def test_html_citation_escapes_the_text_and_cannot_be_given_italics_by_it():
    article = ArticleFactory(
        outlet=OutletFactory(name="<b>Outlet</b> & Co"),
        title="A \x02forged\x03 <i>title</i> & more",
    )
    for fmt, html in html_citations(article, ["Ann <Lee>"], SITE).items():
        assert "<b>" not in html and "<i>title</i>" not in html, fmt
        assert "title&lt;/i&gt;" in html, fmt
        assert "\x02" not in html and "\x03" not in html, fmt
        plain = cite(
            article, fmt=fmt, authors=["Ann <Lee>"], permalink=SITE, accessed=ACCESSED
        )
        assert "title</i>" in plain and "\x02" not in plain
        text = re.sub(r"</?i>", "", str(html))
        assert (
            text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            == plain
        ), fmt
