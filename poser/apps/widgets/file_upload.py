"""FileUpload: a file from the operator, size- and type-checked, kept under uploads/."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import deform

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.forms import (
    CSRFSchema,
    FormError,
    button,
    file_node,
    handle_form,
    make_form,
    render_form,
)
from poser.apps.site.uploads import posted_file, store_posted
from poser.models.data_extraction.uploads import recent_uploads
from poser.models.orm import Upload
from poser.tasks.uploads import UploadError, max_upload_bytes
from poser.utils.labels import file_size

ACCEPT = {"csv": ".csv,text/csv", "xlsx": ".xlsx"}


@dataclass
class FileUpload(Widget):
    """``on_upload(ctx, upload)`` (optional) acts on the stored file through a task and
    may return a Response (e.g. a redirect to the job it started)."""

    formats: Sequence[str] = ("csv", "xlsx")
    on_upload: Callable[[WidgetContext, Upload], Any] | None = None
    template: str = field(default="widgets/file_upload.jinja2", repr=False)

    def form(self, ctx: WidgetContext) -> deform.Form:
        schema = CSRFSchema()
        limit = max_upload_bytes(ctx.request.registry.settings)
        accept = ",".join(ACCEPT.get(name, "") for name in self.formats)
        schema.add(file_node(f"File (up to {file_size(limit)})", accept=accept, name="file"))
        buttons = (button("upload", "Upload"),)
        action = ctx.action_url("upload")
        return make_form(ctx.request, schema, buttons, f"upload-{self.name}", action=action)

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        form = render_form(ctx.request, self.form(ctx)) if ctx.may_edit else None
        return {"uploads": recent_uploads(ctx.dbsession, ctx.data_set.id), "form": form}

    def actions(self) -> dict[str, WidgetAction]:
        return {"upload": WidgetAction(self.upload, permission="edit", methods=("POST",))}

    def upload(self, ctx: WidgetContext) -> Any:
        request = ctx.request

        def act(values: dict[str, Any]) -> Any:
            try:
                posted = posted_file(request)
                upload = store_posted(request, ctx.data_set, posted, self.formats, "upload")
            except UploadError as error:
                raise FormError(str(error), field="file") from error
            message = f"Uploaded {upload.filename} ({file_size(upload.size)})."
            request.session.flash(message, "success")
            return self.on_upload(ctx, upload) if self.on_upload is not None else None

        return handle_form(request, self.form(ctx), act, back=ctx.step_url())
