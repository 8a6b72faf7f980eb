"""What the audit trail records about staff, and why: a plain page anyone
can read (linked from every member page's footer), as the municipality must
tell its staff about such logging before it happens to them."""

from __future__ import annotations

from flask import render_template

from . import bp


@bp.get("/om-logning")
def audit_info():
    return render_template("privacy/audit_info.html")
