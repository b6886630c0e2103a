"""The PIM's catalog screen for a person: enable an App's catalog and choose its product selection. Apps send
the person to /connect/apps/v1/catalogs/{id}, as they do on a real PIM."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from pim_emulator.app_catalogs import Selection
from pim_emulator.structure import CATEGORIES, FAMILIES
from pim_emulator.views.common import app_catalogs, products

bp = Blueprint("catalog_screen", __name__)


@bp.get("/connect/apps/v1/catalogs/<catalog_id>")
def show(catalog_id: str) -> tuple[str, int]:
    catalog = app_catalogs().get(catalog_id)
    if catalog is None:
        return render_template(
            "catalog.html", catalog=None, message=f'Catalog "{catalog_id}" does not exist.'
        ), 404
    selected = sum(1 for product in products().all("uuid") if catalog.selection.matches(product))
    return render_template(
        "catalog.html",
        catalog=catalog,
        families=[(family.code, family.noun_en.capitalize()) for family in FAMILIES],
        categories=[(c["code"], c["labels"]["en_US"]) for c in CATEGORIES if c["parent"] is not None],
        selected_count=selected,
    ), 200


@bp.post("/connect/apps/v1/catalogs/<catalog_id>")
def save(catalog_id: str) -> Response:
    catalog = app_catalogs().get(catalog_id)
    if catalog is None:
        return redirect(url_for("app_store.app_store"), 303)
    form = request.form
    known_families = {family.code for family in FAMILIES}
    known_categories = {category["code"] for category in CATEGORIES}
    selection = Selection(
        enabled_only=form.get("enabled_only") == "1",
        families=[code for code in form.getlist("families") if code in known_families],
        categories=[code for code in form.getlist("categories") if code in known_categories],
    )
    app_catalogs().configure(catalog, enabled=form.get("enabled") == "1", selection=selection)
    flash(f"Catalog “{catalog.name}” saved: {'enabled' if catalog.enabled else 'disabled'}.")
    return redirect(url_for("catalog_screen.show", catalog_id=catalog.id), 303)
