"""Browser pages for clerks and template maintainers: Jinja shells whose small scripts call the same /api/v1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, redirect, render_template, request, send_from_directory, url_for
from werkzeug.wrappers.response import Response as BaseResponse

from service.access.requests import csrf_token, current_principal, public
from service.access.roles import Role

STATIC_DIR = Path(__file__).parent / "static"

# The static route is declared below rather than by static_folder=, so that it can say it is public: access
# control refuses any view that does not declare its roles, and the sign-in page needs its script and styles.
# It is /assets/, not /static/: the Flask app's own static route holds /static/ and would answer 404 first.
bp = Blueprint("web", __name__, template_folder="templates")

# Everything the pages load comes from this site: scripts, styles, and the page previews as blob: images.
# object-src allows blob: so a PDF opened from a blob (the stateless form's 「打开PDF打印」) shows in the viewer.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' blob: data:",
        "object-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_PUBLIC_ENDPOINTS = frozenset({"web.sign_in", "web.static"})
_DEFAULT_NEXT = "/kinds"


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.before_request
def require_sign_in() -> BaseResponse | None:
    """Every page but sign-in (and its styles and scripts) is for a signed-in user.

    The views are public to access control, which would answer 401 problem+json; a person in a browser is
    sent to the sign-in page instead. What a page may show is the API's decision: its scripts fetch every
    datum with the user's session, and the API answers 403 (shown on the page) where a role may not.
    """
    if request.endpoint in _PUBLIC_ENDPOINTS or current_principal() is not None:
        return None
    here = request.full_path if request.query_string else request.path
    return redirect(f"{url_for('web.sign_in')}?next={quote(here, safe='/')}")


@bp.after_request
def protect_page(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint == "web.static":
        # Revalidated every time (a 304 is cheap), so an upgrade's scripts are used at once: there is no build
        # step to give them hashed names.
        response.headers["Cache-Control"] = "no-cache"
    else:
        # Pages show who is signed in; a shared office computer's back button must not show the last clerk's.
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def page_context() -> dict[str, object]:
    principal = current_principal()
    return {
        "principal": principal,
        "csrf_token": csrf_token() if principal is not None else "",
        # Only decides whether the nav offers the link: the template pages' data still comes from the API, which
        # answers 403 to anyone else who types the address.
        "maintains_templates": principal is not None and principal.holds_any(frozenset({Role.MAINTAINER})),
    }


def safe_next(target: str | None) -> str:
    """A path on this site to return to after signing in; anything else (another site, //host) goes to /kinds."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return _DEFAULT_NEXT
    if any(ord(c) < 0x20 or c == "\\" for c in target):
        return _DEFAULT_NEXT
    return target


@bp.get("/assets/<path:filename>")
@public
def static(filename: str) -> Response:
    return send_from_directory(STATIC_DIR, filename)


@bp.get("/")
@public
def home() -> BaseResponse:
    return redirect(url_for("web.kinds"))


@bp.get("/sign-in")
@public
def sign_in() -> BaseResponse | str:
    target = safe_next(request.args.get("next"))
    if current_principal() is not None:
        return redirect(target)
    return render_template("sign_in.html", next_path=target)


@bp.get("/kinds")
@public
def kinds() -> str:
    return render_template("kinds.html")


@bp.get("/kinds/<name>")
@public
def kind_form(name: str) -> str:
    return render_template(
        "kind_form.html",
        kind_name=name,
        meeting_id=request.args.get("meeting", ""),
        prefill=request.args.get("example") == "1",
    )


@bp.get("/meetings")
@public
def meetings() -> str:
    return render_template("meetings.html")


@bp.get("/meetings/<meeting_id>")
@public
def meeting(meeting_id: str) -> str:
    return render_template("meeting.html", meeting_id=meeting_id)


@bp.get("/templates")
@public
def templates() -> str:
    return render_template("templates.html")


@bp.get("/templates/<kind>")
@public
def template_kind(kind: str) -> str:
    return render_template("template_kind.html", kind_name=kind)
