"""Page metadata for search engines and social apps: schema.org JSON-LD and the social image.

The templates (`_head.html`) call these through globals of the same name and print the
result with the `tojson_ld` filter, which escapes `<`, `>` and `&`.
"""

from __future__ import annotations

from typing import Any

from newsgen.config import SiteConfig
from newsgen.model import Period
from newsgen.model import Article
from newsgen.urls import absolute_url, asset_url, share_url

SCHEMA_ORG = "https://schema.org"


def social_image(config: SiteConfig, article: Article | None = None) -> str | None:
    """The absolute URL of the page's image: the article's own picture (its largest copy in its own
    format, or the file as published), else the site's, else None."""
    if article is not None and article.picture is not None:
        return asset_url(config.base_url, article.picture.src)
    reference = (article.image if article is not None else None) or config.image
    return asset_url(config.base_url, reference) if reference else None


def social_image_size(article: Article | None = None) -> tuple[int, int] | None:
    """(width, height) of the article's picture as social_image gives it, when known."""
    picture = article.picture if article is not None else None
    if picture is None or not picture.width or not picture.height:
        return None
    return picture.width, picture.height


def _iso(moment: Any) -> str:
    return moment.isoformat(timespec="seconds")


def _publisher(config: SiteConfig) -> dict[str, Any]:
    publisher: dict[str, Any] = {"@type": "Organization", "name": config.publisher_name, "url": config.base_url}
    if config.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": asset_url(config.base_url, config.logo)}
    return publisher


def news_article_ld(article: Article, config: SiteConfig) -> dict[str, Any]:
    """A schema.org NewsArticle, in the article's own language (its `lang:`, else the site's).
    Authors are Persons linking to their author pages; an article with no byline is credited to
    the publisher."""
    url = absolute_url(config.base_url, article.url)
    authors: list[dict[str, Any]] = [
        {"@type": "Person", "name": author.name, "url": absolute_url(config.base_url, author.url)}
        for author in article.authors
    ] or [_publisher(config)]
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _iso(article.published),
        "dateModified": _iso(article.modified),
        "author": authors,
        "publisher": _publisher(config),
        "inLanguage": article.lang or config.language,
        "wordCount": article.word_count,
    }
    if article.section:
        data["articleSection"] = article.section.name
    if article.tags:
        data["keywords"] = [tag.name for tag in article.tags]
    image = social_image(config, article)
    if image:
        size = social_image_size(article)
        data["image"] = [{"@type": "ImageObject", "url": image, "width": size[0], "height": size[1]}
                         if size else image]
    return data


def breadcrumbs_ld(article: Article, config: SiteConfig) -> dict[str, Any]:
    """A schema.org BreadcrumbList: home > the article's section (else its year) > the article."""
    if article.section:
        middle = (article.section.name, article.section.url)
    else:
        year = Period(article.published.astimezone(config.zone).year, root=config.home)
        middle = (year.label, year.url)
    trail = [(config.title, config.home), middle, (article.title, article.url)]
    return {
        "@context": SCHEMA_ORG,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(config.base_url, url)}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def share_links(article: Article, config: SiteConfig) -> tuple[tuple[str, str], ...]:
    """(network, link) for each network of `share`, in its order."""
    url = absolute_url(config.base_url, article.url)
    return tuple((network, share_url(network, article.title, url)) for network in config.share)


TEMPLATE_GLOBALS = {
    "share_links": share_links,
    "social_image": social_image,
    "social_image_size": social_image_size,
    "news_article_ld": news_article_ld,
    "breadcrumbs_ld": breadcrumbs_ld,
}
