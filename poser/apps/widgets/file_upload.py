"""FileUpload: a file from the operator, size- and type-checked, kept under uploads/."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render

from poser.apps.framework.render import render_step
from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.uploads import posted_file, store_posted
from poser.models.data_extraction.uploads import recent_uploads
from poser.models.orm import Upload
from poser.tasks.uploads import UploadError, max_upload_bytes

ACCEPT = {"csv": ".csv,text/csv", "xlsx": ".xlsx"}


@dataclass
class FileUpload(Widget):
    """``on_upload(ctx, upload)`` (optional) acts on the stored file through a task and
    may return a Response (e.g. a redirect to the job it started)."""

    formats: Sequence[str] = ("csv", "xlsx")
    on_upload: Callable[[WidgetContext, Upload], Any] | None = None
    template: str = field(default="widgets/file_upload.jinja2", repr=False)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        return {
            "uploads": recent_uploads(ctx.dbsession, ctx.data_set.id),
            "accept": ",".join(ACCEPT.get(name, "") for name in self.formats),
            "max_bytes": max_upload_bytes(ctx.request.registry.settings),
            "error": None,
        }

    def actions(self) -> dict[str, WidgetAction]:
        return {"upload": WidgetAction(self.upload, permission="edit", methods=("POST",))}

    def upload(self, ctx: WidgetContext) -> Any:
        request = ctx.request
        try:
            field_storage = posted_file(request)
            upload = store_posted(request, ctx.data_set, field_storage, self.formats, "upload")
        except UploadError as error:
            return self._refused(ctx, str(error), error.status)
        request.session.flash(f"Uploaded {upload.filename} ({upload.size:,} bytes).", "success")
        if self.on_upload is not None:
            outcome = self.on_upload(ctx, upload)
            if outcome is not None:
                return outcome
        return HTTPSeeOther(location=ctx.step_url())

    def _refused(self, ctx: WidgetContext, message: str, status: int) -> Any:
        values = {"widget": self, "ctx": ctx, **self.values(ctx), "error": message}
        html = Markup(render(self.template, values, request=ctx.request))  # noqa: S704
        response = render_step(ctx.request, ctx.step, {self.name: html})
        response.status_int = status
        return response
