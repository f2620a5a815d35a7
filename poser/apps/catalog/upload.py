"""The Upload step's form: the vendor whose catalog it is, chosen here (the Options
step's vendor comes first in the list), and the file. What an upload makes is decided
by `poser.tasks.batches.catalog.upload`; this module only reads the form and says what
happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import colander
import deform

from poser.apps.framework.widget import WidgetAction, WidgetContext
from poser.apps.gui.batches import forget_opened
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
from poser.apps.widgets.file_upload import ACCEPT, FileUpload
from poser.models.data_extraction.batch_list import newest_batch
from poser.models.data_extraction.batches import vendor_code_choices
from poser.models.data_extraction.uploads import recent_uploads
from poser.tasks.batches import BatchError
from poser.tasks.batches.catalog.upload import (
    catalog_parameters,
    make_catalog_batch,
    same_file_message,
)
from poser.tasks.steps import touch_inputs
from poser.tasks.uploads import UploadError, max_upload_bytes

#: The input the Apply step depends on: a new batch makes it out of date.
BATCH_INPUT = "catalog_batch"


@dataclass
class CatalogUpload(FileUpload):
    """A catalog file and its vendor. ``options(ctx)`` gives the Options step's values
    (effective date, new items, tolerance, and the vendor offered first; without one,
    the last upload's vendor is)."""

    options: Any = None
    template: str = field(default="widgets/file_upload.jinja2", repr=False)

    def form(self, ctx: WidgetContext) -> deform.Form:
        choices = vendor_code_choices(ctx.dbsession, ctx.data_set.id)
        schema = CSRFSchema()
        schema.add(
            colander.SchemaNode(
                colander.String(),
                name="vendor",
                title="Vendor",
                description="Whose catalog it is: its costs are compared with this vendor's.",
                widget=deform.widget.SelectWidget(values=[("", "Choose the vendor"), *choices]),
                validator=colander.OneOf(
                    [code for code, _ in choices], msg_err="Choose one of the vendors listed."
                ),
                missing_msg="Choose the vendor whose catalog this is.",
            )
        )
        limit = max_upload_bytes(ctx.request.registry.settings)
        accept = ",".join(ACCEPT.get(name, "") for name in self.formats)
        schema.add(file_node(f"File (up to {limit:,} bytes)", accept=accept, name="file"))
        return make_form(
            ctx.request,
            schema,
            (button("upload", "Upload"),),
            f"upload-{self.name}",
            action=ctx.action_url("upload"),
        )

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        # The usual vendor of the Options step, else the vendor of the last upload.
        vendor = (self.options(ctx) if self.options else {}).get("catalog_vendor") or ""
        if not vendor:
            last = newest_batch(ctx.dbsession, ctx.data_set.id, "catalog")
            vendor = (last.parameters or {}).get("vendor_code", "") if last else ""
        form = (
            render_form(ctx.request, self.form(ctx), {"vendor": vendor}) if ctx.may_edit else None
        )
        return {"uploads": recent_uploads(ctx.dbsession, ctx.data_set.id), "form": form}

    def actions(self) -> dict[str, WidgetAction]:
        return {"upload": WidgetAction(self.upload, permission="edit", methods=("POST",))}

    def upload(self, ctx: WidgetContext) -> Any:
        request = ctx.request
        options = self.options(ctx) if self.options else {}

        def act(values: dict[str, Any]) -> str:
            try:
                parameters = catalog_parameters(
                    ctx.data_set,
                    vendor_code=values["vendor"],
                    tolerance=options.get("catalog_tolerance", "10"),
                    new_items=options.get("catalog_new_items") or "skip",
                    effective_date=options.get("catalog_effective_date"),
                )
            except BatchError as error:
                raise FormError(str(error), field="vendor") from error
            try:
                upload = store_posted(
                    request, ctx.data_set, posted_file(request), self.formats, "upload"
                )
            except UploadError as error:
                raise FormError(str(error), field="file") from error
            try:
                made = make_catalog_batch(
                    ctx.data_set,
                    request.find_service(name="files"),
                    upload,
                    parameters,
                    request.identity,
                    request.find_service(name="jobs"),
                )
            except BatchError as error:
                raise FormError(str(error)) from error
            request.session.flash(
                f"Uploaded {upload.filename} ({upload.size:,} bytes) as batch #{made.batch.id}.",
                "success",
            )
            warning = same_file_message(made)
            if warning:
                request.session.flash(warning, "warning")
            forget_opened(ctx, "catalog")  # the steps show the new batch
            touch_inputs(ctx.data_set, [BATCH_INPUT])
            return request.route_path(
                "app_step", app=ctx.application.url_name, data_set_id=ctx.data_set.id, step="review"
            )

        return handle_form(request, self.form(ctx), act, back=ctx.step_url())
