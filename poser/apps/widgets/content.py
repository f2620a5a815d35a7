"""Content widgets: HTML or Markdown text, and a download link to a stored file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from pyramid.httpexceptions import HTTPNotFound

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.downloads import download_response

# "js-default" escapes raw HTML in the source: Markdown can never inject markup.
_markdown = MarkdownIt("js-default")


@dataclass
class Html(Widget):
    """Text for the operator: ``markdown`` (rendered safely) or plain ``text``.

    Either may be a callable of the context, for text that depends on the data set.
    """

    markdown: str | Callable[[WidgetContext], str] = ""
    text: str | Callable[[WidgetContext], str] = ""

    def render(self, ctx: WidgetContext) -> Markup:
        source = self.markdown(ctx) if callable(self.markdown) else self.markdown
        if source:
            return Markup(f'<div class="widget-markdown">{_markdown.render(source)}</div>')  # noqa: S704
        plain = self.text(ctx) if callable(self.text) else self.text
        return Markup("<p>{}</p>").format(escape(plain))


@dataclass
class Download(Widget):
    """A link to a stored file; ``file(ctx)`` gives (storage key, filename) or None."""

    file: Callable[[WidgetContext], tuple[str, str] | None] | None = None
    label: str = "Download"
    template: str = field(default="widgets/download.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        return {"found": self.file(ctx) if self.file else None}

    def actions(self) -> dict[str, WidgetAction]:
        return {"file": WidgetAction(self.send)}

    def send(self, ctx: WidgetContext) -> Any:
        found = self.file(ctx) if self.file else None
        if found is None:
            raise HTTPNotFound()
        key, filename = found
        return download_response(ctx.request, ctx.request.find_service(name="files"), key, filename)
