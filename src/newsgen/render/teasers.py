"""Teasers rendered once and reused on every listing page that shows them.

An article's teaser (headline, date, byline, summary, section link, thumbnail) appears on the
front page, its tag, section and author pages, its year, month and day archives and its
on-this-day page. `teaser_list` in `_macros.html` calls `teaser_once(teaser, article, heading,
lazy)` instead of `teaser(article, heading, lazy)`. The first call for an article renders the
site's own `teaser` macro once, with a placeholder for each link it makes (links are relative to
the page); every call, the first included, gets that text with the page's own links put in. The
text is reused only when nothing else of the page can change it; otherwise the macro runs for the
call, as the template would run it:

- The macro, and the macros of its file it calls, are read (parsed) first. Every name they read
  other than their parameters must be, on the calling page, a global of the environment, a macro
  of that file, or absent: a macro that reads any other value of the page (`page`, `listing`,
  `site`, `page_url`...), includes or imports a template, or defines a macro or block, runs for
  every call.
- Each link (`url` filter, `picture_html`, a call of a macro that makes links) must reach the
  output unchanged: printed (`{{ ... }}`), captured by `{% set name %}` (each use of the name then
  checked in turn), appended to a list, joined (`join`, `names_list`), concatenated (`~`) or put
  in a translated message; any other use (a filter such as `upper`, a comparison, `length`)
  makes the macro run for every call. The placeholders are letters and digits with a random part
  chosen per build, which escaping and the filters above leave as they are; a link whose href
  escaping would change is not put in (the macro runs for that call).
- The key of the text holds the macro's code, the arguments (the article's file, URL and the
  hash of its whole record, which in one build name one record; the heading level, lazy loading), the page's language (dates and `lang_of`) and whether it escapes
  HTML. The settings, translations and templates belong to the environment, the same for one
  build in one process.

Texts are kept for one build in one process (a TeaserMemo per build, bounded), never from one
build to the next.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from typing import Any, Hashable, Iterator

import jinja2
from jinja2 import nodes
from jinja2.runtime import Macro

from newsgen.model import Article
from newsgen.render.links import link_from, marking_links, page_language

MEMO_NAME = "newsgen_teasers"
"""The context name under which a page being rendered gets the build's TeaserMemo."""
LIMIT = 40_000
"""Texts a memo keeps, least recently used dropped first: two per article (two heading levels)
for a 20,000-article site."""
_UNSAFE_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block, nodes.CallBlock,
                 nodes.Macro, nodes.FilterBlock)
_LINK_FILTERS = {"url"}
_LINK_GLOBALS = {"picture_html"}
_JOINING_FILTERS = {"join", "names_list"}
_MESSAGES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
_PLAIN_BLOCKS = (nodes.If, nodes.For, nodes.With, nodes.Scope)
_NOT_PLAIN_HREF = re.compile("[&<>\"'\x00-\x1f\ufffe\uffff\ud800-\udfff]")
_ABSENT = "absent"
_GLOBAL = "global"


class _Marks:
    """Placeholders for the links one teaser makes, in order."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.targets: list[str] = []

    def mark(self, target: str) -> str:
        self.targets.append(target)
        return f"{self.prefix}{len(self.targets) - 1}x"


_analysed_macros: dict[tuple[str, Any], tuple[str, ...] | None] = {}
"""_free_names by template name and the macro's compiled code, for the life of the process: a
code object is compiled from one source (render/environment.CompiledTemplates keeps it while the
source is unchanged), and the analysis reads nothing else."""


class TeaserMemo:
    """Teaser texts of one build in one process, with a placeholder for each link."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self.prefix = f"ngteaser{secrets.token_hex(12)}x"
        self._placeholder = re.compile(re.escape(self.prefix) + r"(\d+)x")
        self._texts: OrderedDict[Hashable, tuple[Any, tuple[str, ...]] | None] = OrderedDict()

    @staticmethod
    def free_names(env: jinja2.Environment, template: str, macro: Macro) -> tuple[str, ...] | None:
        code = macro._func.__code__
        key = (template, code)
        if key not in _analysed_macros:
            if len(_analysed_macros) > 1024:
                _analysed_macros.clear()
            _analysed_macros[key] = _free_names(env, template, macro.name, code.co_filename)
        return _analysed_macros[key]

    def text(self, key: Hashable, render: Any) -> tuple[Any, tuple[str, ...]] | None:
        """The text with placeholders and the targets of its links; render() makes it on a miss.
        None when the text cannot take links in (a link did not reach it unchanged)."""
        if key in self._texts:
            self._texts.move_to_end(key)
            return self._texts[key]
        marks = _Marks(self.prefix)
        with marking_links(marks):
            text = render()
        found = sorted(int(number) for number in self._placeholder.findall(text))
        entry = (text, tuple(marks.targets)) if found == list(range(len(marks.targets))) else None
        self._texts[key] = entry
        while len(self._texts) > self.limit:
            self._texts.popitem(last=False)
        return entry

    def with_links(self, text: Any, hrefs: list[str]) -> Any:
        return type(text)(self._placeholder.sub(lambda match: hrefs[int(match.group(1))], text))


