"""The admin's ground floor: one base for every ModelAdmin and inline of the portal.

Whatever a person (or a crawler) posts into an admin form comes back as a field error, never
as a server error, on SQLite and PostgreSQL alike:

- foreign keys and many-to-many fields are `core.forms.IdChoiceField` /
  `IdMultipleChoiceField`, which refuse `true`, `0x10`, `😀` or an id beyond 64 bits before
  the database is asked;
- the widgets that look the selected values up again to redraw the form (autocomplete,
  raw id) skip values that are not ids; Django's own filter them with `pk__in` unchecked;
- dates and times stay within the years the database and the Oslo↔UTC conversion can hold
  (`BoundedSplitDateTimeField`, `HistoricalDateField`);
- amounts of money are typed as people type them ("7 500,50"), in a text box (`MoneyField`).

Who sees and does what is the portal's permission table (core/permissions.py): a portal
ModelAdmin's view, add, change and delete permissions are `user.has_perm("<app>.<action>_<model>",
obj)`, and it shows in the index when the person may view it. Nothing is written around the
services: a ModelAdmin either writes through its app's services (`ServiceWritesMixin`: every
save, delete, inline row and changelist action, each checked against the same permissions and
audited) or is read-only (`ReadOnlyAdminMixin`).

The admins of the installed third-party apps (users and groups, periodic tasks) are
registered again on the same base, so the whole `/admin/` behaves alike; their permissions
stay Django's own (superusers, and what a group grants)."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import admin as auth_admin  # noqa: F401 - registers User and Group before they are adopted
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.forms.models import model_to_dict
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin  # noqa: F401 - registers the schedules before they are adopted
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from .forms import (
    BoundedSplitDateTimeField,
    HistoricalDateField,
    IdChoiceField,
    IdMultipleChoiceField,
    MoneyField,
    is_money_field,
    is_valid_key,
)
from .models import RollupRun
from .params import id_param
from .permissions import perm_name

logger = logging.getLogger(__name__)


def _target_field(db_field: models.Field) -> models.Field:
    """The field of the related model that `db_field` (a foreign key or many-to-many) holds."""
    remote = db_field.remote_field
    opts = remote.model._meta
    return opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)


class SafeAutocompleteMixin:
    """Redraws only the selected values that are keys of the related model: Django's
    `AutocompleteMixin.optgroups` filters them with `pk__in` as they were posted (ValueError
    for `true`, OverflowError on SQLite for a number beyond 64 bits)."""

    def optgroups(self, name, value, attr=None):
        target = _target_field(self.field)
        return super().optgroups(name, [item for item in value if is_valid_key(target, item)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, widgets.AutocompleteSelectMultiple):
    pass


class SafeForeignKeyRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """Shows no label for a value that is not a key (Django's looks it up and does not catch
    OverflowError)."""

    def label_and_url_for_value(self, value):
        if not is_valid_key(self.rel.get_related_field(), value):
            return "", ""
        return super().label_and_url_for_value(value)


class PortalFormfieldsMixin:
    """The form fields of a ModelAdmin or an inline: ids and dates refused as field errors.
    The admin's widgets (autocomplete, raw id, radio, filter_horizontal, the split date and
    time) are kept."""

    formfield_overrides = {
        models.DateTimeField: {"form_class": BoundedSplitDateTimeField, "widget": widgets.AdminSplitDateTime},
        models.DateField: {"form_class": HistoricalDateField, "widget": widgets.AdminDateWidget},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_money_field(db_field):
            # Kroner typed as people type them ("1 234 567,50"), in a text box.
            kwargs.setdefault("form_class", MoneyField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs:
            using = kwargs.get("using")
            if db_field.name in self.get_autocomplete_fields(request):
                kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=using)
            elif db_field.name in self.raw_id_fields:
                kwargs["widget"] = SafeForeignKeyRawIdWidget(db_field.remote_field, self.admin_site, using=using)
        kwargs.setdefault("form_class", IdChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeChangelistMixin:
    """A changelist whose query string the database cannot run (`?region=` beyond 64 bits,
    `?starts_at__gte=0001-01-01`, `?title__regex=((((`) answers as the admin answers any bad
    filter: the list without filters and "?e=1", never a server error."""

    def get_changelist_instance(self, request):
        try:
            # In a savepoint: on PostgreSQL a refused query aborts the transaction it ran in,
            # and the request's later queries (the session's save) would fail with it.
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except (OverflowError, ValueError, DatabaseError) as error:
            if not request.GET:
                raise
            logger.warning("Refused changelist filter %s: %s", request.get_full_path(), error)
            raise IncorrectLookupParameters(error) from error


class RulesPermissionsMixin:
    """A ModelAdmin's permissions from the model's rules, asked with the object on its own
    pages (django-rules' ObjectPermissionsModelAdmin does the same): the view, add, change and
    delete permissions of `<app>.<action>_<model>`. A model that declares no such permission
    gives it to nobody. The model shows in the index to whoever may view it."""

    def has_module_permission(self, request):
        return self.has_view_or_change_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(perm_name(self.model, "view"), obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.has_perm(perm_name(self.model, "add"))

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(perm_name(self.model, "change"), obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(perm_name(self.model, "delete"), obj)


class PortalModelAdmin(SafeChangelistMixin, PortalFormfieldsMixin, RulesPermissionsMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of the portal."""

    def get_object(self, request, object_id, from_field=None):
        """The object of a change, history, delete or custom page, or None (the admin's "does
        not exist"). An id in the URL names an object only when written in ASCII digits, as
        core.params.id_param reads ids everywhere else: Python's int() would also read " 1",
        "1 " and a full-width "１" as 1."""
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        if isinstance(field, models.IntegerField | models.AutoField) and id_param(unquote(str(object_id))) is None:
            return None
        return super().get_object(request, object_id, from_field)


class PortalTabularInline(PortalFormfieldsMixin, admin.TabularInline):
    """The base of every tabular inline of the portal."""


class PortalStackedInline(PortalFormfieldsMixin, admin.StackedInline):
    """The base of every stacked inline of the portal."""


class ReadOnlyAdminMixin:
    """A model the portal writes elsewhere (its pages, the loader, a data migration), with
    their rules and audit, and the admin only shows: no add, change or delete here, whoever
    asks."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceInlineMixin:
    """An inline whose rows are written through their app's services (see ServiceWritesMixin):
    it names them in `save_through_service` and `delete_through_service`."""

    def save_through_service(self, request, obj, form) -> None:
        raise NotImplementedError

    def delete_through_service(self, request, obj) -> None:
        raise NotImplementedError


def _has_version(model) -> bool:
    return any(field.name == "version" for field in model._meta.concrete_fields)


def merge_concurrent_changes(obj: models.Model, form) -> None:
    """Two people with the same change page open: what the other saved since this page was
    loaded is kept, unless this person changed the same field, which refuses the save.

    For each model field of `form` whose loaded value came back (its hidden initial): a field
    this person left alone takes the database's current value (on `obj`, or in
    `form.cleaned_data` for a many-to-many field, which the services read from there); a field
    they changed that someone else has also changed since raises ValidationError naming it
    (nothing is saved; the admin shows the message). Without the loaded values (a hand-made
    POST) the form's values are saved as they are."""
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return
    stored = model_to_dict(fresh, fields=list(form.fields))
    many = {field.name for field in obj._meta.many_to_many}
    conflicts = []
    for name, field in form.fields.items():
        loaded_key = form.add_initial_prefix(name)
        if name not in stored or loaded_key not in form.data:
            continue
        loaded = field.hidden_widget().value_from_datadict(form.data, form.files, loaded_key)
        if not field.has_changed(stored[name], loaded):
            continue  # nobody else changed it
        if name in form.changed_data:
            conflicts.append(str(field.label or name))
        elif name in many:
            form.cleaned_data[name] = list(getattr(fresh, name).all())
        else:
            model_field = obj._meta.get_field(name)
            setattr(obj, model_field.attname, getattr(fresh, model_field.attname))
    if conflicts:
        raise ValidationError(
            gettext(
                "Noen andre har endret %(fields)s siden du åpnet siden. Åpne siden på nytt og gjør endringen igjen."
            )
            % {"fields": ", ".join(f"«{label}»" for label in conflicts)}
        )


