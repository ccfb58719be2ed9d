"""Reading the content folder: scanning it, one reader per input format, other generators' trees,
Markdown and sanitising, automatic tags. The stage's result is a list of Article records."""