@jinja2.pass_context
def teaser_once(context: Any, macro: Any, *args: Any) -> Any:
    """Template global: macro(*args) as the calling template would render it, made from the
    build's TeaserMemo when the page allows (see the module's docstring)."""
    memo = context.get(MEMO_NAME)
    if not isinstance(memo, TeaserMemo) or not isinstance(macro, Macro):
        return context.call(macro, *args)
    key = _key(context, memo, macro, args)
    entry = memo.text(key, lambda: context.call(macro, *args)) if key is not None else None
    if entry is None:
        return context.call(macro, *args)
    text, targets = entry
    here, base_path = context.get("page_url"), context["config"].base_path
    hrefs = [link_from(here, base_path, target) for target in targets]
    if any(_NOT_PLAIN_HREF.search(href) for href in hrefs):
        return context.call(macro, *args)
    return memo.with_links(text, hrefs)


def _key(context: Any, memo: TeaserMemo, macro: Macro, args: tuple[Any, ...]) -> Hashable | None:
    """What the teaser's text depends on besides its links, or None when it may read more of the page."""
    names = memo.free_names(context.environment, context.name, macro)
    if names is None:
        return None
    env_globals, own, parent = context.environment.globals, context.vars, context.parent
    state: list[Any] = []
    for name in names:  # as Context.get finds them: the template's own variables, then the page's and the globals
        value = own.get(name, _ABSENT)
        if value is _ABSENT:
            value = parent.get(name, _ABSENT)
        if value is _ABSENT:
            state.append(_ABSENT)
        elif name in env_globals and value is env_globals[name]:
            state.append(_GLOBAL)
        elif isinstance(value, Macro) and value._func.__code__.co_filename == macro._func.__code__.co_filename:
            state.append(value._func.__code__)
        else:
            return None
    try:
        shown = tuple(map(_argument_key, args))
    except TypeError:
        return None
    return (macro._func.__code__, context.name, tuple(state), shown, page_language(context), context.eval_ctx.autoescape)


def _argument_key(value: Any) -> Hashable:
    """An argument as the key holds it: an article by its file, URL and record's hash (the key
    would otherwise keep every article's record alive); TypeError when it cannot be hashed."""
    if isinstance(value, Article):
        return (value.source, value.url, hash(value))
    hash(value)
    return value


def _free_names(env: jinja2.Environment, template: str, macro_name: str, code_file: str) -> tuple[str, ...] | None:
    """The names the macro, and the macros of its file it calls, read other than their own
    parameters, sorted; None when the macro is not one of the template's own, may read more than
    names, or may change a link on its way to the output."""
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
        if macro is None or any(_descendants(macro, _UNSAFE_NODES)):
            return None
        parameters = {argument.name for argument in macro.args}
        for node in macro.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in parameters:
                free.add(node.name)
                if node.name in macros:
                    pending.append(node.name)
    if free & {"self", "super", "caller", "varargs", "kwargs"}:
        return None
    linking = _linking_macros({name: macros[name] for name in seen})
    if not all(_links_reach_output(macros[name], linking) for name in seen):
        return None
    return tuple(sorted(free))


def _descendants(node: nodes.Node, kinds: tuple[type, ...]) -> Iterator[nodes.Node]:
    for child in node.iter_child_nodes():
        if isinstance(child, kinds):
            yield child
        yield from _descendants(child, kinds)


