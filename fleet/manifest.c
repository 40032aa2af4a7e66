/*
 * manifest.c: fleet.yaml, the accounts and subscriptions of a fleet, read
 * into the fleet model (see fleet.h; docs/fleet.md is the reference).
 * Part of hinagata; see LICENSE.
 *
 * The manifest is read as the compiler reads templates: libyaml through
 * compiler/yaml_load (positions kept), every key and value checked, and
 * every problem reported with its file:line:col before giving up, so one
 * run of `hinagata fleet plan` lists everything to fix in a manifest of
 * hundreds of accounts. What a nightly job would trip over later is refused
 * here: an account ID that is not one, a region that is not one, the same
 * account or region twice (its work would be done twice, its findings
 * counted twice), a role of another account, a profile of the other cloud.
 *
 *   fleet: 1
 *   name: kanto-operator
 *   aws:                        # defaults for every account, then the accounts
 *     regions: [ap-northeast-1]
 *     credentials: { role: "arn:aws:iam::{account}:role/HinagataReadOnly" }
 *     stacks: [ { name: gc-baseline, template: baseline.json } ]
 *     accounts:
 *       - account: "123456789012"
 *         name: city-a
 *         regions: [ap-northeast-1, ap-northeast-3]
 *         stacks: [ { name: city-a-juki-prod, template: city-a/juki-prod.yaml } ]
 *   azure:
 *     deployments: [ ... ]
 *     subscriptions:
 *       - { subscription: 8c3f2a1e-..., name: city-b, resource_groups: [rg-city-b-juki] }
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../common/util.h"
#include "../compiler/compiler.h"
#include "../compiler/registry.h"
#include "../compiler/yaml_load.h"
#include "fleet.h"

/* What the reader carries: the fleet being built, its diagnostics and options. */
struct reader {
	hg_fleet *f;
	hg_diags *d;
	const hg_fleet_options *o;
	hg_registry *reg; /* the template search path, for profiles (opened on first use) */
	hg_arena *rega;
	hg_diags regd;    /* what scanning the search path said (not the manifest's business) */
	hg_diags quiet, *loud_d; /* reading the defaults again (quietly) */
	bool ok, loud_ok;
	struct ptypes {           /* the default types of each profile met, computed once */
		const char *profile;
		const char **types;
		size_t n;
	} *ptypes;
	size_t nptypes;
};

/* Defaults of one cloud, read before its accounts or subscriptions. */
struct defaults {
	const hg_node *regions, *creds, *stacks, *profile, *groups, *types;
};

static const char *scalar(const hg_node *n)
{
	return n && n->kind == HG_NODE_SCALAR ? n->u.scalar.str : NULL;
}

/* A scalar string value; HG0103 (and NULL) for anything else. */
static const char *str_of(struct reader *r, const hg_node *n, const char *what)
{
	if (!hg_node_expect(n, HG_NODE_SCALAR, what, r->d) || !*n->u.scalar.str) {
		if (n && n->kind == HG_NODE_SCALAR)
			hg_diag_add(r->d, HG_D_WRONG_TYPE, &n->span, what,
			        HG_BI("a non-empty string", "空でない文字列"),
			        HG_BI("an empty string", "空の文字列"), NULL);
		r->ok = false;
		return NULL;
	}
	return hg_arena_strdup(r->f->a, n->u.scalar.str);
}

static bool check_keys(struct reader *r, const hg_node *map, const char *const *keys,
        const char *what)
{
	if (!hg_node_expect(map, HG_NODE_MAP, what, r->d)) {
		r->ok = false;
		return false;
	}
	if (!hg_node_check_keys(map, keys, what, r->d))
		r->ok = false;
	return true;
}

static void missing(struct reader *r, const hg_node *map, const char *key, const char *what)
{
	hg_diag_add(r->d, HG_D_MISSING_KEY, &map->span, key, what, NULL);
	r->ok = false;
}

static void bad_id(struct reader *r, const hg_node *n, const char *text, const char *what)
{
	hg_diag_add(r->d, HG_D_FLEET_ID, &n->span, text, what, NULL);
	r->ok = false;
}

/* HG7210 unless no earlier entry of seen (n of them) has the text s. */
static bool unique(struct reader *r, const hg_node *const *seen, size_t n, const hg_node *at,
        const char *s, const char *label)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (seen[i] && strcmp(scalar(seen[i]), s) == 0) {
			char line[16];
			snprintf(line, sizeof(line), "%u", (unsigned)seen[i]->span.line);
			hg_diag_add(r->d, HG_D_FLEET_DUP, &at->span, label, line, NULL);
			r->ok = false;
			return false;
		}
	return true;
}

