"""The Upload step's form: the vendor whose catalog it is, chosen here (the Options
step's vendor comes first in the list), and the file. The form and what follows an
upload are the shared `BatchUpload`'s; what an upload makes is decided by
`poser.tasks.batches.catalog.upload`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import colander
import deform

from poser.apps.framework.widget import WidgetContext
from poser.apps.gui.batch_upload import BatchUpload
from poser.apps.site.forms import FormError
from poser.models.data_extraction.batch_list import newest_batch
from poser.models.data_extraction.batches import vendor_code_choices
from poser.models.orm import Batch, Upload
from poser.tasks.batches import BatchError
from poser.tasks.batches.catalog.upload import (
    catalog_parameters,
    make_catalog_batch,
    same_file_message,
)


@dataclass
class CatalogUpload(BatchUpload):
    """A catalog file and its vendor. ``options(ctx)`` gives the Options step's values
    (effective date, new items, tolerance, and the vendor offered first; without one,
    the last upload's vendor is)."""

    batch_type: str = "catalog"
    template: str = field(default="widgets/file_upload.jinja2", repr=False)

    def fields(self, ctx: WidgetContext) -> list[colander.SchemaNode]:
        choices = vendor_code_choices(ctx.dbsession, ctx.data_set.id)
        return [
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
        ]

    def defaults(self, ctx: WidgetContext) -> dict[str, Any]:
        # The usual vendor of the Options step, else the vendor of the last upload.
        vendor = self.option_values(ctx).get("catalog_vendor") or ""
        if not vendor:
            last = newest_batch(ctx.dbsession, ctx.data_set.id, "catalog")
            vendor = (last.parameters or {}).get("vendor_code", "") if last else ""
        return {"vendor": vendor}

    def batch_parameters(self, ctx: WidgetContext, values: dict[str, Any]) -> dict[str, Any]:
        options = self.option_values(ctx)
        try:
            return catalog_parameters(
                ctx.data_set,
                vendor_code=values["vendor"],
                tolerance=options.get("catalog_tolerance", "10"),
                new_items=options.get("catalog_new_items") or "skip",
                effective_date=options.get("catalog_effective_date"),
            )
        except BatchError as error:
            raise FormError(str(error), field="vendor") from error

    def make(
        self, ctx: WidgetContext, upload: Upload, parameters: dict[str, Any]
    ) -> tuple[Batch, str | None]:
        request = ctx.request
        made = make_catalog_batch(
            ctx.data_set,
            request.find_service(name="files"),
            upload,
            parameters,
            request.identity,
            request.find_service(name="jobs"),
        )
        return made.batch, same_file_message(made)
