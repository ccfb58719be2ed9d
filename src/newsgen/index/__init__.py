"""The site's structure from its articles: listings by tag, section, author and date, calendars,
on-this-day days and related stories."""