class ServiceWritesMixin(ServiceInlineMixin):
    """A ModelAdmin that writes only through its app's services, as the budget's does: the
    object's save and delete, the changelist's "delete selected", and each inline row (through
    the inline's services). The services check the permission again and write the audit entry.
    Many-to-many values go to the object's service with the object (`form.cleaned_data`), never
    through the form's own `save_m2m`. A service's ValidationError after the form was valid (a
    rule the form cannot see) rolls the whole save back and is shown as a message."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A change form carries each field's value as it was loaded (Django's
        `show_hidden_initial`), so that a save can tell what this person changed from what
        someone else saved meanwhile (`merge_concurrent_changes`). Models with their own
        `version` check (budgets, activities) keep theirs."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and not _has_version(self.model):
            for field in form.base_fields.values():
                field.show_hidden_initial = True
        return form

    def save_model(self, request, obj, form, change):
        if change and not _has_version(self.model):
            merge_concurrent_changes(obj, form)
        self.save_through_service(request, obj, form)

    def delete_model(self, request, obj):
        try:
            self.delete_through_service(request, obj)
        except ValidationError as refused:
            raise PermissionDenied(" ".join(refused.messages)) from refused

    def delete_queryset(self, request, queryset):
        # All or nothing: a row the service refuses stops the whole selection (a 403 with the
        # service's reason), so nothing is half-deleted.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = next(
            inline
            for inline in self.get_inline_instances(request, form.instance)
            if inline.model is formset.model and isinstance(inline, ServiceInlineMixin)
        )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not hasattr(row, "cleaned_data"):
                continue
            obj = row.instance
            if formset.can_delete and formset._should_delete_form(row):
                if obj.pk is not None:
                    inline.delete_through_service(request, obj)
                    formset.deleted_objects.append(obj)
                continue
            if not row.has_changed():
                continue
            is_new = obj.pk is None
            setattr(obj, formset.fk.name, formset.instance)
            inline.save_through_service(request, obj, row)
            if is_new:
                formset.new_objects.append(obj)
            else:
                formset.changed_objects.append((obj, row.changed_data))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            messages.error(request, gettext("Ingenting ble lagret."))
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())


def _on_portal_base(admin_class: type) -> type:
    """`admin_class` (a ModelAdmin or an inline) with the portal's form fields."""
    if issubclass(admin_class, PortalFormfieldsMixin):
        return admin_class
    return type(admin_class.__name__, (PortalFormfieldsMixin, admin_class), {})