/* Are the first n bytes of s digits? */
static bool all_digits_n(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* An AWS region name: ap-northeast-1, us-gov-west-1, cn-north-1 ... */
static bool region_name(const char *s)
{
	size_t i = 0, parts = 0;
	if (!islower((unsigned char)s[0]) || !islower((unsigned char)s[1]) || s[2] != '-')
		return false;
	for (i = 3; s[i]; i++) {
		if (s[i] == '-') {
			parts++;
			if (s[i + 1] == '-' || !s[i + 1])
				return false;
		} else if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			return false;
	}
	/* the last part is the number */
	for (i = strlen(s); i > 0 && isdigit((unsigned char)s[i - 1]); i--)
		;
	return parts >= 1 && s[i] && i > 0 && s[i - 1] == '-';
}

/* A subscription ID: a GUID, 8-4-4-4-12 hexadecimal digits. */
static bool guid(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	size_t g, k, i = 0;
	for (g = 0; g < 5; g++) {
		for (k = 0; k < (size_t)groups[g]; k++, i++)
			if (!isxdigit((unsigned char)s[i]))
				return false;
		if (g < 4 && s[i++] != '-')
			return false;
	}
	return s[i] == '\0';
}

/* A CloudFormation stack name: a letter, then letters, digits and '-', at most 128. */
static bool stack_name(const char *s)
{
	size_t i;
	if (!isalpha((unsigned char)s[0]) || strlen(s) > 128)
		return false;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* A list of strings (regions, or resource groups), each unique. */
static const char **str_list(struct reader *r, const hg_node *n, const char *what, size_t *count,
        bool regions)
{
	const char **out;
	size_t i;

	*count = 0;
	if (!hg_node_expect(n, HG_NODE_SEQ, what, r->d)) {
		r->ok = false;
		return NULL;
	}
	out = HG_ANEWN(r->f->a, const char *, n->u.seq.n + 1);
	for (i = 0; i < n->u.seq.n; i++) {
		const hg_node *it = n->u.seq.items[i];
		const char *s = str_of(r, it, what);
		if (!s)
			continue;
		if (regions && !region_name(s)) {
			hg_diag_add(r->d, HG_D_FLEET_REGION, &it->span, s, NULL);
			r->ok = false;
			continue;
		}
		if (!unique(r, (const hg_node *const *)n->u.seq.items, i, it, s,
		            regions ? hg_arena_printf(r->f->a, "region '%s'\x1fリージョン '%s'", s, s)
		                    : hg_arena_printf(r->f->a,
		                              "resource group '%s'\x1fリソースグループ '%s'", s, s)))
			continue;
		out[(*count)++] = s;
	}
	return out;
}

/* ---- profiles ---- */

/* The template search path (scanned once, on first use). */
static hg_registry *registry(struct reader *r)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	if (!r->reg) {
		co.template_dirs = r->o ? r->o->template_dirs : NULL;
		co.ntemplate_dirs = r->o ? r->o->ntemplate_dirs : 0;
		co.bundled_dir = r->o ? r->o->bundled_dir : NULL;
		r->rega = hg_arena_new();
		hg_diags_init(&r->regd);
		r->reg = hg_registry_of(r->rega, &co);
	}
	return r->reg;
}

struct typeset {
	const char **v;
	size_t n, cap;
};

static void typeset_add(struct typeset *s, const char *type)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], type) == 0)
			return;
	HG_GROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = type;
}

