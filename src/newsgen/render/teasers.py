"""Teasers rendered once and reused on every listing page that shows them.

An article's teaser (headline, date, byline, summary, section link, thumbnail) appears on the
front page, its tag, section and author pages, its year, month and day archives and its
on-this-day page. `teaser_list` in `_macros.html` calls `teaser_once(teaser, article, heading,
lazy)` instead of `teaser(article, heading, lazy)`: the first call renders the site's own
`teaser` macro, as the template would; a later call with the same macro, the same arguments
(the whole article record, the heading level, lazy loading) and the same page state gets the
same text without running the macro again.

The page state is everything the macro's output can depend on besides its arguments:

- the names the macro and the macros of its file it calls read, found by parsing the file: each
  must be, on the calling page, a global of the environment, a macro of that file, or absent;
  a macro that reads any other value of the page (`page`, `listing`, `site`...), or includes or
  imports a template, is run for every call;
- the page's language (dates and `lang_of`), and whether the page escapes HTML;
- the links the teaser made (`url` filter, `picture_html`), which are relative to the page: the
  text is reused only on a page from which each of them comes out the same.

Everything else the macro can see (the settings, the translations, the template code) belongs to
the environment, which is the same for one build in one process. Teasers are kept for one build in
one process (a TeaserMemo per build, bounded), never from one build to the next.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable

import jinja2
from jinja2 import nodes
from jinja2.runtime import Macro

from newsgen.render.links import link_from, page_language, recording_links

MEMO_NAME = "newsgen_teasers"
"""The context name under which a page being rendered gets the build's TeaserMemo."""
LIMIT = 40_000
"""Teasers a memo keeps, least recently used dropped first: two per article (two heading levels)
for a 20,000-article site."""
_UNSAFE_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block, nodes.CallBlock,
                 nodes.Macro)
_ABSENT = "absent"
_GLOBAL = "global"


class TeaserMemo:
    """Rendered teasers of one build in one process."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self._texts: OrderedDict[Hashable, list[tuple[tuple[tuple[str, str], ...], Any]]] = OrderedDict()
        self._free_names: dict[Any, tuple[str, ...] | None] = {}
        self.rendered = 0
        self.reused = 0

    def free_names(self, env: jinja2.Environment, template: str, macro: Macro) -> tuple[str, ...] | None:
        code = macro._func.__code__
        key = (template, code)
        if key not in self._free_names:
            self._free_names[key] = _free_names(env, template, macro.name, code.co_filename)
        return self._free_names[key]

    def get(self, key: Hashable, here: str | None, base_path: str) -> Any:
        for links, text in self._texts.get(key, ()):
            if all(link_from(here, base_path, target) == href for target, href in links):
                self._texts.move_to_end(key)
                self.reused += 1
                return text
        return None

    def put(self, key: Hashable, links: list[tuple[str, str]], text: Any) -> None:
        self.rendered += 1
        self._texts.setdefault(key, []).append((tuple(links), text))
        self._texts.move_to_end(key)
        while len(self._texts) > self.limit:
            self._texts.popitem(last=False)


@jinja2.pass_context
def teaser_once(context: Any, macro: Any, *args: Any) -> Any:
    """Template global: macro(*args) as the calling template would render it, reused from the
    build's TeaserMemo when the page state allows (see the module's docstring)."""
    memo = context.get(MEMO_NAME)
    if not isinstance(memo, TeaserMemo) or not isinstance(macro, Macro):
        return context.call(macro, *args)
    key = _key(context, memo, macro, args)
    if key is None:
        return context.call(macro, *args)
    here, base_path = context.get("page_url"), context["config"].base_path
    text = memo.get(key, here, base_path)
    if text is None:
        with recording_links() as links:
            text = context.call(macro, *args)
        memo.put(key, links, text)
    return text


def _key(context: Any, memo: TeaserMemo, macro: Macro, args: tuple[Any, ...]) -> Hashable | None:
    """What the teaser depends on besides its links, or None when it may read more of the page."""
    names = memo.free_names(context.environment, context.name, macro)
    if names is None:
        return None
    env_globals = context.environment.globals
    state: list[Any] = []
    for name in names:
        value = context.get(name, _ABSENT)
        if value is _ABSENT:
            state.append(_ABSENT)
        elif name in env_globals and value is env_globals[name]:
            state.append(_GLOBAL)
        elif isinstance(value, Macro) and value._func.__code__.co_filename == macro._func.__code__.co_filename:
            state.append(value._func.__code__)
        else:
            return None
    key = (macro._func.__code__, context.name, tuple(state), args, page_language(context),
           context.eval_ctx.autoescape)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _free_names(env: jinja2.Environment, template: str, macro_name: str, code_file: str) -> tuple[str, ...] | None:
    """The names the macro, and the macros of its file it calls, read other than their own
    parameters, sorted; None when the macro is not one of the template's own, or may read more
    than names (an include, an import, a nested macro or call block, `self` or `super`)."""
    try:
        source, filename, _ = env.loader.get_source(env, template)  # type: ignore[union-attr]
        tree = env.parse(source, template, filename)
    except (jinja2.TemplateError, UnicodeDecodeError):
        return None
    if (filename or "<template>") != code_file:
        return None
    macros = {node.name: node for node in tree.body if isinstance(node, nodes.Macro)}
    free: set[str] = set()
    seen: set[str] = set()
    pending = [macro_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        macro = macros.get(name)
        if macro is None or _reads_more(macro):
            return None
        parameters = {argument.name for argument in macro.args}
        for node in macro.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in parameters:
                free.add(node.name)
                if node.name in macros:
                    pending.append(node.name)
    if free & {"self", "super"}:
        return None
    return tuple(sorted(free))


def _reads_more(macro: nodes.Macro) -> bool:
    """Whether the macro's body includes, imports or defines templates, blocks or macros."""
    return any(isinstance(child, _UNSAFE_NODES) or next(child.find_all(_UNSAFE_NODES), None) is not None
               for child in macro.body)
