"""BatchUpload: the Upload step's form of any batch type. The file (size- and
type-checked, kept under uploads/) becomes a new batch of the type, whose reading is
queued; the steps then show it, from the Review step.

A type asks more than the file by overriding the hooks: ``fields`` (its form's own
fields), ``defaults`` (their values when the form is shown), ``batch_parameters`` (the
batch's parameters from the form and the Options step, checked before the file is
kept) and ``make`` (the batch, and a warning to show, if any). By default the batch's
parameters are the Options step's values, and `start_batch` makes it.

`AddingUpload` is the form of a type whose batch takes several files (a count of
several scanners): the first upload makes the batch, each later one goes into it while
it is open, and the whole batch is read again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import colander
import deform

from poser.apps.framework.widget import WidgetAction, WidgetContext
from poser.apps.gui.batches import current_batch, forget_opened
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
from poser.models.data_extraction.uploads import recent_uploads
from poser.models.orm import Batch, Upload
from poser.tasks import jobs
from poser.tasks.batches import BatchError
from poser.tasks.batches.jobs import populate, start_batch
from poser.tasks.uploads import UploadError, max_upload_bytes
from poser.utils.labels import file_size


def _stored(value: Any) -> Any:
    """An option's value as a batch's parameters (JSON) keep it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class BatchUpload(FileUpload):
    """A file of ``batch_type``. ``options(ctx)`` gives the Options step's values (an
    empty dict without an Options step); after the upload the steps go to
    ``review_step``."""

    batch_type: str = ""
    options: Callable[[WidgetContext], dict[str, Any]] | None = None
    review_step: str = "review"
    formats: Sequence[str] = ("csv", "xlsx")
    #: The file input's ``accept`` (what the browser offers to choose); by default the
    #: formats'.
    accept: str = ""
    template: str = field(default="widgets/file_upload.jinja2", repr=False)

    # -- what a type changes -------------------------------------------------------------

    def fields(self, ctx: WidgetContext) -> list[colander.SchemaNode]:
        """The form's fields besides the file."""
        return []

    def defaults(self, ctx: WidgetContext) -> dict[str, Any]:
        """The values the form shows first."""
        return {}

    def batch_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        """The new batch's parameters; a FormError (or BatchError) refuses the upload
        before its file is kept."""
        return {name: _stored(value) for name, value in self.option_values(ctx).items()}

    def make(
        self, ctx: WidgetContext, upload: Upload, parameters: dict[str, Any]
    ) -> tuple[Batch, str | None]:
        """The batch made of the upload (its reading queued), and a warning, if any."""
        request = ctx.request
        batch = start_batch(
            ctx.data_set,
            request.find_service(name="files"),
            request.find_service(name="jobs"),
            self.batch_type,
            upload=upload,
            parameters=parameters,
            user=request.identity,
        )
        return batch, None

    # -- the form -----------------------------------------------------------------------

    def option_values(self, ctx: WidgetContext) -> dict[str, Any]:
        return self.options(ctx) if self.options else {}

    def form(self, ctx: WidgetContext) -> deform.Form:
        schema = CSRFSchema()
        for node in self.fields(ctx):
            schema.add(node)
        limit = max_upload_bytes(ctx.request.registry.settings)
        accept = self.accept or ",".join(ACCEPT.get(name, "") for name in self.formats)
        schema.add(file_node(f"File (up to {file_size(limit)})", accept=accept, name="file"))
        return make_form(
            ctx.request,
            schema,
            (button("upload", "Upload"),),
            f"upload-{self.name}",
            action=ctx.action_url("upload"),
        )

    def values(self, ctx: WidgetContext) -> dict[str, Any]:
        form = (
            render_form(ctx.request, self.form(ctx), self.defaults(ctx) or colander.null)
            if ctx.may_edit
            else None
        )
        return {"uploads": recent_uploads(ctx.dbsession, ctx.data_set.id), "form": form}

    def actions(self) -> dict[str, WidgetAction]:
        return {"upload": WidgetAction(self.upload, permission="edit", methods=("POST",))}

    def uploaded(self, ctx: WidgetContext, said: str, warning: str | None, made: bool) -> str:
        """After an upload: say so (and the warning), show a new batch on the steps; the
        address of ``review_step``."""
        ctx.request.session.flash(said, "success")
        if warning:
            ctx.request.session.flash(warning, "warning")
        if made:
            forget_opened(ctx, self.batch_type)  # the steps show the new batch
        return ctx.request.route_path(
            "app_step",
            app=ctx.application.url_name,
            data_set_id=ctx.data_set.id,
            step=self.review_step,
        )

    def upload(self, ctx: WidgetContext) -> Any:
        request = ctx.request

        def act(values: dict[str, Any]) -> str:
            try:
                parameters = self.batch_parameters(ctx, values)
            except BatchError as error:
                raise FormError(str(error)) from error
            try:
                upload = store_posted(
                    request, ctx.data_set, posted_file(request), self.formats, "upload"
                )
            except UploadError as error:
                raise FormError(str(error), field="file") from error
            try:
                batch, warning = self.make(ctx, upload, parameters)
            except BatchError as error:
                raise FormError(str(error)) from error
            said = f"Uploaded {upload.filename} ({file_size(upload.size)}) as batch #{batch.id}."
            return self.uploaded(ctx, said, warning, made=True)

        return handle_form(request, self.form(ctx), act, back=ctx.step_url())