def _is_link(node: nodes.Node, linking: set[str]) -> bool:
    """Whether the expression's value holds a link: the `url` filter, `picture_html`, or a call of
    a macro that makes links."""
    if isinstance(node, nodes.Filter):
        return node.name in _LINK_FILTERS
    return (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
            and (node.node.name in _LINK_GLOBALS or node.node.name in linking))


def _linking_macros(macros: dict[str, nodes.Macro]) -> set[str]:
    """The macros that make links, directly or through one another."""
    linking: set[str] = set()
    while True:
        more = {name for name, macro in macros.items() if name not in linking
                and any(_is_link(node, linking) for node in _descendants(macro, (nodes.Filter, nodes.Call)))}
        if not more:
            return linking
        linking |= more


def _links_reach_output(macro: nodes.Macro, linking: set[str]) -> bool:
    """Whether every link the macro makes reaches its output unchanged (see the module's docstring)."""
    parents: dict[int, nodes.Node] = {}
    stack: list[nodes.Node] = [macro]
    while stack:
        node = stack.pop()
        for child in node.iter_child_nodes():
            parents[id(child)] = node
            stack.append(child)
    carriers = [node for node in _descendants(macro, (nodes.Filter, nodes.Call)) if _is_link(node, linking)]
    checked: set[str] = set()
    while carriers:
        node = carriers.pop()
        carried = _carried(node, parents, macro)
        if carried is None:
            return False
        for name in carried - checked:
            checked.add(name)
            carriers += [use for use in _descendants(macro, (nodes.Name,)) if use.name == name and use.ctx == "load"]
    return True


def _carried(node: nodes.Node, parents: dict[int, nodes.Node], macro: nodes.Macro) -> set[str] | None:
    """The names a link value goes into on its way to the macro's output (each then to be checked),
    or None when it may be changed on the way."""
    parent = parents.get(id(node))
    if isinstance(parent, nodes.Output):
        return _output_reaches(parent, parents, macro)
    if isinstance(parent, nodes.Concat):
        return _carried(parent, parents, macro)
    if isinstance(parent, nodes.Filter) and parent.node is node and parent.name in _JOINING_FILTERS:
        return _carried(parent, parents, macro)
    if isinstance(parent, nodes.Keyword):
        call = parents.get(id(parent))
        if isinstance(call, nodes.Call) and isinstance(call.node, nodes.Name) and call.node.name in _MESSAGES:
            return _carried(call, parents, macro)
        return None
    if isinstance(parent, nodes.Getattr) and parent.attr == "append" and _appends(parent, parents):
        return set()  # the list the links are appended to: what it holds leaves it only through its other uses
    if (isinstance(parent, nodes.Call) and any(arg is node for arg in parent.args) and isinstance(parent.node, nodes.Getattr)
            and parent.node.attr == "append" and isinstance(parent.node.node, nodes.Name)
            and isinstance(parents.get(id(parent)), nodes.ExprStmt)):
        return {parent.node.node.name}
    return None


def _appends(method: nodes.Getattr, parents: dict[int, nodes.Node]) -> bool:
    """Whether `name.append` is called, as a statement (`{% do name.append(...) %}`)."""
    call = parents.get(id(method))
    return isinstance(call, nodes.Call) and call.node is method and isinstance(parents.get(id(call)), nodes.ExprStmt)


def _output_reaches(output: nodes.Output, parents: dict[int, nodes.Node], macro: nodes.Macro) -> set[str] | None:
    """Where printed text goes: the macro's output through plain blocks, or a `{% set name %}` block."""
    node: nodes.Node = output
    while True:
        parent = parents.get(id(node))
        if parent is macro:
            return set()
        if isinstance(parent, nodes.AssignBlock):
            if parent.filter is not None or not isinstance(parent.target, nodes.Name):
                return None
            return {parent.target.name}
        if not isinstance(parent, _PLAIN_BLOCKS) or not any(child is node for child in _block_children(parent)):
            return None
        node = parent


def _block_children(block: nodes.Node) -> list[nodes.Node]:
    """The statements of a plain block (not its condition, loop target or iterable)."""
    if isinstance(block, nodes.If):
        return [*block.body, *block.elif_, *block.else_]
    if isinstance(block, nodes.For):
        return [*block.body, *block.else_]
    return list(block.body)