/* The resource types of template name and of the templates it uses (depth: a bound). */
static void template_types(struct reader *r, struct typeset *s, const char *name, int depth)
{
	const hg_template *t = hg_registry_get(registry(r), &r->regd, HG_DOC_TEMPLATE, name);
	size_t i;
	if (!t || depth > 8)
		return;
	for (i = 0; i < t->nresources; i++)
		if (t->resources[i].type && strncmp(t->resources[i].type, "AWS::", 5) == 0)
			typeset_add(s, hg_arena_strdup(r->f->a, t->resources[i].type));
	for (i = 0; i < t->nuses; i++)
		template_types(r, s, t->uses[i].template_name, depth + 1);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The types the controls of an AWS profile care about: those its rules
 * judge (exact types; a rule on "AWS::EC2::*" names no type to list) and
 * those of the mandatory templates it requires. Computed once per profile.
 */
static const struct ptypes *profile_types(struct reader *r, const char *profile)
{
	const hg_template *t;
	struct typeset s = {NULL, 0, 0};
	size_t i, k;

	for (i = 0; i < r->nptypes; i++)
		if (strcmp(r->ptypes[i].profile, profile) == 0)
			return &r->ptypes[i];
	t = hg_registry_get(registry(r), &r->regd, HG_DOC_PROFILE, profile);
	for (i = 0; t && i < t->nrules; i++)
		for (k = 0; k < t->rules[i].ntypes; k++)
			if (!strchr(t->rules[i].types[k], '*'))
				typeset_add(&s, hg_arena_strdup(r->f->a, t->rules[i].types[k]));
	for (i = 0; t && i < t->nrequires; i++)
		template_types(r, &s, t->requires[i].template_name, 0);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	r->ptypes = hg_xrealloc(r->ptypes, (r->nptypes + 1) * sizeof(*r->ptypes));
	r->ptypes[r->nptypes].profile = hg_arena_strdup(r->f->a, profile);
	r->ptypes[r->nptypes].types = HG_ANEWN(r->f->a, const char *, s.n + 1);
	if (s.n)
		memcpy(r->ptypes[r->nptypes].types, s.v, sizeof(*s.v) * s.n);
	r->ptypes[r->nptypes].n = s.n;
	free(s.v);
	return &r->ptypes[r->nptypes++];
}

/* AWS::SERVICE::RESOURCE */
static bool type_name(const char *s)
{
	int parts = 0;
	size_t run = 0;
	for (; *s; s++) {
		if (s[0] == ':' && s[1] == ':') {
			if (!run)
				return false;
			parts++;
			run = 0;
			s++;
		} else if (isalnum((unsigned char)*s))
			run++;
		else
			return false;
	}
	return parts == 2 && run;
}

/*
 * types: [default, AWS::Lambda::Function, ...]: the types an account's
 * collector lists (besides its stacks' own); "default" (and no `types`)
 * is the profile's (profile_types). Sorted, each once.
 */
static void read_types(struct reader *r, hg_fleet_target *t, const hg_node *n)
{
	struct typeset s = {NULL, 0, 0};
	const struct ptypes *pt;
	size_t i, k;

	if (n && !hg_node_expect(n, HG_NODE_SEQ, "types", r->d)) {
		r->ok = false;
		return;
	}
	for (i = 0; i < (n ? n->u.seq.n : 1); i++) {
		const hg_node *it = n ? n->u.seq.items[i] : NULL;
		const char *ty = it ? str_of(r, it, "types") : "default";
		if (!ty)
			continue;
		if (strcmp(ty, "default") == 0) {
			pt = profile_types(r, t->profile ? t->profile : "gc-aws");
			for (k = 0; k < pt->n; k++)
				typeset_add(&s, pt->types[k]);
		} else if (!type_name(ty))
			bad_id(r, it, ty,
			        HG_BI("an AWS resource type (AWS::SERVICE::RESOURCE) or default",
			                "AWS のリソースの型 (AWS::SERVICE::RESOURCE) か default"));
		else
			typeset_add(&s, ty);
	}
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	t->types = HG_ANEWN(r->f->a, const char *, s.n + 1);
	if (s.n)
		memcpy(t->types, s.v, sizeof(*s.v) * s.n);
	t->ntypes = s.n;
	free(s.v);
}

/* The profile named at n, which must target cloud c. */
static const char *profile_of(struct reader *r, const hg_node *n, hg_cloud c)
{
	const char *name = str_of(r, n, "profile");
	const hg_template *t;

	if (!name)
		return NULL;
	t = hg_registry_get(registry(r), &r->regd, HG_DOC_PROFILE, name);
	if (!t || (t->target == HG_TARGET_AZURE) != (c == HG_CLOUD_AZURE)) {
		hg_diag_add(r->d, HG_D_FLEET_PROFILE, &n->span, name,
		        c == HG_CLOUD_AWS ? "AWS" : "Azure",
		        !t ? HG_BI("there is no profile of that name on the template search path",
		                     "その名前のプロファイルがテンプレート検索パスにありません")
		           : c == HG_CLOUD_AWS ? HG_BI("it is a profile of Azure", "Azure のプロファイルです")
		                               : HG_BI("it is a profile of AWS", "AWS のプロファイルです"),
		        NULL);
		r->ok = false;
		return NULL;
	}
	return name;
}

/* ---- credentials (AWS) ---- */

/* arn:PARTITION:iam::ACCOUNT:role/NAME: where ACCOUNT starts, or NULL. */
static const char *role_account(const char *arn)
{
	const char *p;
	if (strncmp(arn, "arn:aws", 7) != 0 || !(p = strchr(arn + 4, ':')) ||
	        strncmp(p, ":iam::", 6) != 0)
		return NULL;
	p += 6;
	if (strlen(p) < 12 + 6 + 1 || !all_digits_n(p, 12) || strncmp(p + 12, ":role/", 6) != 0)
		return NULL;
	return p;
}

/*
 * credentials: { profile: P } | { role: ARN, [profile: P], [external_id],
 * [session_name] }. "{account}" in a default role ARN is the account's ID.
 */
static void read_creds(struct reader *r, hg_fleet_creds *c, const hg_node *n, const char *account)
{
	static const char *const keys[] = {"profile", "role", "external_id", "session_name", NULL};
	const hg_node *v;

	if (!check_keys(r, n, keys, "credentials"))
		return;
	if ((v = hg_node_get(n, "profile")) != NULL)
		c->profile = str_of(r, v, "credentials.profile");
	if ((v = hg_node_get(n, "external_id")) != NULL)
		c->external_id = str_of(r, v, "credentials.external_id");
	if ((v = hg_node_get(n, "session_name")) != NULL)
		c->session_name = str_of(r, v, "credentials.session_name");
	if ((v = hg_node_get(n, "role")) != NULL) {
		const char *arn = str_of(r, v, "credentials.role"), *at;
		hg_buf b = HG_BUF_INIT;
		if (!arn)
			return;
		/* {account}: one default role for every account */
		if ((at = strstr(arn, "{account}")) != NULL) {
			hg_buf_put(&b, arn, (size_t)(at - arn));
			hg_buf_puts(&b, account ? account : "000000000000");
			hg_buf_puts(&b, at + 9);
			arn = hg_arena_strdup(r->f->a, b.ptr);
		}
		hg_buf_dispose(&b);
		if (!role_account(arn)) {
			hg_diag_add(r->d, HG_D_FLEET_CREDENTIALS, &v->span,
			        hg_arena_printf(r->f->a,
			                HG_BI("'%s' is not the ARN of an IAM role "
			                      "(arn:aws:iam::ACCOUNT:role/NAME)",
			                        "'%s' は IAM ロールの ARN (arn:aws:iam::ACCOUNT:role/NAME) "
			                        "ではありません"),
			                arn, arn),
			        NULL);
			r->ok = false;
			return;
		}
		c->role = arn;
	}
	if (!c->role && (c->external_id || c->session_name)) {
		hg_diag_add(r->d, HG_D_FLEET_CREDENTIALS, &n->span,
		        HG_BI("external_id and session_name are for a role to assume: give role too",
		                "external_id と session_name は引き受けるロールのためのものです。role "
		                "も指定してください"),
		        NULL);
		r->ok = false;
	}
}

/* ---- stacks and deployments ---- */

/*
 * stacks: [ { name: STACK, template: PATH, regions: [...] } ] (AWS), or
 * deployments: [ { name: DEPLOYMENT, template: PATH } ] (Azure). Appended
 * to *out (*n of them, cap *cap). A stack's regions must be regions of its
 * account (target_regions; NULL for the defaults, whose stacks are in the
 * regions an account shares with them).
 */
static void read_stacks(struct reader *r, hg_fleet_stack **out, size_t *n, size_t *cap,
        const hg_node *list, hg_cloud c, const char *const *target_regions, size_t ntarget)
{
	static const char *const aws_keys[] = {"name", "template", "regions", NULL};
	static const char *const az_keys[] = {"name", "template", NULL};
	const char *what = c == HG_CLOUD_AWS ? "stacks" : "deployments";
	size_t i, k, m;

	if (!hg_node_expect(list, HG_NODE_SEQ, what, r->d)) {
		r->ok = false;
		return;
	}
	for (i = 0; i < list->u.seq.n; i++) {
		const hg_node *it = list->u.seq.items[i], *v;
		hg_fleet_stack s;
		bool dup = false;

		memset(&s, 0, sizeof(s));
		if (!check_keys(r, it, c == HG_CLOUD_AWS ? aws_keys : az_keys,
		            c == HG_CLOUD_AWS ? HG_BI("a stack", "スタック")
		                              : HG_BI("a deployment", "デプロイ")))
			continue;
		s.span = it->span;
		if (!(v = hg_node_get(it, "name"))) {
			missing(r, it, "name",
			        c == HG_CLOUD_AWS ? HG_BI("a stack", "スタック") : HG_BI("a deployment", "デプロイ"));
			continue;
		}
		if (!(s.name = str_of(r, v, "name")))
			continue;
		if (c == HG_CLOUD_AWS && !stack_name(s.name)) {
			bad_id(r, v, s.name,
			        HG_BI("a stack name (a letter, then letters, digits and '-', at most 128)",
			                "スタック名 (英字で始まり、英数字と '-' で 128 文字まで)"));
			continue;
		}
		for (k = 0; k < *n; k++)
			if (strcmp((*out)[k].name, s.name) == 0) {
				char line[16];
				snprintf(line, sizeof(line), "%u", (unsigned)(*out)[k].span.line);
				hg_diag_add(r->d, HG_D_FLEET_DUP, &v->span,
				        c == HG_CLOUD_AWS
				                ? hg_arena_printf(r->f->a, "stack '%s'\x1fスタック '%s'", s.name, s.name)
				                : hg_arena_printf(r->f->a, "deployment '%s'\x1fデプロイ '%s'", s.name,
				                          s.name),
				        line, NULL);
				r->ok = false;
				dup = true;
			}
		if (dup)
			continue;
		if ((v = hg_node_get(it, "template")) != NULL)
			s.template_path = str_of(r, v, "template");
		if ((v = hg_node_get(it, "regions")) != NULL) {
			s.regions = str_list(r, v, "regions", &s.nregions, true);
			for (k = 0; target_regions && k < s.nregions; k++) {
				bool found = false;
				for (m = 0; m < ntarget; m++)
					found = found || strcmp(target_regions[m], s.regions[k]) == 0;
				if (!found) {
					bad_id(r, v->u.seq.items[k], s.regions[k],
					        HG_BI("one of the account's regions", "そのアカウントのリージョン"));
				}
			}
		}
		HG_GROW(*out, *cap, *n + 1);
		(*out)[(*n)++] = s;
	}
}

/* ---- accounts and subscriptions ---- */

/*
 * The defaults are read again for each account, quietly: what is wrong
 * with them was said once, where they are written.
 */
static void quietly(struct reader *r)
{
	r->loud_d = r->d;
	r->loud_ok = r->ok;
	hg_diags_init(&r->quiet);
	r->d = &r->quiet;
}

static void loud(struct reader *r)
{
	r->d = r->loud_d;
	r->ok = r->loud_ok;
	hg_diags_dispose(&r->quiet);
}

static void read_target(struct reader *r, const hg_node *n, hg_cloud c, const struct defaults *df,
        const hg_fleet_stack *dstacks, size_t ndstacks)
{
	static const char *const aws_keys[] = {"account", "name", "profile", "regions", "credentials",
	        "types", "stacks", NULL};
	static const char *const az_keys[] = {"subscription", "name", "profile", "resource_groups",
	        "deployments", NULL};
	const char *idkey = c == HG_CLOUD_AWS ? "account" : "subscription";
	const char *what = c == HG_CLOUD_AWS ? HG_BI("an account", "アカウント")
	                                     : HG_BI("a subscription", "サブスクリプション");
	hg_fleet_target t;
	const hg_node *v;
	hg_fleet_stack *stacks = NULL;
	size_t nstacks = 0, cap = 0, i;
	bool bad = false;
	char *id;

	memset(&t, 0, sizeof(t));
	t.cloud = c;
	if (!check_keys(r, n, c == HG_CLOUD_AWS ? aws_keys : az_keys, what))
		return;
	t.span = n->span;
	if (!(v = hg_node_get(n, idkey))) {
		missing(r, n, idkey, what);
		return;
	}
	if (!str_of(r, v, idkey))
		return;
	id = hg_arena_strdup(r->f->a, v->u.scalar.str); /* a copy of its own: lower-cased below */
	/* A bad ID is reported, and the rest of the entry read all the same
	 * (every problem at once); the entry is then left out. */
	if (c == HG_CLOUD_AWS && !(strlen(id) == 12 && all_digits_n(id, 12))) {
		bad_id(r, v, id, HG_BI("an AWS account ID (12 digits)", "AWS のアカウント ID (12 桁の数字)"));
		bad = true;
	}
	if (c == HG_CLOUD_AZURE) {
		if (!guid(id)) {
			bad_id(r, v, id,
			        HG_BI("an Azure subscription ID (a GUID: 8-4-4-4-12 hexadecimal digits)",
			                "Azure のサブスクリプション ID (8-4-4-4-12 桁の 16 進数の GUID)"));
			bad = true;
		}
		for (i = 0; id[i]; i++) /* as Azure's resource IDs print it */
			id[i] = (char)tolower((unsigned char)id[i]);
	}
	for (i = 0; !bad && i < r->f->ntargets; i++)
		if (r->f->targets[i].cloud == c && strcmp(r->f->targets[i].id, id) == 0) {
			char line[16];
			snprintf(line, sizeof(line), "%u", (unsigned)r->f->targets[i].span.line);
			hg_diag_add(r->d, HG_D_FLEET_DUP, &v->span,
			        c == HG_CLOUD_AWS
			                ? hg_arena_printf(r->f->a, "account %s\x1fアカウント %s", id, id)
			                : hg_arena_printf(r->f->a, "subscription %s\x1fサブスクリプション %s", id, id),
			        line, NULL);
			r->ok = false;
			return;
		}
	t.id = id;
	if ((v = hg_node_get(n, "name")) != NULL)
		t.name = str_of(r, v, "name");
	if ((v = hg_node_get(n, "profile")) != NULL)
		t.profile = profile_of(r, v, c);
	else if (df->profile) {
		quietly(r);
		t.profile = profile_of(r, df->profile, c);
		loud(r);
	} else
		t.profile = c == HG_CLOUD_AWS ? "gc-aws" : "gc-azure";
	if (c == HG_CLOUD_AWS) {
		if ((v = hg_node_get(n, "regions")) != NULL)
			t.regions = str_list(r, v, "regions", &t.nregions, true);
		else if ((v = df->regions) != NULL) {
			quietly(r);
			t.regions = str_list(r, v, "regions", &t.nregions, true);
			loud(r);
		} else
			missing(r, n, "regions", what);
		if (v && !t.nregions && v->kind == HG_NODE_SEQ && !v->u.seq.n)
			bad_id(r, v, "[]", HG_BI("a list of regions", "リージョンのリスト"));
		if ((v = hg_node_get(n, "types")) != NULL)
			read_types(r, &t, v);
		else {
			quietly(r);
			read_types(r, &t, df->types);
			loud(r);
		}
		if ((v = hg_node_get(n, "credentials")) != NULL)
			read_creds(r, &t.creds, v, id);
		else if ((v = df->creds) != NULL) {
			quietly(r);
			read_creds(r, &t.creds, v, id);
			loud(r);
		}
		if (t.creds.role && strncmp(role_account(t.creds.role), id, 12) != 0) {
			const hg_node *rv = hg_node_get(v, "role");
			hg_diag_add(r->d, HG_D_FLEET_CREDENTIALS, &rv->span,
			        hg_arena_printf(r->f->a,
			                HG_BI("the role %s is in account %.12s, not in %s: a collector "
			                      "assumes a role of the account it reads",
			                        "ロール %s はアカウント %.12s のもので、%s のものではありません。"
			                        "コレクタは読み取るアカウントのロールを引き受けます"),
			                t.creds.role, role_account(t.creds.role), id, t.creds.role,
			                role_account(t.creds.role), id),
			        NULL);
			r->ok = false;
		}
	} else if ((v = hg_node_get(n, "resource_groups")) != NULL)
		t.groups = str_list(r, v, "resource_groups", &t.ngroups, false);
	else if ((v = df->groups) != NULL) {
		quietly(r);
		t.groups = str_list(r, v, "resource_groups", &t.ngroups, false);
		loud(r);
	}
	/* the defaults' stacks, in the regions the account shares with them */
	for (i = 0; i < ndstacks; i++) {
		hg_fleet_stack s = dstacks[i];
		if (s.nregions) {
			const char **in = HG_ANEWN(r->f->a, const char *, s.nregions + 1);
			size_t k, m, nin = 0;
			for (k = 0; k < s.nregions; k++)
				for (m = 0; m < t.nregions; m++)
					if (strcmp(s.regions[k], t.regions[m]) == 0)
						in[nin++] = s.regions[k];
			if (!nin)
				continue;
			s.regions = in;
			s.nregions = nin;
		}
		HG_GROW(stacks, cap, nstacks + 1);
		stacks[nstacks++] = s;
	}
	if ((v = hg_node_get(n, c == HG_CLOUD_AWS ? "stacks" : "deployments")) != NULL)
		read_stacks(r, &stacks, &nstacks, &cap, v, c, t.regions, t.nregions);
	if (nstacks) {
		t.stacks = HG_ANEWN(r->f->a, hg_fleet_stack, nstacks);
		memcpy(t.stacks, stacks, sizeof(*stacks) * nstacks);
		t.nstacks = nstacks;
	}
	free(stacks);
	if (bad)
		return;
	r->f->targets = hg_xrealloc(r->f->targets, (r->f->ntargets + 1) * sizeof(*r->f->targets));
	r->f->targets[r->f->ntargets++] = t;
}

/* aws: { regions, credentials, profile, stacks, accounts: [...] } (azure: subscriptions). */
static void read_cloud(struct reader *r, const hg_node *n, hg_cloud c)
{
	static const char *const aws_keys[] = {"regions", "credentials", "profile", "types", "stacks",
	        "accounts", NULL};
	static const char *const az_keys[] = {"profile", "resource_groups", "deployments",
	        "subscriptions", NULL};
	const char *listkey = c == HG_CLOUD_AWS ? "accounts" : "subscriptions";
	struct defaults df;
	hg_fleet_stack *dstacks = NULL;
	size_t ndstacks = 0, cap = 0, i;
	const hg_node *list, *v;

	memset(&df, 0, sizeof(df));
	if (!check_keys(r, n, c == HG_CLOUD_AWS ? aws_keys : az_keys, c == HG_CLOUD_AWS ? "aws" : "azure"))
		return;
	df.regions = hg_node_get(n, "regions");
	df.creds = hg_node_get(n, "credentials");
	df.profile = hg_node_get(n, "profile");
	df.groups = hg_node_get(n, "resource_groups");
	df.types = hg_node_get(n, "types");
	/* The defaults are checked once here; each account reads them quietly. */
	if (df.regions) {
		size_t count;
		str_list(r, df.regions, "regions", &count, true);
	}
	if (df.profile)
		profile_of(r, df.profile, c);
	if (df.creds) {
		hg_fleet_creds dc;
		memset(&dc, 0, sizeof(dc));
		read_creds(r, &dc, df.creds, NULL);
	}
	if (df.groups) {
		size_t count;
		str_list(r, df.groups, "resource_groups", &count, false);
	}
	if (df.types && c == HG_CLOUD_AWS) {
		hg_fleet_target dt;
		memset(&dt, 0, sizeof(dt));
		read_types(r, &dt, df.types);
	}
	if ((v = hg_node_get(n, c == HG_CLOUD_AWS ? "stacks" : "deployments")) != NULL)
		read_stacks(r, &dstacks, &ndstacks, &cap, v, c, NULL, 0);
	if (!(list = hg_node_get(n, listkey))) {
		free(dstacks);
		return;
	}
	if (!hg_node_expect(list, HG_NODE_SEQ, listkey, r->d)) {
		r->ok = false;
		free(dstacks);
		return;
	}
	for (i = 0; i < list->u.seq.n; i++)
		read_target(r, list->u.seq.items[i], c, &df, dstacks, ndstacks);
	free(dstacks);
}

/*
 * schemas/fleet/aws-listings.json: the global services' types and the
 * types listed otherwise than with cloudcontrol (data, not code).
 */
static int read_listings(hg_fleet *f, const char *schema_dir, hg_diags *d)
{
	hg_buf path = HG_BUF_INIT;
	json_error_t err;
	json_t *doc, *g, *via, *v;
	const char *k;
	size_t i;
	int rc = 0;

	hg_buf_printf(&path, "%s/fleet/aws-listings.json", schema_dir);
	doc = json_load_file(path.ptr, 0, &err);
	g = json_object_get(doc, "global");
	via = json_object_get(doc, "via");
	if (!json_is_array(g) || !json_is_object(via)) {
		hg_diag_add(d, HG_D_IO_READ, NULL, path.ptr,
		        doc ? HG_BI("not the listings' data (global, via)",
		                      "一覧の方法のデータ (global, via) ではありません")
		            : err.text,
		        NULL);
		rc = HG_EIO;
		goto out;
	}
	f->global = HG_ANEWN(f->a, const char *, json_array_size(g) + 1);
	json_array_foreach(g, i, v)
		if (json_is_string(v))
			f->global[f->nglobal++] = hg_arena_strdup(f->a, json_string_value(v));
	f->via = HG_ANEWN(f->a, hg_fleet_via, json_object_size(via) + 1);
	json_object_foreach(via, k, v)
		if (json_is_string(v)) {
			f->via[f->nvia].type = hg_arena_strdup(f->a, k);
			f->via[f->nvia++].via = hg_arena_strdup(f->a, json_string_value(v));
		}
out:
	json_decref(doc);
	hg_buf_dispose(&path);
	return rc;
}

bool hg_fleet_global(const hg_fleet *f, const char *type)
{
	size_t i, n;
	for (i = 0; i < f->nglobal; i++) {
		n = strlen(f->global[i]);
		if (n && f->global[i][n - 1] == '*' ? strncmp(type, f->global[i], n - 1) == 0
		                                    : strcmp(type, f->global[i]) == 0)
			return true;
	}
	return false;
}

const char *hg_fleet_via_of(const hg_fleet *f, const char *type)
{
	size_t i;
	for (i = 0; i < f->nvia; i++)
		if (strcmp(f->via[i].type, type) == 0)
			return f->via[i].via;
	return "cloudcontrol";
}

int hg_fleet_parse(hg_fleet **out, const char *path, const char *text, size_t len,
        const hg_fleet_options *o, hg_diags *d)
{
	static const char *const keys[] = {"fleet", "name", "aws", "azure", NULL};
	struct reader r;
	hg_node *root = NULL;
	const hg_node *v;
	const char *file = hg_diags_source(d, path, text, len);
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.o = o;
	r.ok = true;
	r.f = hg_xcalloc(1, sizeof(*r.f));
	r.f->a = hg_arena_new();
	r.f->file = hg_arena_strdup(r.f->a, path);
	rc = hg_yaml_load(&root, r.f->a, d, file, text, len, NULL);
	if (rc < 0 || !root)
		goto out;
	if (!check_keys(&r, root, keys, "fleet.yaml"))
		goto out;
	if (!(v = hg_node_get(root, "fleet")))
		missing(&r, root, "fleet", "fleet.yaml");
	else if (!hg_node_is(v, "1")) {
		hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "fleet", "1",
		        scalar(v) ? scalar(v) : hg_node_kind_name(v), NULL);
		r.ok = false;
	}
	if ((v = hg_node_get(root, "name")) != NULL)
		r.f->name = str_of(&r, v, "name");
	if (o && o->schema_dir && (rc = read_listings(r.f, o->schema_dir, d)) < 0)
		goto out;
	if ((v = hg_node_get(root, "aws")) != NULL)
		read_cloud(&r, v, HG_CLOUD_AWS);
	if ((v = hg_node_get(root, "azure")) != NULL)
		read_cloud(&r, v, HG_CLOUD_AZURE);
	if (r.ok && !r.f->ntargets) {
		hg_diag_add(d, HG_D_FLEET_EMPTY, &root->span, NULL);
		r.ok = false;
	}
out:
	if (r.reg)
		hg_registry_free(r.reg);
	if (r.rega) {
		hg_diags_dispose(&r.regd);
		hg_arena_dispose(r.rega);
	}
	free(r.ptypes);
	if (rc < 0 || !root || !r.ok) {
		hg_fleet_free(r.f);
		return rc < 0 ? rc : HG_EINVALID;
	}
	*out = r.f;
	return 0;
}

int hg_fleet_read(hg_fleet **out, const char *path, const hg_fleet_options *o, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	int rc;

	*out = NULL;
	rc = hg_fs_read(&text, path, 16u << 20, &size);
	if (rc < 0) {
		int e = errno;
		hg_diag_add(d, HG_D_IO_READ, NULL, path,
		        rc == HG_EIO ? strerror(e) : HG_BI("the file is too large", "ファイルが大きすぎます"),
		        NULL);
		hg_buf_dispose(&text);
		return HG_EIO;
	}
	rc = hg_fleet_parse(out, path, text.ptr, text.size, o, d);
	hg_buf_dispose(&text);
	return rc;
}

void hg_fleet_free(hg_fleet *f)
{
	if (!f)
		return;
	free(f->targets);
	hg_arena_dispose(f->a);
	free(f);
}

const char *hg_cloud_name(hg_cloud c)
{
	return c == HG_CLOUD_AZURE ? "azure" : "aws";
}