@dataclass
class AddingUpload(BatchUpload):
    """The files of a batch that takes several: the first upload makes the batch (its
    parameters from ``batch_parameters``), each later one goes into the batch the steps
    show while ``is_open`` says it takes files, and the batch is read again, all of it.
    A type gives ``is_open``, ``new_batch`` (an empty batch) and ``add`` (the upload
    into the batch; a warning to show, if any). After an upload the steps show
    ``review_step`` (this step, for more files)."""

    def is_open(self, batch: Batch) -> bool:
        """Whether ``batch`` still takes files."""
        raise NotImplementedError

    def new_batch(self, ctx: WidgetContext, parameters: dict[str, Any]) -> Batch:
        """A new, empty batch of the type with these parameters."""
        raise NotImplementedError

    def add(
        self, ctx: WidgetContext, batch: Batch, upload: Upload, values: dict[str, Any]
    ) -> str | None:
        """Put the upload into ``batch`` (BatchError refuses it); a warning, if any."""
        raise NotImplementedError

    def open_batch(self, ctx: WidgetContext) -> Batch | None:
        """The batch an upload goes into now; None: the upload makes one."""
        batch = current_batch(ctx, self.batch_type)
        return batch if batch is not None and self.is_open(batch) else None

    def upload(self, ctx: WidgetContext) -> Any:
        request = ctx.request

        def act(values: dict[str, Any]) -> str:
            batch = self.open_batch(ctx)
            try:
                parameters = self.batch_parameters(ctx, values) if batch is None else {}
                upload = store_posted(
                    request, ctx.data_set, posted_file(request), self.formats, "upload"
                )
            except UploadError as error:
                raise FormError(str(error), field="file") from error
            except BatchError as error:
                raise FormError(str(error)) from error
            try:
                made = batch is None
                batch = self.new_batch(ctx, parameters) if batch is None else batch
                warning = self.add(ctx, batch, upload, values)
            except BatchError as error:
                raise FormError(str(error), field="file") from error
            jobs.submit(
                ctx.dbsession,
                request.find_service(name="jobs"),
                populate,
                data_set=ctx.data_set,
                user=request.identity,
                parameters={"batch_id": batch.id},
            )
            size = file_size(upload.size)
            said = (
                f"Uploaded {upload.filename} ({size}) as batch #{batch.id}."
                if made
                else f"Added {upload.filename} ({size}) to batch #{batch.id}: it is read again."
            )
            return self.uploaded(ctx, said, warning, made=made)

        return handle_form(request, self.form(ctx), act, back=ctx.step_url())
