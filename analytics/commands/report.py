"""``python -m analytics report``: reports that leave the dashboard.

- ``report monthly``: the executive monthly review, as one self-contained HTML file or a PDF;
- ``report scorecards``: a month's team & agent scorecards (the appraisal meeting's print);
- ``report send``: either of them by e-mail, through the SMTP server of the secrets / environment.

``--month last`` is the calendar month before today, so a cron line on the 1st sends the
month that just ended (README, "Monthly e-mail")::

    0 7 1 * *  cd /srv/callcenter && python -m analytics report send --dataset data/prod --month last \\
               --format pdf --to directors@example.com
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path


def _common(p, out: bool) -> None:
    from analytics.commands._user_scope import add_user_argument

    p.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    p.add_argument("--month", required=True, help="month YYYY-MM, or 'last' for the previous calendar month")
    if out:
        p.add_argument("--out", required=True, type=Path, help="file to write")
    p.add_argument(
        "--format",
        choices=("html", "pdf"),
        default="html",
        help="html (self-contained, default) or pdf (printed with headless Chromium)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report (default zh)")
    p.add_argument("--center", action="append", default=[], help="only this center (repeatable)")
    add_user_argument(p)


def register(sub) -> None:
    p = sub.add_parser(
        "report", help="reports to send: the monthly review, a team's scorecards; as HTML, PDF or e-mail"
    )
    kinds = p.add_subparsers(dest="report_kind", required=True)
    mp = kinds.add_parser("monthly", help="the executive monthly review of one month")
    _common(mp, out=True)
    mp.set_defaults(func=run, what="monthly")
    sp = kinds.add_parser("scorecards", help="the team & agent scorecards of one month (for the appraisal meeting)")
    _common(sp, out=True)
    sp.add_argument("--team", action="append", default=[], help="only this team (repeatable)")
    sp.set_defaults(func=run, what="scorecards")
    se = kinds.add_parser("send", help="e-mail the monthly review (or --what scorecards) as an attachment")
    _common(se, out=False)
    se.add_argument("--to", action="append", required=True, help="recipient address (repeatable)")
    se.add_argument(
        "--what", choices=("monthly", "scorecards"), default="monthly", help="which report (default monthly)"
    )
    se.add_argument("--team", action="append", default=[], help="scorecards: only this team (repeatable)")
    se.set_defaults(func=run_send)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


class _Refused(Exception):
    """A mistake or refusal, reported in one line with exit 2."""


def _scope(args):
    from analytics.access import Scope
    from analytics.commands._user_scope import scope_for

    # The monthly review is aggregates only, whoever asks; with --user it covers that
    # user's centers (queue figures have no team, so a team leader's team limit is lifted).
    if getattr(args, "user", None):
        scope = scope_for(args, args.dataset)
        return scope.queue_level().aggregates_only() if args.what == "monthly" else scope
    return Scope.everything().aggregates_only() if args.what == "monthly" else Scope.everything()


def build(args) -> tuple[str, date, str]:
    """(HTML, month, file stem) of the report ``args`` ask for; raises _Refused."""
    from analytics import complaints, lake, report, scorecard
    from analytics import metrics as m
    from analytics.commands._month import resolve_month

    try:
        month = resolve_month(args.month)
    except ValueError as e:
        raise _Refused(str(e)) from None
    if not lake.has_dataset(args.dataset):
        raise _Refused(
            f"{args.dataset} holds no calls; generate the demo with "
            f"`python -m analytics demo --out {args.dataset}` or import calls first"
        )
    try:
        scope = _scope(args)
        lk = lake.open_lake(args.dataset)
        if args.what == "monthly":
            review = report.build_review(
                lk,
                month,
                scope,
                tuple(args.center),
                m.load_settings(args.dataset),
                complaints.load_settings(args.dataset),
            )
            if not review.has_data:
                months = lk.months("calls")
                latest = f"; the latest month with calls is {months[-1]}" if months else ""
                raise _Refused(f"{args.dataset} has no calls in {month:%Y-%m}{latest}")
            return report.render_html(review, args.lang), month, f"monthly-review-{month:%Y-%m}"
        teams = tuple(args.team)
        cards = scorecard.scorecards(lk, month, scope, teams)
        if args.center:
            cards = cards[cards["center"].isin(args.center)]
        if cards.empty:
            raise _Refused(f"no agents with appraisal data in {month:%Y-%m} within the scope asked for")
        weights = scorecard.weights_for(scorecard.load_weights(args.dataset), "csr")
        from i18n import translate

        teams_text = ", ".join(sorted(cards["team"].dropna().unique())) or translate("sc.all_teams", args.lang)
        html = scorecard.render_html(cards, month, teams_text, weights, args.lang)
        return html, month, f"scorecards-{month:%Y-%m}"
    except (ValueError, PermissionError) as e:
        raise _Refused(str(e)) from None


def _render(html: str, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and MIME type in ``fmt``; raises _Refused without Chromium."""
    from analytics import delivery

    if fmt == "html":
        return html.encode("utf-8"), "text/html"
    try:
        return delivery.html_to_pdf(html), "application/pdf"
    except (delivery.NoChromium, delivery.DeliveryError) as e:
        raise _Refused(str(e)) from None


def _record(args, what: str, **details) -> None:
    """Every report made or sent from the command line is on record."""
    from analytics import audit

    audit.record(
        args.dataset,
        "report",
        what,
        user=getattr(args, "user", None) or "command line",
        centers=list(args.center) or None,
        **details,
    )


def run(args) -> int:
    if not args.out.parent.is_dir():
        return _fail(f"the folder of --out ({args.out.parent}) does not exist")
    try:
        html, month, _ = build(args)
        data, _ = _render(html, args.format)
    except _Refused as e:
        return _fail(str(e))
    args.out.write_bytes(data)
    what = "monthly review" if args.what == "monthly" else "scorecards"
    _record(args, f"{what} {month:%Y-%m}", out=str(args.out))
    print(f"{what} of {month:%Y-%m} written to {args.out} ({args.format})")
    return 0


def run_send(args) -> int:
    from analytics import delivery
    from i18n import translate

    try:
        settings = delivery.smtp_settings()
        html, month, stem = build(args)
        data, mime = _render(html, args.format)
    except ValueError as e:
        return _fail(str(e))
    except _Refused as e:
        return _fail(str(e))
    m = f"{month:%Y-%m}"
    subject = translate(f"delivery.subject.{args.what}", args.lang, month=m)
    body = translate(f"delivery.body.{args.what}", args.lang, month=m, fmt=args.format.upper())
    try:
        delivery.send_mail(settings, args.to, subject, body, [(f"{stem}.{args.format}", data, mime)])
    except (ValueError, delivery.DeliveryError) as e:
        return _fail(str(e))
    _record(args, f"{stem}.{args.format} sent", to=list(args.to))
    print(f"{stem}.{args.format} sent to {', '.join(args.to)}")
    return 0
