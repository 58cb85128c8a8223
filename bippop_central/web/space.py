"""The volunteer space: sign-in by a one-time link sent by e-mail, the coming visits,
the calendar feed, "déclarer mes heures" and "je suis absent du … au …".

The e-mailed link opens a page with a button (a POST spends the link): a mail scanner
that follows links cannot spend it, and the session cookie (HttpOnly, SameSite=Strict,
Secure) is set by a same-site answer. Only validated volunteers get a link; the page
says the same thing whether or not the address is known.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bippop_central.web import catalogue, checks, ics, mail, security, space_data
from bippop_central.web.catalogue import Commune
from bippop_central.web.forms import FormValues
from bippop_central.web.render import Web, log, message, not_found, page, with_csrf
from bippop_central.web.space_data import Volunteer

SENT = (
    "Si cette adresse est celle d'un bénévole validé par la mairie, un lien de connexion "
    "vient de lui être envoyé. Il est valable 30 minutes et ne sert qu'une fois."
)


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    base = "/communes/{insee}/espace"

    def signed_in(request: Request, commune: Commune) -> Volunteer | None:
        session = request.cookies.get(security.SESSION_COOKIE, "")
        return space_data.session_volunteer(web.engine, commune.id, session)

    @routes.get(base + "/")
    def home(request: Request, insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        person = signed_in(request, commune)
        if person is None:
            return with_csrf(web, request, "signin", lambda token: page(
                "space/signin.html", commune, title="Espace bénévole", page="space",
                token=token))  # fmt: skip
        return with_csrf(web, request, "space", lambda token: _dashboard(commune, person, token))

    def _dashboard(commune: Commune, person: Volunteer, token: str, feed: str = "") -> Response:
        now = checks.today()
        visits = space_data.visits(web.engine, commune.id, person.record_id)
        return page(
            "space/home.html", commune, title="Mes missions", page="space", token=token,
            person=person, coming=[v for v in visits if v.starts_at.date() >= now],
            past=[v for v in visits if v.starts_at.date() <= now],
            absences=space_data.absences(web.engine, commune.id, person.record_id),
            has_feed=space_data.has_feed(web.engine, person.record_id), feed=feed,
        )  # fmt: skip

    async def form(request: Request) -> FormValues:
        items = (await request.form(max_files=0, max_fields=50)).multi_items()
        return FormValues([(k, v) for k, v in items if isinstance(v, str)])

    def guarded(
        request: Request,
        insee: str,
        purpose: str,
        values: FormValues,
        limits: tuple[str, ...],
        work: Callable[[Commune], Response],
    ) -> Response:
        """Origin, rate limits and the signed token, then `work`."""
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        back = f"/communes/{insee}/espace/"
        try:
            security.check_origin(request, web.config)
            limited = web.limit(request, commune, *limits)
            if limited is not None:
                return limited
            cookie = request.cookies.get(security.CSRF_COOKIE, "")
            security.check_form_token(web.key, cookie, purpose, values.get("csrf"), 0)
        except security.FormRefused as refused:
            return message(commune, 403, "Envoi refusé", str(refused), back=back,
                           back_label="Revenir à l'espace bénévole")  # fmt: skip
        return work(commune)

    @routes.post(base + "/connexion")
    async def ask_link(request: Request, insee: str) -> Response:
        values = await form(request)
        return await run_in_threadpool(
            guarded,
            request,
            insee,
            "signin",
            values,
            ("mail",),
            lambda commune: _send_link(request, commune, values),
        )

    def _send_link(request: Request, commune: Commune, values: FormValues) -> Response:
        address = values.get("email").strip().lower()[:200]
        per_address = web.limit(request, commune, extra=[
            (f"mailto:{space_data.digest(address)}", web.config.limits["mail"])])  # fmt: skip
        if per_address is not None:
            return per_address
        person = space_data.validated_volunteer(web.engine, commune.id, address)
        if person is not None:
            token = space_data.new_link(web.engine, commune.id, person.record_id)
            origin = security.own_origin(request, web.config)
            link = f"{origin}/communes/{commune.insee}/espace/lien/{token}"
            body = (
                f"Bonjour {person.first_name},\n\nPour ouvrir votre espace bénévole Bip Pop "
                f"({commune.name}), suivez ce lien dans les 30 minutes :\n\n{link}\n\n"
                "Ce lien ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message.\n\n"
                f"{commune.service}\n"
            )
            try:
                mail.send(web.config.smtp, person.email, "Votre lien de connexion Bip Pop", body)
            except mail.MailFailed as error:
                log.warning("sign-in mail to a volunteer of %s failed: %s", commune.insee, error)
                return message(commune, 503, "Envoi impossible pour le moment",
                               "Le courriel n'a pas pu partir : réessayez dans quelques minutes.",
                               back=f"/communes/{commune.insee}/espace/")  # fmt: skip
        return message(
            commune,
            200,
            "Vérifiez votre messagerie",
            SENT,
            back=f"/communes/{commune.insee}/",
            back_label="Retour à l'accueil",
        )

    @routes.get(base + "/lien/{token}")
    def open_link(request: Request, insee: str, token: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        if not space_data.link_is_open(web.engine, commune.id, token[:100]):
            return _dead_link(commune)
        return with_csrf(web, request, "link", lambda csrf: page(
            "space/link.html", commune, title="Connexion", page="space", token=csrf,
            link=token[:100]))  # fmt: skip

    def _dead_link(commune: Commune) -> Response:
        return message(commune, 410, "Ce lien ne fonctionne plus",
                       "Il a déjà servi ou il a expiré (30 minutes). Demandez-en un nouveau.",
                       back=f"/communes/{commune.insee}/espace/",
                       back_label="Demander un nouveau lien")  # fmt: skip

    @routes.post(base + "/lien/{token}")
    async def spend_link(request: Request, insee: str, token: str) -> Response:
        values = await form(request)

        def work(commune: Commune) -> Response:
            session = space_data.spend_link(web.engine, commune.id, token[:100])
            if session is None:
                return _dead_link(commune)
            response = RedirectResponse(f"/communes/{insee}/espace/", status_code=303)
            security.set_cookie(response, request, web.config, security.SESSION_COOKIE, session,
                                space_data.SESSION_HOURS * 3600)  # fmt: skip
            return response

        return await run_in_threadpool(guarded, request, insee, "link", values, ("space",), work)

    def in_space(request: Request, insee: str, values: FormValues,
                 work: Callable[[Commune, Volunteer], Response]) -> Response:  # fmt: skip
        def checked(commune: Commune) -> Response:
            person = signed_in(request, commune)
            if person is None:
                return RedirectResponse(f"/communes/{insee}/espace/", status_code=303)
            return work(commune, person)

        return guarded(request, insee, "space", values, ("space",), checked)

    @routes.post(base + "/deconnexion")
    async def sign_out(request: Request, insee: str) -> Response:
        values = await form(request)

        def work(commune: Commune, _person: Volunteer) -> Response:
            space_data.end_session(web.engine, request.cookies.get(security.SESSION_COOKIE, ""))
            response = message(commune, 200, "Vous êtes déconnecté",
                               "À bientôt !", back=f"/communes/{insee}/")  # fmt: skip
            response.delete_cookie(security.SESSION_COOKIE, path="/")
            return response

        return await run_in_threadpool(in_space, request, insee, values, work)

    @routes.post(base + "/agenda")
    async def make_feed(request: Request, insee: str) -> Response:
        values = await form(request)

        def work(commune: Commune, person: Volunteer) -> Response:
            token = space_data.new_feed(web.engine, commune.id, person.record_id)
            feed = f"{security.own_origin(request, web.config)}/communes/{insee}/agenda/{token}.ics"
            return with_csrf(web, request, "space",
                             lambda csrf: _dashboard(commune, person, csrf, feed))  # fmt: skip

        return await run_in_threadpool(in_space, request, insee, values, work)

    @routes.get("/communes/{insee}/agenda/{token}.ics")
    def calendar(insee: str, token: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        person = space_data.feed_volunteer(web.engine, commune.id, token[:100]) if commune else None
        if commune is None or person is None:
            return Response("Agenda inconnu ou renouvelé.\n", status_code=404,
                            media_type="text/plain; charset=utf-8")  # fmt: skip
        visits = space_data.visits(web.engine, commune.id, person.record_id)
        return Response(ics.feed(commune.name, commune.service, visits),
                        media_type="text/calendar; charset=utf-8")  # fmt: skip

    _declare_routes(routes, web, base, signed_in, in_space, form)
    return routes


def _declare_routes(
    routes: APIRouter,
    web: Web,
    base: str,
    signed_in: Callable[..., Volunteer | None],
    in_space: Callable[..., Response],
    form: Callable[..., object],
) -> None:
    def visit_of(commune: Commune, person: Volunteer, mission_id: str) -> space_data.Visit | None:
        today = checks.today()
        return next((v for v in space_data.visits(web.engine, commune.id, person.record_id)
                     if v.mission_id == mission_id and v.starts_at.date() <= today
                     and not v.declared), None)  # fmt: skip

    def hours_page(commune: Commune, visit: space_data.Visit, token: str,
                   values: dict[str, str] | None = None,
                   errors: dict[str, str] | None = None) -> Response:  # fmt: skip
        errors = errors or {}
        shown = values or {"minutes": str(visit.planned_minutes), "mileage_km": "0"}
        return page("space/hours.html", commune, status=422 if errors else 200,
                    title="Déclarer mes heures", page="space", token=token, visit=visit,
                    values=shown, errors=errors, errors_list=list(errors.items()))  # fmt: skip

    @routes.get(base + "/heures/{mission_id}")
    def hours_form(request: Request, insee: str, mission_id: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        person = signed_in(request, commune)
        if person is None:
            return RedirectResponse(f"/communes/{insee}/espace/", status_code=303)
        visit = visit_of(commune, person, mission_id[:36])
        if visit is None:
            return message(commune, 404, "Mission introuvable",
                           "Cette mission n'est pas à déclarer (déjà déclarée, à venir ou "
                           "d'un autre bénévole).", back=f"/communes/{insee}/espace/")  # fmt: skip
        return with_csrf(web, request, "space", lambda token: hours_page(commune, visit, token))

    @routes.post(base + "/heures/{mission_id}")
    async def hours_send(request: Request, insee: str, mission_id: str) -> Response:
        values = await form(request)  # type: ignore[misc]

        def work(commune: Commune, person: Volunteer) -> Response:
            visit = visit_of(commune, person, mission_id[:36])
            if visit is None:
                return RedirectResponse(f"/communes/{insee}/espace/", status_code=303)
            errors = checks.Errors()
            typed = values.get("minutes").strip()
            minutes = int(typed) if typed.isdigit() and len(typed) < 6 else 0
            if not 1 <= minutes <= 12 * 60:
                errors.add("minutes", "Indiquez la durée en minutes, de 1 à 720 (exemple : 90).")
            km = values.get("mileage_km").strip().replace(",", ".") or "0"
            try:
                if not 0 <= float(km) <= 2000 or len(km) > 8:
                    raise ValueError
                km = f"{float(km):.1f}"
            except ValueError:
                errors.add("mileage_km", "Le kilométrage va de 0 à 2 000 km (exemple : 12,5).")
            note = checks.text("hours_entry", "note", values.get("note"), errors, multiline=True)
            if errors:
                return with_csrf(web, request, "space", lambda token: hours_page(
                    commune, visit, token, values.as_dict(), errors))  # fmt: skip
            space_data.declare_hours(web.engine, commune.id, person.record_id, visit, minutes,
                                     km, note)  # fmt: skip
            return message(commune, 200, "Heures déclarées",
                           "Merci ! La mairie vérifie votre déclaration avant de compter ces "
                           "heures.", back=f"/communes/{insee}/espace/",
                           back_label="Retour à mes missions")  # fmt: skip

        return await run_in_threadpool(in_space, request, insee, values, work)

    def absence_page(commune: Commune, token: str, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None) -> Response:  # fmt: skip
        errors = errors or {}
        return page(
            "space/absence.html",
            commune,
            status=422 if errors else 200,
            title="Signaler une absence",
            page="space",
            token=token,
            values=values or {},
            errors=errors,
            errors_list=list(errors.items()),
        )

    @routes.get(base + "/absence")
    def absence_form(request: Request, insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        if signed_in(request, commune) is None:
            return RedirectResponse(f"/communes/{insee}/espace/", status_code=303)
        return with_csrf(web, request, "space", lambda token: absence_page(commune, token))

    @routes.post(base + "/absence")
    async def absence_send(request: Request, insee: str) -> Response:
        values = await form(request)  # type: ignore[misc]

        def work(commune: Commune, person: Volunteer) -> Response:
            errors = checks.Errors()
            start = checks.date(
                values.get("start_date"),
                errors,
                "start_date",
                label="le premier jour d'absence",
                required=True,
                future=True,
            )
            end = checks.date(
                values.get("end_date"),
                errors,
                "end_date",
                label="le dernier jour d'absence",
                required=True,
                future=True,
            )
            if start and end and end < start:
                errors.add("end_date", "Le dernier jour vient avant le premier.")
            if start and end and (end - start).days > 366:
                errors.add("end_date", "Une absence dure un an au plus.")
            reason = checks.text("volunteer_absence", "reason", values.get("reason"), errors)
            if errors or start is None or end is None:
                return with_csrf(web, request, "space", lambda token: absence_page(
                    commune, token, values.as_dict(), errors))  # fmt: skip
            space_data.declare_absence(web.engine, commune.id, person.record_id, start, end,
                                       reason or "Signalée en ligne par le bénévole")  # fmt: skip
            return message(commune, 200, "Absence enregistrée",
                           f"La mairie est prévenue : pas de mission du {start:%d/%m/%Y} au "
                           f"{end:%d/%m/%Y}. Pour une mission déjà prévue ces jours-là, "
                           "appelez aussi la mairie.", back=f"/communes/{insee}/espace/",
                           back_label="Retour à mes missions")  # fmt: skip

        return await run_in_threadpool(in_space, request, insee, values, work)
