from conftest import SEED


def test_seed_article_page_shows_derived_headline_date_and_curly_quotes(make_site):
    out = make_site({"content/seed.txt": SEED.read_bytes()})
    page = out / "2022/08/10/venezuela-has-started-contacts-with-the-government-of-gustavo-petro-in-colombia/index.html"
    html = page.read_text(encoding="utf-8")
    assert "<h1>Venezuela has started contacts with the government of Gustavo Petro in Colombia to…</h1>" in html
    assert '<time datetime="2022-08-10">10 August 2022</time>' in html
    assert "“I received instructions” from President Nicols Maduro" in html
