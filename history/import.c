/*
 * import.c: the clouds' own findings, and hinagata's drift JSON, as a
 * recording (see history.h: hg_import_read).
 * Part of hinagata; see LICENSE. docs/history.md, "Imports", has the
 * mapping with its sources.
 *
 * Design. An input is what a CLI printed, read whole with jansson (these
 * are reports of thousands of findings, not the exports of a fleet). It is
 * checked completely before the first observation is made: a finding
 * without an account, an ID or a resource stops the import with a message
 * naming it, and nothing of the file is recorded (fail closed: a half
 * import would resolve nothing and look complete).
 *
 * AWS Security Hub (`aws securityhub get-findings`, ASFF): one finding per
 * (account, region, resource, control). The control is
 * Compliance.SecurityControlId, else the last part of GeneratorId. The
 * verdict, in this order: RecordState ARCHIVED is resolved (the resource is
 * gone or the check no longer applies); Workflow.Status SUPPRESSED is
 * suppressed (Note.Text is the reason; Security Hub keeps it suppressed
 * when it comes back); Compliance.Status PASSED is resolved, FAILED active,
 * WARNING and NOT_AVAILABLE unknown (no change, and not passing); without
 * Compliance (a threat finding), Workflow.Status RESOLVED is resolved, NEW
 * and NOTIFIED active. Only findings with Compliance are control checks
 * in the score. A finding absent from the file is not resolved: the file
 * may be filtered or paged.
 *
 * Microsoft Defender for Cloud (`az security assessment list`): one finding
 * per (subscription, resource, assessment). status.code Unhealthy is
 * active, Healthy resolved, NotApplicable unknown unless its cause is
 * Exempt (suppressed, status.description the reason). az prints the
 * properties at the top level; the REST shape nests them under
 * `properties`: both are read. The severity is metadata.severity when the
 * listing carries it.
 */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/util.h"
#include "record.h"

hg_hsource hg_import_source(hg_import_kind k)
{
	switch (k) {
	case HG_IMPORT_DEFENDER:
		return HG_SRC_DEFENDER;
	case HG_IMPORT_DRIFT:
		return HG_SRC_DRIFT;
	default:
		return HG_SRC_SECURITYHUB;
	}
}

/* The first non-blank byte of text at or after i. */
static size_t skip(const char *text, size_t len, size_t i)
{
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i;
}

hg_import_kind hg_import_detect(const char *text, size_t len)
{
	json_t *doc = NULL, *first;
	hg_import_kind k = HG_IMPORT_UNKNOWN;
	size_t i = skip(text, len, 0);

	if (i < len && (text[i] == '{' || text[i] == '['))
		doc = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
	if (json_is_object(doc)) {
		if (json_is_array(json_object_get(doc, "Findings")))
			k = HG_IMPORT_SECURITYHUB;
		else if (json_is_string(json_object_get(doc, "schema")) &&
		         strncmp(json_string_value(json_object_get(doc, "schema")), "hinagata-drift/", 15) == 0)
			k = HG_IMPORT_DRIFT;
	} else if (json_is_array(doc)) {
		first = json_array_get(doc, 0);
		/* an empty listing is Defender's "nothing to assess" */
		if (!first || (json_is_string(json_object_get(first, "type")) &&
		                      strcasecmp(json_string_value(json_object_get(first, "type")),
		                              "Microsoft.Security/assessments") == 0))
			k = HG_IMPORT_DEFENDER;
	}
	json_decref(doc);
	return k;
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A member by name, whatever its case (az and the REST API differ: Id, id). */
static json_t *member_ci(json_t *obj, const char *key)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		if (strcasecmp(k, key) == 0)
			return v;
	}
	return NULL;
}

static const char *str_ci(json_t *obj, const char *key)
{
	return json_string_value(member_ci(obj, key));
}