def portal_admin(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """A third-party ModelAdmin on the portal's base, its inlines too."""
    inlines = [_on_portal_base(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (SafeChangelistMixin, _on_portal_base(admin_class)), {"inlines": inlines})


def adopt(site: admin.AdminSite, models_: list[type[models.Model]]) -> None:
    """Register the models' current admins again on the portal's base."""
    for model in models_:
        admin_class = type(site.get_model_admin(model))
        if not issubclass(admin_class, PortalFormfieldsMixin):
            site.unregister(model)
            site.register(model, portal_admin(admin_class))


class SafePeriodicTaskForm(beat_admin.PeriodicTaskForm):
    """django-celery-beat's form reads the task name in clean() even when the name itself was
    refused (a NUL character): a KeyError. The field's own error is enough."""

    def clean(self):
        if "task" not in self.cleaned_data:
            return self.cleaned_data
        return super().clean()


class SafePeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = SafePeriodicTaskForm
    # django-celery-beat's own template has an inline script, which the Content-Security-Policy refuses.
    change_form_template = "admin/django_celery_beat/periodictask/change_form.html"


class SafeCrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    """The schedule's description is drawn from its fields; a refused field (hour -1) made
    celery's parser raise while the form was redrawn with its errors."""

    fields = ("readable", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("readable",)
    list_display = ("__str__", "readable")

    @admin.display(description=_("Beskrivelse"))
    def readable(self, obj) -> str:
        try:
            return obj.human_readable
        except Exception:  # noqa: BLE001 - celery's parser raises several kinds for a field being corrected
            return "–"


for _model, _admin in ((PeriodicTask, SafePeriodicTaskAdmin), (CrontabSchedule, SafeCrontabScheduleAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin)

adopt(
    admin.site,
    [get_user_model(), Group, PeriodicTask, ClockedSchedule, CrontabSchedule, SolarSchedule, IntervalSchedule],
)


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The nightly rollups' record: read-only (the runs write it)."""

    list_display = ["started_at", "kind", "mode", "year", "status", "rows_written", "finished_at", "error"]
    list_filter = ["kind", "status", "mode"]
    search_fields = ["error", "task_id"]
    date_hierarchy = "started_at"