static char *lower(const char *s)
{
	char *r = hg_xstrdup(s ? s : "");
	char *p;
	for (p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return r;
}

/* "Findings[3] (ID)" or "[3] (ID)", for messages. */
static void what(hg_buf *b, const char *list, size_t i, const char *id)
{
	hg_buf_clear(b);
	hg_buf_printf(b, "%s[%zu]", list, i);
	if (id)
		hg_buf_printf(b, " (%s)", id);
}

/* Where an input is, for messages: its name and text (registered in d once). */
struct input {
	const char *file, *text;
	size_t len;
};

/*
 * HG7107 "Findings[3] (ID) has no FIELD" at the item's ID in the text when
 * it can be found there (jansson keeps no positions), else naming the file.
 */
static int missing(hg_diags *d, const struct input *in, const hg_buf *w, const char *id, const char *field)
{
	hg_buf what = HG_BUF_INIT, quoted = HG_BUF_INIT;
	const char *at = NULL;
	hg_span sp;

	memset(&sp, 0, sizeof(sp));
	if (id) {
		hg_buf_printf(&quoted, "\"%s\"", id);
		at = memmem(in->text, in->len, quoted.ptr, quoted.size);
	}
	if (at) {
		sp.file = hg_diags_source(d, in->file, in->text, in->len);
		sp.line = 1;
		sp.col = 1;
		hg_span_advance(&sp, in->text, (size_t)(at - in->text));
		sp.end_col = sp.col + (uint32_t)hg_utf8_len((const unsigned char *)quoted.ptr);
		hg_buf_puts(&what, w->ptr);
	} else
		hg_buf_printf(&what, "%s: %s", in->file, w->ptr);
	hg_diag_add(d, HG_D_IMPORT_FIELD, at ? &sp : NULL, what.ptr, field, NULL);
	hg_buf_dispose(&what);
	hg_buf_dispose(&quoted);
	return HG_EINVALID;
}

/* ---- AWS Security Hub ---- */

/* The control of a finding: the consolidated control ID, or the generator's last part. */
static const char *asff_control(const json_t *f)
{
	const char *id = str(json_object_get(f, "Compliance"), "SecurityControlId");
	const char *gen = str(f, "GeneratorId"), *slash;
	if (id && *id)
		return id;
	if (!gen)
		return NULL;
	slash = strrchr(gen, '/');
	return slash && slash[1] ? slash + 1 : gen;
}

static int securityhub(hg_recorder *r, const struct input *in, json_t *doc, hg_diags *d)
{
	json_t *list = json_object_get(doc, "Findings"), *f;
	hg_buf w = HG_BUF_INIT;
	size_t i;
	int rc = 0;

	/* Everything is checked before anything is recorded. */
	json_array_foreach(list, i, f) {
		json_t *res = json_array_get(json_object_get(f, "Resources"), 0);
		what(&w, "Findings", i, str(f, "Id"));
		if (!json_is_object(f))
			rc = missing(d, in, &w, NULL, "{...}");
		else if (!str(f, "Id"))
			rc = missing(d, in, &w, NULL, "Id");
		else if (!str(f, "AwsAccountId"))
			rc = missing(d, in, &w, str(f, "Id"), "AwsAccountId");
		else if (!str(res, "Id"))
			rc = missing(d, in, &w, str(f, "Id"), "Resources[0].Id");
		else if (!asff_control(f))
			rc = missing(d, in, &w, str(f, "Id"), "GeneratorId");
		if (rc < 0)
			break;
	}
	json_array_foreach(list, i, f) {
		json_t *res, *comp, *work, *note;
		const char *cstatus, *wstatus, *record, *region;
		char *severity;
		hg_observation o;
		bool control;

		if (rc < 0)
			break;
		res = json_array_get(json_object_get(f, "Resources"), 0);
		comp = json_object_get(f, "Compliance");
		work = json_object_get(f, "Workflow");
		note = json_object_get(f, "Note");
		cstatus = str(comp, "Status");
		wstatus = str(work, "Status");
		record = str(f, "RecordState");
		region = str(f, "Region") ? str(f, "Region") : str(res, "Region");
		severity = lower(str(json_object_get(f, "Severity"), "Label"));
		control = cstatus != NULL;
		memset(&o, 0, sizeof(o));
		o.kind = "cloud";
		o.account = str(f, "AwsAccountId");
		o.region = region ? region : "";
		o.resource = str(res, "Id");
		o.type = str(res, "Type");
		/* A control finding is one per control and resource; a threat finding
		 * (no Compliance) is its own ASFF ID. */
		o.control = control ? asff_control(f) : NULL;
		o.aspect = control ? "" : str(f, "Id");
		o.severity = *severity ? severity : NULL;
		o.title = str(f, "Title");
		o.detail = str(f, "Id");
		o.fails = control;
		if (record && strcmp(record, "ARCHIVED") == 0)
			o.verdict = HG_V_PASSED;
		else if (wstatus && strcmp(wstatus, "SUPPRESSED") == 0) {
			o.verdict = HG_V_SUPPRESSED;
			o.reason = str(note, "Text") ? str(note, "Text")
			                             : HG_BI("SUPPRESSED in Security Hub", "Security Hub で抑制済み (SUPPRESSED)");
		} else if (control)
			o.verdict = strcmp(cstatus, "PASSED") == 0   ? HG_V_PASSED
			            : strcmp(cstatus, "FAILED") == 0 ? HG_V_ACTIVE
			                                             : HG_V_UNKNOWN;
		else
			o.verdict = wstatus && strcmp(wstatus, "RESOLVED") == 0 ? HG_V_PASSED : HG_V_ACTIVE;
		hg_recorder_observe(r, &o);
		/* A control check of the score, unless suppressed (Security Hub leaves
		 * suppressed findings out of a control's status) or archived. */
		if (control && o.verdict != HG_V_SUPPRESSED && !(record && strcmp(record, "ARCHIVED") == 0))
			hg_recorder_evaluated(r, o.account, o.control, o.severity, o.verdict == HG_V_UNKNOWN);
		free(severity);
	}
	hg_buf_dispose(&w);
	return rc;
}

/* ---- Microsoft Defender for Cloud ---- */

/* The member key of an assessment, at the top level (az) or under properties (REST). */
static json_t *prop(json_t *a, const char *key)
{
	json_t *v = json_object_get(a, key);
	return v ? v : json_object_get(json_object_get(a, "properties"), key);
}

/* "/subscriptions/S/..." -> S (new), or NULL. */
static char *subscription_of(const char *id)
{
	const char *p, *end;
	if (!id || strncasecmp(id, "/subscriptions/", 15) != 0)
		return NULL;
	p = id + 15;
	end = strchr(p, '/');
	return end && end > p ? hg_xstrndup(p, (size_t)(end - p)) : (*p ? hg_xstrdup(p) : NULL);
}

/* The resource an assessment is of: resourceDetails.id, else its ID before /providers/Microsoft.Security/assessments/. */
static char *assessed_resource(json_t *a)
{
	const char *rid = str_ci(prop(a, "resourceDetails"), "id"), *id = str(a, "id"), *at;
	if (rid && *rid)
		return hg_xstrdup(rid);
	if (!id)
		return NULL;
	at = strstr(id, "/providers/Microsoft.Security/assessments/");
	return at ? hg_xstrndup(id, (size_t)(at - id)) : NULL;
}

/* "Microsoft.Storage/storageAccounts" of a resource ID (new), or NULL. */
static char *type_of(const char *rid)
{
	const char *p = rid ? strstr(rid, "/providers/") : NULL, *q;
	const char *last = p;
	hg_buf b = HG_BUF_INIT;
	int n = 0;
	while (p && (q = strstr(p + 1, "/providers/")) != NULL) /* the innermost provider */
		last = p = q;
	if (!last)
		return NULL;
	p = last + 11;
	/* Namespace/type[/name/type/name...]: keep the namespace and the types. */
	while (*p) {
		q = strchr(p, '/');
		if (n == 0 || n % 2 == 1) {
			if (b.size)
				hg_buf_putc(&b, '/');
			hg_buf_put(&b, p, q ? (size_t)(q - p) : strlen(p));
		}
		n++;
		if (!q)
			break;
		p = q + 1;
	}
	if (!b.size) {
		hg_buf_dispose(&b);
		return NULL;
	}
	return hg_buf_detach(&b);
}

static int defender(hg_recorder *r, const struct input *in, json_t *doc, hg_diags *d)
{
	json_t *a;
	hg_buf w = HG_BUF_INIT;
	size_t i;
	int rc = 0;

	json_array_foreach(doc, i, a) {
		char *rid, *sub;
		what(&w, "", i, str(a, "id"));
		if (!json_is_object(a))
			rc = missing(d, in, &w, NULL, "{...}");
		else if (!str(a, "name"))
			rc = missing(d, in, &w, str(a, "id"), "name");
		else if (!str(prop(a, "status"), "code"))
			rc = missing(d, in, &w, str(a, "id"), "status.code");
		else if (!(rid = assessed_resource(a)))
			rc = missing(d, in, &w, str(a, "id"), "resourceDetails.id");
		else {
			if (!(sub = subscription_of(rid)) && !(sub = subscription_of(str(a, "id"))))
				rc = missing(d, in, &w, str(a, "id"), "/subscriptions/...");
			free(sub);
			free(rid);
		}
		if (rc < 0)
			break;
	}
	json_array_foreach(doc, i, a) {
		json_t *status = prop(a, "status");
		const char *code = str(status, "code"), *cause = str(status, "cause");
		char *rid, *sub, *type, *severity;
		hg_observation o;

		if (rc < 0)
			break;
		rid = assessed_resource(a);
		sub = subscription_of(rid);
		if (!sub)
			sub = subscription_of(str(a, "id"));
		type = type_of(rid);
		severity = lower(str(prop(a, "metadata"), "severity"));
		memset(&o, 0, sizeof(o));
		o.kind = "cloud";
		o.account = sub;
		o.region = "";
		o.resource = rid;
		o.type = type;
		o.control = str(a, "name");
		o.aspect = "";
		o.severity = *severity ? severity : NULL;
		o.title = json_string_value(prop(a, "displayName"));
		o.detail = str(status, "description");
		o.fails = true;
		if (strcasecmp(code, "Unhealthy") == 0)
			o.verdict = HG_V_ACTIVE;
		else if (strcasecmp(code, "Healthy") == 0)
			o.verdict = HG_V_PASSED;
		else if (cause && strcasecmp(cause, "Exempt") == 0) {
			o.verdict = HG_V_SUPPRESSED;
			o.reason = str(status, "description") ? str(status, "description")
			                                      : HG_BI("exempt in Defender for Cloud",
			                                                "Defender for Cloud で適用除外");
		} else
			o.verdict = HG_V_UNKNOWN; /* not applicable: no data, not passing */
		hg_recorder_observe(r, &o);
		/* Not applicable resources are outside Defender's secure score; here too. */
		if (o.verdict == HG_V_ACTIVE || o.verdict == HG_V_PASSED)
			hg_recorder_evaluated(r, o.account, o.control, o.severity, false);
		free(rid);
		free(sub);
		free(type);
		free(severity);
	}
	hg_buf_dispose(&w);
	return rc;
}

/* ---- hinagata drift --format json ---- */

static char *dup_in(hg_arena *a, const char *s)
{
	return s ? hg_arena_strdup(a, s) : NULL;
}

static char **list_in(hg_arena *a, const json_t *arr, size_t *n)
{
	char **r;
	size_t i;
	*n = json_array_size(arr);
	if (!*n)
		return NULL;
	r = HG_ANEWN(a, char *, *n);
	for (i = 0; i < *n; i++)
		r[i] = dup_in(a, json_string_value(json_array_get(arr, i)));
	return r;
}

/* A JSON value as its text (the report prints canonical values), or NULL for null. */
static char *value_text(hg_arena *a, const json_t *v)
{
	char *t, *r;
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return hg_arena_strdup(a, json_string_value(v));
	t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	r = hg_arena_strdup(a, t ? t : "");
	free(t);
	return r;
}

static const char *const statuses[] = {"IN_SYNC", "MODIFIED", "DELETED", "UNMANAGED", "NOT_CHECKED"}; /* ORDER STATUS */

/* Three-way drift's "change" of a result or a difference (absent: none, a two-way run). */
static hg_change change_of(const json_t *x)
{
	const char *c = str(x, "change");
	hg_change k;
	for (k = HG_CH_DRIFT; c && k <= HG_CH_BOTH; k++)
		if (strcmp(c, hg_change_name(k)) == 0)
			return k;
	return HG_CH_NONE;
}

/* Every result of a drift report has what identifies it (HG7107 for the first that does not). */
static int drift_check(const struct input *in, json_t *doc, hg_diags *d)
{
	json_t *list = json_object_get(doc, "resources"), *x;
	hg_buf w = HG_BUF_INIT;
	size_t i, k;
	int rc = 0;

	json_array_foreach(list, i, x) {
		const char *st = str(x, "status");
		what(&w, "resources", i, str(x, "logicalId") ? str(x, "logicalId") : str(x, "physicalId"));
		for (k = 0; st && k < HG_ARRAY_SIZE(statuses); k++)
			if (strcmp(st, statuses[k]) == 0)
				break;
		if (!st || k == HG_ARRAY_SIZE(statuses))
			rc = missing(d, in, &w, NULL, "status");
		else if (!str(x, "type"))
			rc = missing(d, in, &w, NULL, "type");
		else if (!str(x, "logicalId") && !str(x, "physicalId"))
			rc = missing(d, in, &w, NULL, "logicalId");
		if (rc < 0)
			break;
	}
	hg_buf_dispose(&w);
	return rc;
}

/* The report's listings (what the run's listings covered) into r's cover. */
static void drift_listings(hg_recorder *r, json_t *doc, hg_arena *a)
{
	json_t *list = json_object_get(doc, "listings"), *u;
	size_t i, k;

	if (!json_is_array(list))
		return; /* an older report: unmanaged findings resolve only when seen in sync */
	if (!r->cover)
		r->cover = hg_drift_cover_new();
	json_array_foreach(list, i, u) {
		hg_drift_listed l;
		json_t *scopes = json_object_get(u, "scopes");
		size_t n;
		hg_arena_reset(a);
		memset(&l, 0, sizeof(l));
		l.account = str(u, "account");
		l.region = str(u, "region");
		l.azure = json_is_true(json_object_get(u, "azure"));
		l.types = (const char *const *)list_in(a, json_object_get(u, "types"), &l.ntypes);
		l.unlisted = (const char *const *)list_in(a, json_object_get(u, "notListed"), &l.nunlisted);
		n = json_array_size(scopes);
		if (n) {
			const char **sc = HG_ANEWN(a, const char *, n);
			for (k = 0; k < n; k++) {
				json_t *e = json_array_get(scopes, k);
				const char *scope = str(e, "scope") ? str(e, "scope") : "", *type = str(e, "type");
				/* the drift engine's encoding (drift.h, hg_drift_listed) */
				sc[k] = !type ? hg_arena_strdup(a, scope)
				              : hg_arena_printf(a, "%s\x1f%s%s", scope, type,
				                        json_is_true(json_object_get(e, "subtree")) ? "\x1f*" : "");
			}
			l.scopes = sc;
			l.nscopes = n;
		}
		hg_drift_cover_add(r->cover, &l);
	}
}

int hg_import__drift(hg_recorder *r, const char *file, const char *text, size_t len, json_t *doc,
        hg_import_keep keep, void *payload, hg_diags *d)
{
	json_t *list = json_object_get(doc, "resources"), *x;
	hg_arena *a;
	size_t i, k;
	struct input in = {file, text, len};
	int rc;

	if ((rc = drift_check(&in, doc, d)) < 0 || !r)
		return rc;
	a = hg_arena_new();
	json_array_foreach(list, i, x) {
		hg_drift_result res;
		json_t *diffs = json_object_get(x, "differences"), *viol = json_object_get(x, "violations");
		const char *st = str(x, "status");

		if (keep && !keep(x, payload))
			continue;
		hg_arena_reset(a);
		memset(&res, 0, sizeof(res));
		for (k = 0; k < HG_ARRAY_SIZE(statuses); k++)
			if (strcmp(st, statuses[k]) == 0)
				res.status = (hg_drift_status)k;
		res.account = dup_in(a, str(x, "account"));
		res.region = dup_in(a, str(x, "region"));
		res.unit = dup_in(a, str(x, "unit"));
		res.logical_id = dup_in(a, str(x, "logicalId"));
		res.type = dup_in(a, str(x, "type"));
		res.physical_id = dup_in(a, str(x, "physicalId"));
		res.template_name = dup_in(a, str(x, "template"));
		res.template_version = dup_in(a, str(x, "templateVersion"));
		res.reason = dup_in(a, str(x, "reason"));
		res.mandatory = json_is_true(json_object_get(x, "mandatory"));
		res.change = change_of(x);
		res.severity = dup_in(a, str(x, "severity"));
		res.ignored = json_is_true(json_object_get(x, "ignored"));
		res.ignore_reason = dup_in(a, str(x, "ignoreReason"));
		res.ignore_expires = dup_in(a, str(x, "ignoreExpires"));
		res.controls = list_in(a, json_object_get(x, "controls"), &res.ncontrols);
		res.not_checked = list_in(a, json_object_get(x, "notChecked"), &res.nnot_checked);
		res.props_compared = (size_t)json_integer_value(json_object_get(json_object_get(x, "properties"), "compared"));
		res.props_total = (size_t)json_integer_value(json_object_get(json_object_get(x, "properties"), "total"));
		res.ndiffs = json_array_size(diffs);
		res.diffs = res.ndiffs ? HG_ANEWN(a, hg_prop_diff, res.ndiffs) : NULL;
		for (k = 0; k < res.ndiffs; k++) {
			json_t *df = json_array_get(diffs, k);
			const char *kind = str(df, "kind");
			hg_prop_diff *p = &res.diffs[k];
			memset(p, 0, sizeof(*p));
			p->path = dup_in(a, str(df, "path") ? str(df, "path") : "");
			p->kind = kind && strcmp(kind, "ADD") == 0      ? HG_DIFF_ADD
			          : kind && strcmp(kind, "REMOVE") == 0 ? HG_DIFF_REMOVE
			                                                : HG_DIFF_NOT_EQUAL;
			p->expected = value_text(a, json_object_get(df, "expected"));
			p->actual = value_text(a, json_object_get(df, "actual"));
			p->locked = json_is_true(json_object_get(df, "locked"));
			p->change = change_of(df);
			p->ignored = json_is_true(json_object_get(df, "ignored"));
			p->ignore_reason = dup_in(a, str(df, "ignoreReason"));
			p->ignore_expires = dup_in(a, str(df, "ignoreExpires"));
		}
		res.nviolations = json_array_size(viol);
		res.violations = res.nviolations ? HG_ANEWN(a, hg_violation, res.nviolations) : NULL;
		for (k = 0; k < res.nviolations; k++) {
			json_t *v = json_array_get(viol, k);
			res.violations[k].control = dup_in(a, str(v, "control") ? str(v, "control") : "");
			res.violations[k].severity = dup_in(a, str(v, "severity"));
			res.violations[k].message = NULL;
			res.violations[k].deployed = !str(v, "on") || strcmp(str(v, "on"), "deployed") == 0;
		}
		hg_record__drift_result(r, &res);
	}
	drift_listings(r, doc, a);
	/* the template each stack or deployment was deployed with (three-way drift) */
	json_array_foreach(json_object_get(doc, "deployedTemplates"), i, x)
		if (str(x, "hash"))
			hg_recorder_deployed(r, str(x, "account"), str(x, "region"), str(x, "unit"), str(x, "hash"),
			        str(x, "templateHash"));
	if (!r->ref && str(doc, "ref"))
		r->ref = hg_arena_strdup(r->a, str(doc, "ref"));
	hg_arena_dispose(a);
	return 0;
}

json_t *hg_import__parse(const char *file, const char *text, size_t len, hg_diags *d)
{
	json_error_t err;
	json_t *doc = json_loadb(text, len, 0, &err);

	if (!doc) {
		hg_span at;
		memset(&at, 0, sizeof(at));
		at.file = hg_diags_source(d, file, text, len);
		at.line = at.end_line = err.line > 0 ? (uint32_t)err.line : 1;
		at.col = err.column > 0 ? (uint32_t)err.column : 1;
		at.end_col = at.col + 1;
		hg_diag_add(d, HG_D_EXPORT_SYNTAX, &at, err.text, NULL);
	}
	return doc;
}

int hg_import__shard(const char *file, const char *text, size_t len, json_t *doc, unsigned *index,
        unsigned *count, hg_diags *d)
{
	json_t *sh = json_object_get(doc, "shard");
	json_int_t i = json_integer_value(json_object_get(sh, "index"));
	json_int_t n = json_integer_value(json_object_get(sh, "count"));
	struct input in = {file, text, len};
	hg_buf w = HG_BUF_INIT;
	int rc;

	*index = *count = 0;
	if (!sh || json_is_null(sh))
		return 0; /* the whole fleet in one run */
	/* what drift --shard writes: I of N counted from 1, N at most 100,000 (common/shard.h) */
	if (json_is_object(sh) && json_is_integer(json_object_get(sh, "index")) &&
	        json_is_integer(json_object_get(sh, "count")) && n >= 1 && n <= 100000 && i >= 1 && i <= n) {
		*index = (unsigned)i;
		*count = (unsigned)n;
		return 0;
	}
	hg_buf_puts(&w, "shard");
	rc = missing(d, &in, &w, NULL, HG_BI("an index from 1 to its count", "1 から count までの index"));
	hg_buf_dispose(&w);
	return rc;
}

int hg_import_read(hg_recorder *r, hg_import_kind kind, const char *file, const char *text,
        size_t len, hg_diags *d)
{
	json_t *doc = hg_import__parse(file, text, len, d);
	struct input in = {file, text, len};
	int rc;

	if (!doc)
		return HG_EINVALID;
	switch (kind) {
	case HG_IMPORT_SECURITYHUB:
		rc = securityhub(r, &in, doc, d);
		break;
	case HG_IMPORT_DEFENDER:
		rc = defender(r, &in, doc, d);
		break;
	case HG_IMPORT_DRIFT:
		rc = hg_import__drift(r, file, text, len, doc, NULL, NULL, d);
		break;
	default: {
		hg_span at;
		memset(&at, 0, sizeof(at));
		at.file = hg_diags_source(d, file, text, len);
		at.line = at.end_line = at.col = 1;
		at.end_col = 2;
		hg_diag_add(d, HG_D_IMPORT_SHAPE, &at,
		        HG_BI("aws securityhub get-findings, az security assessment list or hinagata drift --format json",
		                "aws securityhub get-findings、az security assessment list、hinagata drift --format json のいずれか"),
		        NULL);
		rc = HG_EINVALID;
	}
	}
	json_decref(doc);
	return rc;
}
